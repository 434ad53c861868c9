import type { PruneTarget } from "@dcnpi/pruning";
import type { KMeansReport } from "@dcnpi/quantization";
import type { ContainerInspection } from "@dcnpi/sparse-format";

/** The metric after each stage of the pipeline (whatever `evaluate` measures: accuracy, error, loss). */
export interface StageMetric {
  readonly stage: string;
  readonly value: number;
}

/** What happened to one weight. Sizes come from the written file. */
export interface LayerReport {
  readonly name: string;
  readonly shape: readonly number[];
  readonly elementCount: number;
  readonly store: "sparse" | "quantized" | "dense";
  readonly keptCount: number;
  readonly keptFraction: number;
  readonly pruneTarget: PruneTarget | null;
  readonly weightBits: number | null;
  readonly indexBits: number | null;
  /** Average bits per stored weight code (after Huffman when on). */
  readonly averageWeightBits: number | null;
  /** Average bits per stored relative index (after Huffman when on). */
  readonly averageIndexBits: number | null;
  readonly fillerCount: number;
  /** The paper's count: codes + indices + fillers + 2^b × 32-bit codebook; null for dense entries (the paper leaves them out). */
  readonly paperBits: number | null;
  /** paperBits / (elementCount × 32): the tables' "compress rate". */
  readonly paperRate: number | null;
  /** Bytes of this entry's sections in the file. */
  readonly fileBytes: number;
  readonly kmeans: KMeansReport | null;
}

export interface CompressionTotals {
  /** The paper's way: compressed layers only, biases and headers left out. */
  readonly paper: { readonly denseBytes: number; readonly compressedBytes: number; readonly ratio: number };
  /** Every parameter as float32 against every byte of the file. */
  readonly onDisk: { readonly denseBytes: number; readonly fileBytes: number; readonly ratio: number };
}

export interface CompressionReport {
  readonly version: 1;
  readonly metricName: string;
  readonly metrics: readonly StageMetric[];
  /** False when no `train` function was given: pruning was one-shot and centroids were not fine-tuned. */
  readonly retrained: boolean;
  readonly layers: readonly LayerReport[];
  readonly totals: CompressionTotals;
  readonly notes: readonly string[];
  readonly seconds: Readonly<Record<string, number>>;
}

/** Totals from a container inspection (the file is the single source of truth for sizes). */
export function totalsFromInspection(inspection: ContainerInspection): CompressionTotals {
  return {
    paper: {
      denseBytes: inspection.paper.denseBits / 8,
      compressedBytes: inspection.paper.totalBits / 8,
      ratio: inspection.paper.compressionRatio,
    },
    onDisk: {
      denseBytes: inspection.onDisk.denseBytes,
      fileBytes: inspection.onDisk.fileBytes,
      ratio: inspection.onDisk.compressionRatio,
    },
  };
}

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 2 : 1)}%`;
const fmt = (x: number | null, digits = 2) => (x === null ? "-" : x.toFixed(digits));

/** A plain-text per-layer table and totals, as the CLI prints it. */
export function formatReport(report: CompressionReport): string {
  const header = [
    "weight",
    "shape",
    "store",
    "kept",
    "w bits",
    "w bits (H)",
    "idx bits",
    "idx bits (H)",
    "fillers",
    "paper rate",
    "file bytes",
  ];
  const rows = report.layers.map((l) => [
    l.name,
    l.shape.join("x"),
    l.store,
    pct(l.keptFraction),
    l.weightBits === null ? "-" : String(l.weightBits),
    fmt(l.averageWeightBits),
    l.indexBits === null ? "-" : String(l.indexBits),
    fmt(l.averageIndexBits),
    String(l.fillerCount),
    l.paperRate === null ? "-" : pct(l.paperRate),
    String(l.fileBytes),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const { paper, onDisk } = report.totals;
  const lines = [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), ""];
  lines.push(
    `paper's way: ${paper.denseBytes} B of 32-bit weights -> ${Math.round(paper.compressedBytes)} B (${paper.ratio.toFixed(1)}x smaller)`,
  );
  lines.push(
    `true bytes:  ${onDisk.denseBytes} B of float32 parameters -> ${onDisk.fileBytes} B file (${onDisk.ratio.toFixed(1)}x smaller)`,
  );
  if (report.metrics.length > 0) {
    lines.push(`${report.metricName}: ${report.metrics.map((m) => `${m.stage} ${m.value.toFixed(4)}`).join(", ")}`);
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  return lines.join("\n");
}
