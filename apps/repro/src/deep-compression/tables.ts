/**
 * The paper's tables with our measurement beside the paper's value in every cell: per-layer Tables
 * 2–5 (#weights, kept %, weight and index bits before/after Huffman, compress rate) and Table 1's
 * row (error, size and ratio the paper's way, plus the true bytes of the file). Pure functions of
 * measured numbers, so they are tested without training anything.
 */
import { markdownTable } from "@dcnpi/report-kit";
import type { CompressionReport } from "@dcnpi/deep-compression";
import { PAPER_LAYER_TABLES, PAPER_TABLE_1, rowsImpliedRate, type PaperLayerRow, type PaperModel } from "./paper-figures.js";

/** One compressed layer as we measured it (from the pipeline's report or the host encoder). */
export interface MeasuredLayer {
  /** The paper's layer name (ip1, conv3, fc6...). */
  readonly layer: string;
  readonly weights: number;
  readonly kept: number;
  readonly fillers: number;
  /** Fixed bits per weight code (P+Q). */
  readonly weightBits: number;
  /** Fixed bits per relative index (P+Q). */
  readonly indexBits: number;
  /** Average bits per stored entry after Huffman (P+Q+H); fillers included, as the paper counts them. */
  readonly weightBitsHuffman: number;
  readonly indexBitsHuffman: number;
  /** The paper's count after Huffman: codewords of both streams + a 2^b × 32-bit codebook. */
  readonly paperBits: number;
  /** True bytes of the layer's sections in the file. */
  readonly fileBytes: number;
}

export interface LayerRates {
  readonly entries: number;
  readonly keptFraction: number;
  /** Fixed-width size (P+Q) over 32-bit dense, a fraction. */
  readonly ratePQ: number;
  /** After Huffman (P+Q+H), a fraction. */
  readonly ratePQH: number;
}

export function layerRates(m: MeasuredLayer): LayerRates {
  const entries = m.kept + m.fillers;
  const denseBits = m.weights * 32;
  return {
    entries,
    keptFraction: m.kept / m.weights,
    ratePQ: (entries * (m.weightBits + m.indexBits) + 2 ** m.weightBits * 32) / denseBits,
    ratePQH: m.paperBits / denseBits,
  };
}

export interface MeasuredTotals {
  readonly weights: number;
  readonly kept: number;
  readonly entries: number;
  readonly keptFraction: number;
  /** Entry-weighted mean bits (the exact average per stored entry). */
  readonly weightBits: number;
  readonly weightBitsHuffman: number;
  readonly indexBits: number;
  readonly indexBitsHuffman: number;
  readonly ratePQ: number;
  readonly ratePQH: number;
  readonly paperBitsPQ: number;
  readonly paperBitsPQH: number;
  readonly fileBytes: number;
}

export function measuredTotals(layers: readonly MeasuredLayer[]): MeasuredTotals {
  let weights = 0;
  let kept = 0;
  let entries = 0;
  let wb = 0;
  let wbh = 0;
  let ib = 0;
  let ibh = 0;
  let bitsPQ = 0;
  let bitsPQH = 0;
  let fileBytes = 0;
  for (const m of layers) {
    const r = layerRates(m);
    weights += m.weights;
    kept += m.kept;
    entries += r.entries;
    wb += r.entries * m.weightBits;
    wbh += r.entries * m.weightBitsHuffman;
    ib += r.entries * m.indexBits;
    ibh += r.entries * m.indexBitsHuffman;
    bitsPQ += r.ratePQ * m.weights * 32;
    bitsPQH += m.paperBits;
    fileBytes += m.fileBytes;
  }
  const e = Math.max(entries, 1);
  return {
    weights,
    kept,
    entries,
    keptFraction: kept / weights,
    weightBits: wb / e,
    weightBitsHuffman: wbh / e,
    indexBits: ib / e,
    indexBitsHuffman: ibh / e,
    ratePQ: bitsPQ / (weights * 32),
    ratePQH: bitsPQH / (weights * 32),
    paperBitsPQ: bitsPQ,
    paperBitsPQH: bitsPQH,
    fileBytes,
  };
}

