/**
 * Vega-Lite specs for the paper's figures, from measured data (rendered to SVG by run-kit). Specs are
 * pure data so they are tested without rendering; `renderVegaLiteSvg` turns them into SVG strings.
 */
import type { VegaLiteSpec } from "@dcnpi/report-kit";
import type { Histogram, Sweep, WeightDistribution } from "./lenet-figures.js";

const WIDTH = 560;

function histogramRows(h: Histogram, stage: string) {
  return h.counts.map((count, i) => ({ stage, start: h.start + i * h.width, end: h.start + (i + 1) * h.width, count }));
}

/** Fig. 4/5 style: the layer's weights before pruning, after pruning, and the shared weights after quantization. */
export function distributionSpec(d: WeightDistribution, title: string): VegaLiteSpec {
  const bars = [
    ...histogramRows(d.dense, "1. dense (before pruning)"),
    ...histogramRows(d.pruned, "2. after pruning + retraining (kept weights)"),
  ];
  const lo = d.dense.start;
  const hi = d.dense.start + d.dense.width * d.dense.counts.length;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    vconcat: [
      {
        width: WIDTH,
        height: 110,
        data: { values: bars },
        mark: { type: "rect", color: "#4c78a8" },
        encoding: {
          x: { field: "start", type: "quantitative", title: "weight value", scale: { domain: [lo, hi] } },
          x2: { field: "end" },
          y: { field: "count", type: "quantitative", title: "count" },
          y2: { datum: 0 },
          row: {
            field: "stage",
            type: "nominal",
            title: null,
            header: { labelAngle: 0, labelAlign: "left", labelAnchor: "start", labelOrient: "top" },
          },
        },
        resolve: { scale: { y: "independent" } },
      } as unknown as VegaLiteSpec,
      {
        width: WIDTH,
        height: 110,
        title: {
          text: `3. after ${d.weightBits}-bit quantization + centroid fine-tuning: ${d.codebook.length} shared weights (the pruned zero not shown)`,
          fontSize: 11,
          fontWeight: "normal",
          anchor: "start",
        },
        data: { values: d.codebook },
        mark: { type: "bar", color: "#e45756", width: 2 },
        encoding: {
          x: { field: "value", type: "quantitative", title: "shared weight (centroid) value", scale: { domain: [lo, hi] } },
          y: { field: "count", type: "quantitative", title: "weights using it" },
        },
      } as unknown as VegaLiteSpec,
    ],
  } as unknown as VegaLiteSpec;
}

