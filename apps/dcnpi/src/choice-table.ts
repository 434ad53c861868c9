import type { CompressionReport, PlanSearchResult } from "@dcnpi/deep-compression";

/** Per layer: what the search chose, what it cost alone in the metric, and the bytes it took in the file. */
export function formatChoiceTable(result: PlanSearchResult, report: CompressionReport): string {
  const fileBytes = new Map(report.layers.map((l) => [l.name, l.fileBytes]));
  const rows = result.layers.map((l) => [
    l.name,
    String(l.elements),
    l.keepFraction >= 1 ? "all" : `${(100 * l.keepFraction).toFixed(0)}%`,
    String(l.weightBits),
    l.scanned ? l.pointsLostAlone.toFixed(2) : "not scanned",
    String(l.estimatedBytes),
    String(fileBytes.get(l.name) ?? ""),
  ]);
  const header = ["chosen per layer", "weights", "keep", "bits", "points lost alone", "est. bytes", "file bytes"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}