/** The pipeline's report as measured layers (compressed weights only; "ip1/kernel" → "ip1"). */
export function measuredLayersFromReport(report: CompressionReport): MeasuredLayer[] {
  return report.layers
    .filter((l) => l.store === "sparse" && l.weightBits !== null && l.indexBits !== null && l.paperBits !== null)
    .map((l) => ({
      layer: l.name.replace(/\/kernel$/, ""),
      weights: l.elementCount,
      kept: l.keptCount,
      fillers: l.fillerCount,
      weightBits: l.weightBits!,
      indexBits: l.indexBits!,
      weightBitsHuffman: l.averageWeightBits ?? l.weightBits!,
      indexBitsHuffman: l.averageIndexBits ?? l.indexBits!,
      paperBits: l.paperBits!,
      fileBytes: l.fileBytes,
    }));
}

const percent = (fraction: number, digits: number) => `${(100 * fraction).toFixed(digits)}%`;
const bits = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const bitsOurs = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
/** "paper / ours" */
const pair = (paper: string, ours: string) => `${paper} / ${ours}`;

function countLabel(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}K`;
  return String(n);
}

const TABLE_HEADER = [
  "Layer",
  "#Weights",
  "Weights% (P)",
  "Weight bits (P+Q)",
  "Weight bits (P+Q+H)",
  "Index bits (P+Q)",
  "Index bits (P+Q+H)",
  "Compress rate (P+Q)",
  "Compress rate (P+Q+H)",
];

function rateDigits(paperPercent: number): number {
  return paperPercent >= 10 ? 1 : 2;
}

/**
 * The paper's per-layer table (Table 2, 3, 4 or 5) with "paper / ours" in every cell. Layers are
 * matched by name; a printed cell the notes flag as an erratum carries a dagger.
 */
export function perLayerTable(model: PaperModel, measured: readonly MeasuredLayer[]): string {
  const table = PAPER_LAYER_TABLES[model];
  const byName = new Map(measured.map((m) => [m.layer, m]));
  const rows = table.layers.map((paper: PaperLayerRow) => {
    const m = byName.get(paper.layer);
    if (m === undefined) throw new Error(`${model}: no measurement for layer ${paper.layer}`);
    const r = layerRates(m);
    return [
      paper.layer,
      pair(paper.weightsLabel, m.weights === paper.weights ? countLabel(m.weights) : `${countLabel(m.weights)} (≠ ${paper.weights})`),
      pair(`${paper.keptPercent}%`, percent(r.keptFraction, 2)),
      pair(String(paper.weightBitsPQ), String(m.weightBits)),
      pair(bits(paper.weightBitsPQH), bitsOurs(m.weightBitsHuffman)),
      pair(String(paper.indexBitsPQ), String(m.indexBits)),
      pair(bits(paper.indexBitsPQH), bitsOurs(m.indexBitsHuffman)),
      pair(`${paper.ratePQPercent}%`, percent(r.ratePQ, rateDigits(paper.ratePQPercent))),
      pair(`${paper.ratePQHPercent}%`, percent(r.ratePQH, 2)),
    ];
  });
  const t = measuredTotals(measured);
  const p = table.total;
  const dagger = (cell: string) => (table.errata.some((e) => e.cell === cell) ? "†" : "");
  rows.push([
    "**Total**",
    pair(p.weightsLabel, countLabel(t.weights)),
    pair(`${p.keptPercent}% (${p.prunedRatio}x)`, `${percent(t.keptFraction, 2)} (${(1 / t.keptFraction).toFixed(1)}x)`),
    pair(bits(p.weightBitsPQ), bitsOurs(t.weightBits)),
    pair(`${bits(p.weightBitsPQH)}${dagger("Total weight bits P+Q+H")}`, bitsOurs(t.weightBitsHuffman)),
    pair(bits(p.indexBitsPQ), bitsOurs(t.indexBits)),
    pair(bits(p.indexBitsPQH), bitsOurs(t.indexBitsHuffman)),
    pair(`${p.ratePQPercent}% (${p.ratioPQ}x)`, `${percent(t.ratePQ, 2)} (${(1 / t.ratePQ).toFixed(1)}x)`),
    pair(
      `${p.ratePQHPercent}%${dagger("Total compress rate P+Q+H")} (${p.ratioPQH}x)`,
      `${percent(t.ratePQH, 2)} (${(1 / t.ratePQH).toFixed(1)}x)`,
    ),
  ]);
  const rowsPQ = rowsImpliedRate(table, "ratePQPercent");
  const rowsPQH = rowsImpliedRate(table, "ratePQHPercent");
  const lines = [
    markdownTable(TABLE_HEADER, rows),
    "",
    `The paper's per-layer rates add up to ${percent(rowsPQ, 2)} (${(1 / rowsPQ).toFixed(1)}x) ` +
      `before Huffman and ${percent(rowsPQH, 2)} (${(1 / rowsPQH).toFixed(1)}x) after; its Total row ` +
      `prints ${p.ratePQPercent}% and ${p.ratePQHPercent}%.`,
  ];
  for (const e of table.errata)
    lines.push("", `† Printed ${e.printed} in the paper; ${e.why}. Kept as printed (an erratum, not corrected).`);
  return lines.join("\n");
}

