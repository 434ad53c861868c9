/**
 * Plain SVG charts as strings (pure functions, tested in Node): the shared-weight histogram and the
 * per-entry bytes bars. Hand-written rather than Vega-Lite: the page must work offline and stay small,
 * and two chart kinds do not pay for a charting library.
 */

export interface HistogramBar {
  /** The shared weight (a centroid's value). */
  readonly value: number;
  /** How many weights of the layer use it. */
  readonly count: number;
}

const escapeXml = (text: string): string => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const round = (x: number): string => (Math.round(x * 10) / 10).toString();

/**
 * One bar per centroid, at its value on the x axis, as tall as the number of weights sharing it:
 * the paper's Figure 5 view of a quantized layer (a bimodal, zero-free distribution after pruning).
 */
export function histogramSvg(bars: readonly HistogramBar[], options: { width?: number; height?: number; title?: string } = {}): string {
  const width = options.width ?? 320;
  const height = options.height ?? 140;
  const margin = { left: 44, right: 8, top: options.title === undefined ? 8 : 22, bottom: 24 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const values = bars.map((b) => b.value);
  let lo = Math.min(0, ...values);
  let hi = Math.max(0, ...values);
  if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1];
  const maxCount = Math.max(1, ...bars.map((b) => b.count));
  const x = (v: number) => margin.left + ((v - lo) / (hi - lo)) * plotWidth;
  const y = (c: number) => margin.top + plotHeight - (c / maxCount) * plotHeight;
  // Bars are as wide as the closest pair of centroids allows (at least 1.5 px, at most 12 px).
  const sorted = [...values].sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < sorted.length; i++) gap = Math.min(gap, sorted[i]! - sorted[i - 1]!);
  const barWidth = Math.max(1.5, Math.min(12, Number.isFinite(gap) ? (gap / (hi - lo)) * plotWidth * 0.8 : 8));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" class="histogram">`,
  ];
  if (options.title !== undefined)
    parts.push(`<text x="${margin.left}" y="14" font-size="12" font-weight="600">${escapeXml(options.title)}</text>`);
  parts.push(
    `<line x1="${margin.left}" y1="${round(margin.top + plotHeight)}" x2="${width - margin.right}" y2="${round(margin.top + plotHeight)}" stroke="#98a2b3"/>`,
    `<line x1="${round(x(0))}" y1="${margin.top}" x2="${round(x(0))}" y2="${round(margin.top + plotHeight)}" stroke="#d0d5dd" stroke-dasharray="2,2"/>`,
  );
  for (const bar of bars) {
    const top = y(bar.count);
    parts.push(
      `<rect x="${round(x(bar.value) - barWidth / 2)}" y="${round(top)}" width="${round(barWidth)}" height="${round(margin.top + plotHeight - top)}" ` +
        `fill="#2f6fdd"><title>${escapeXml(`${bar.value.toPrecision(4)}: ${bar.count} weights`)}</title></rect>`,
    );
  }
  const label = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(2));
  parts.push(
    `<text x="${margin.left}" y="${height - 6}" font-size="10" fill="#667085">${label(lo)}</text>`,
    `<text x="${width - margin.right}" y="${height - 6}" font-size="10" fill="#667085" text-anchor="end">${label(hi)}</text>`,
    `<text x="${margin.left - 4}" y="${margin.top + 8}" font-size="10" fill="#667085" text-anchor="end">${maxCount}</text>`,
    `<text x="${margin.left - 4}" y="${round(margin.top + plotHeight)}" font-size="10" fill="#667085" text-anchor="end">0</text>`,
    `</svg>`,
  );
  return parts.join("");
}

export interface BytesBar {
  readonly label: string;
  readonly bytes: number;
}

/** Horizontal bars, one per entry, on one scale: which entries the file's bytes go to. */
export function bytesBarsSvg(bars: readonly BytesBar[], options: { width?: number } = {}): string {
  const width = options.width ?? 560;
  const rowHeight = 18;
  const labelWidth = 190;
  const height = bars.length * rowHeight + 6;
  const maxBytes = Math.max(1, ...bars.map((b) => b.bytes));
  const barSpace = width - labelWidth - 80;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" class="bytes-bars">`,
  ];
  bars.forEach((bar, i) => {
    const y = 3 + i * rowHeight;
    const w = Math.max(bar.bytes > 0 ? 1 : 0, (bar.bytes / maxBytes) * barSpace);
    parts.push(
      `<text x="${labelWidth - 6}" y="${y + 12}" font-size="11" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 2}" width="${round(w)}" height="${rowHeight - 6}" fill="#2f6fdd"/>`,
      `<text x="${round(labelWidth + w + 4)}" y="${y + 12}" font-size="10" fill="#667085">${bar.bytes.toLocaleString("en-US")} B</text>`,
    );
  });
  parts.push(`</svg>`);
  return parts.join("");
}