/** Fig. 5 style: how often each stored weight code and each relative-index gap occurs (fillers included). */
export function codesAndGapsSpec(d: WeightDistribution, title: string): VegaLiteSpec {
  const zero = "0 = zero of fillers";
  const longest = `${d.gapCounts.length} (longest; fillers use it)`;
  const codes = d.codeCounts.map((count, code) => ({ code, count, kind: code === 0 ? zero : "shared weight" }));
  const gaps = d.gapCounts.map((count, symbol) => ({ gap: symbol + 1, count, kind: symbol === d.gapCounts.length - 1 ? longest : "gap" }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    hconcat: [
      {
        width: 300,
        height: 180,
        title: { text: `weight codes (${d.weightBits} bits)`, fontSize: 11, fontWeight: "normal" },
        data: { values: codes },
        mark: "bar",
        encoding: {
          x: { field: "code", type: "ordinal", title: "code (shared weights in ascending value)", axis: { labelOverlap: true } },
          y: { field: "count", type: "quantitative", title: "entries" },
          color: {
            field: "kind",
            type: "nominal",
            title: null,
            legend: { orient: "bottom", labelLimit: 260 },
            scale: { domain: ["shared weight", zero], range: ["#4c78a8", "#f58518"] },
          },
        },
      },
      {
        width: 300,
        height: 180,
        title: { text: `relative-index gaps (${d.indexBits} bits, ${d.fillers} fillers)`, fontSize: 11, fontWeight: "normal" },
        data: { values: gaps },
        mark: "bar",
        encoding: {
          x: { field: "gap", type: "ordinal", title: "distance to the previous entry", axis: { labelOverlap: true } },
          y: { field: "count", type: "quantitative", title: "entries" },
          color: {
            field: "kind",
            type: "nominal",
            title: null,
            legend: { orient: "bottom", labelLimit: 260 },
            scale: { domain: ["gap", longest], range: ["#e45756", "#f58518"] },
          },
        },
      },
    ],
    resolve: { scale: { color: "independent" } },
  } as unknown as VegaLiteSpec;
}

/** Fig. 6: top-1 test error against compressed size, pruning only / quantization only / both. */
export function tradeoffSpec(s: Sweep, title: string, pipelinePoints: { label: string; sizeRate: number; error: number }[]): VegaLiteSpec {
  const rows = s.points.map((p) => ({
    series: p.series,
    // The combined points are one line per pruning level, each through its bit widths.
    line: p.bits !== null && p.keepScale !== null ? `${p.series} ×${p.keepScale}` : p.series,
    size: 100 * p.sizeRate,
    error: 100 * p.error,
    label: p.bits === null ? `×${p.keepScale}` : p.keepScale === null ? `${p.bits} b` : `×${p.keepScale}, ${p.bits} b`,
  }));
  const pipeline = pipelinePoints.map((p) => ({ series: p.label, size: 100 * p.sizeRate, error: 100 * p.error, label: p.label }));
  const errors = [...rows, ...pipeline].map((r) => r.error);
  const top = Math.min(100, Math.max(...errors) * 1.1);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: WIDTH,
    height: 320,
    layer: [
      {
        data: { values: rows },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "size", type: "quantitative", title: "compressed size, % of 32-bit dense weights (log)", scale: { type: "log" } },
          y: {
            field: "error",
            type: "quantitative",
            title: "top-1 test error, %",
            scale: { type: "log", domain: [Math.max(0.5, Math.min(...errors) * 0.8), top] },
          },
          color: { field: "series", type: "nominal", title: null, legend: { orient: "bottom", columns: 3, labelLimit: 260 } },
          order: { field: "size", type: "quantitative" },
          detail: { field: "line" },
          tooltip: [{ field: "series" }, { field: "label" }, { field: "size", format: ".2f" }, { field: "error", format: ".2f" }],
        },
      },
      {
        data: { values: pipeline },
        mark: { type: "point", shape: "diamond", size: 120, filled: true },
        encoding: {
          x: { field: "size", type: "quantitative" },
          y: { field: "error", type: "quantitative" },
          color: { field: "series", type: "nominal" },
        },
      },
      {
        data: { values: [{ error: 100 * s.denseError }] },
        mark: { type: "rule", strokeDash: [4, 4], color: "#888" },
        encoding: { y: { field: "error", type: "quantitative" } },
      },
      {
        data: { values: rows.filter((r) => r.series === "pruning + quantization" && r.label.endsWith(" 2 b")) },
        mark: { type: "text", align: "left", dx: 6, fontSize: 10, color: "#555" },
        encoding: { x: { field: "size", type: "quantitative" }, y: { field: "error", type: "quantitative" }, text: { field: "label" } },
      },
    ],
  } as unknown as VegaLiteSpec;
}

/** Fig. 8: top-1 error against bits per weight for the three centroid initialisations. */
export function initSpec(s: Sweep, title: string): VegaLiteSpec {
  const rows = s.points.map((p) => ({ init: p.init, bits: p.bits, error: 100 * p.error }));
  const rules = [
    { label: "dense", error: 100 * s.denseError },
    ...(s.prunedError === null ? [] : [{ label: "pruned, unquantized", error: 100 * s.prunedError }]),
  ];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: WIDTH,
    height: 300,
    layer: [
      {
        data: { values: rows },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "bits", type: "ordinal", title: "bits per weight (every layer)", axis: { labelAngle: 0 } },
          y: { field: "error", type: "quantitative", title: "top-1 test error, % (log)", scale: { type: "log" } },
          color: {
            field: "init",
            type: "nominal",
            title: "centroid initialisation",
            sort: ["linear", "density", "random"],
            legend: { orient: "bottom" },
          },
          tooltip: [{ field: "init" }, { field: "bits" }, { field: "error", format: ".2f" }],
        },
      },
      {
        data: { values: rules },
        mark: { type: "rule", strokeDash: [4, 4] },
        encoding: { y: { field: "error", type: "quantitative" }, color: { value: "#888" } },
      },
      {
        data: { values: rules },
        mark: { type: "text", align: "left", dx: 4, dy: -6, fontSize: 10, color: "#555" },
        encoding: { y: { field: "error", type: "quantitative" }, x: { value: 0 }, text: { field: "label" } },
      },
    ],
  } as unknown as VegaLiteSpec;
}