/** What we measured for one model's Table 1 row. Errors are fractions; null when not measured. */
export interface MeasuredTable1 {
  readonly model: PaperModel;
  readonly denseError: number | null;
  readonly compressedError: number | null;
  /** 32-bit weights of the compressed layers (the paper's reference basis). */
  readonly paperDenseBytes: number;
  /** The paper's way: codes + indices (fillers included) + codebooks, after Huffman. */
  readonly paperCompressedBytes: number;
  /** Every parameter (biases included) as float32. */
  readonly trueDenseBytes: number;
  /** Every byte of the .dcnpi file. */
  readonly fileBytes: number;
}

/** In the unit the paper prints the figure in (its label ends in KB or MB). */
const size = (bytes: number, like: string) =>
  like.endsWith("MB") ? `${(bytes / 1e6).toFixed(bytes >= 1e8 ? 1 : 2)} MB` : `${(bytes / 1e3).toFixed(1)} KB`;
const err = (fraction: number | null) => (fraction === null ? "not measured" : percent(fraction, 2));

export const TABLE_1_HEADER = [
  "Network",
  "Top-1 error, reference (paper / ours)",
  "Top-1 error, compressed (paper / ours)",
  "Size, reference (paper / ours)",
  "Size, compressed, paper's way (paper / ours)",
  "Compress rate, paper's way (paper / ours)",
  "True bytes: float32 parameters → .dcnpi file",
  "True ratio",
];

export function table1Row(m: MeasuredTable1): string[] {
  const p = PAPER_TABLE_1[m.model];
  return [
    p.network,
    pair(`${p.referenceTop1Percent}%`, err(m.denseError)),
    pair(`${p.compressedTop1Percent}%`, err(m.compressedError)),
    pair(p.referenceLabel, size(m.paperDenseBytes, p.referenceLabel)),
    pair(p.compressedLabel, size(m.paperCompressedBytes, p.compressedLabel)),
    pair(`${p.ratio}x`, `${(m.paperDenseBytes / m.paperCompressedBytes).toFixed(1)}x`),
    `${m.trueDenseBytes.toLocaleString("en-US")} B → ${m.fileBytes.toLocaleString("en-US")} B`,
    `${(m.trueDenseBytes / m.fileBytes).toFixed(1)}x`,
  ];
}

export function table1(rows: readonly MeasuredTable1[]): string {
  return markdownTable(TABLE_1_HEADER, rows.map(table1Row));
}
