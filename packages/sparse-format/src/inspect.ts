import { memorySource, type ByteSource } from "./byte-source.js";
import { PREAMBLE_BYTES, TRAILER_BYTES } from "./container-constants.js";
import type { EntryRecord } from "./container-schema.js";
import { ContainerReader, type ReadOptions } from "./container-reader.js";
import { entrySections } from "./container-validate.js";
import { accountLayer, type LayerAccounting } from "./layer-codec.js";

/** One entry of a container, sized both ways. */
export interface InspectionRow {
  readonly name: string;
  readonly kind: EntryRecord["kind"];
  readonly shape: readonly number[];
  readonly elementCount: number;
  /** Bytes of this entry's sections in the file (true size). */
  readonly fileBytes: number;
  /** Paper-style size (compressed layers only; null for dense tensors, which the paper leaves out). */
  readonly paper: LayerAccounting | null;
}

export interface ContainerInspection {
  readonly fileBytes: number;
  readonly rows: readonly InspectionRow[];
  /** File bytes that belong to no entry: preamble, header (JSON or binary: `headerForm`), trailer. */
  readonly overhead: {
    readonly preambleBytes: number;
    readonly headerBytes: number;
    readonly headerForm: "json" | "binary";
    readonly trailerBytes: number;
  };
  /** Paper-style totals over the compressed layers (weights only, as DC's tables). */
  readonly paper: {
    readonly layers: number;
    readonly elementCount: number;
    readonly denseBits: number;
    readonly totalBits: number;
    /** totalBits / denseBits. */
    readonly rate: number;
    /** denseBits / totalBits (the "35x"). */
    readonly compressionRatio: number;
  };
  /** The honest figure: every element of every entry as float32, against the whole file. */
  readonly onDisk: {
    readonly elementCount: number;
    readonly denseBytes: number;
    readonly fileBytes: number;
    readonly compressionRatio: number;
  };
}

/** Sizes every entry of an open container from its header (nothing is decoded). */
export function inspectReader(reader: ContainerReader): ContainerInspection {
  const rows: InspectionRow[] = [];
  let paperDenseBits = 0;
  let paperBits = 0;
  let paperElements = 0;
  let paperLayers = 0;
  let allElements = 0;
  for (const entry of reader.entries) {
    const elementCount = entry.shape.reduce((a, b) => a * b, 1);
    allElements += elementCount;
    const fileBytes = entrySections(entry).reduce((sum, s) => sum + s.section.length, 0);
    let paper: LayerAccounting | null = null;
    if (entry.kind !== "dense") {
      const w = entry.sections.weights;
      paper = accountLayer({
        elementCount,
        nonzeroCount: entry.kind === "sparse" ? entry.nonzeroCount : elementCount,
        fillerCount: entry.kind === "sparse" ? entry.fillerCount : 0,
        weightBits: entry.weightBits,
        codebookSize: entry.codebookSize,
        codebookByteLength: entry.sections.codebook.length,
        weights: { payloadBits: w.payloadBits, byteLength: w.length },
        indices:
          entry.kind === "sparse" ? { payloadBits: entry.sections.indices.payloadBits, byteLength: entry.sections.indices.length } : null,
      });
      paperLayers++;
      paperElements += elementCount;
      paperDenseBits += paper.denseBits;
      paperBits += paper.paperTotalBits;
    }
    rows.push({ name: entry.name, kind: entry.kind, shape: entry.shape, elementCount, fileBytes, paper });
  }
  return {
    fileBytes: reader.fileBytes,
    rows,
    overhead: {
      preambleBytes: PREAMBLE_BYTES,
      headerBytes: reader.headerBytes,
      headerForm: reader.headerForm,
      trailerBytes: TRAILER_BYTES,
    },
    paper: {
      layers: paperLayers,
      elementCount: paperElements,
      denseBits: paperDenseBits,
      totalBits: paperBits,
      rate: paperDenseBits === 0 ? 0 : paperBits / paperDenseBits,
      compressionRatio: paperBits === 0 ? 0 : paperDenseBits / paperBits,
    },
    onDisk: {
      elementCount: allElements,
      denseBytes: allElements * 4,
      fileBytes: reader.fileBytes,
      compressionRatio: reader.fileBytes === 0 ? 0 : (allElements * 4) / reader.fileBytes,
    },
  };
}

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** The header's overhead row: `(JSON header)` or `(binary header)`. */
function headerLabel(inspection: ContainerInspection): string {
  return inspection.overhead.headerForm === "binary" ? "(binary header)" : "(JSON header)";
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** A plain-text report: per entry, paper-style bits and true bytes; the overhead rows; both totals. */
export function formatInspection(inspection: ContainerInspection): string {
  const header = ["entry", "kind", "shape", "weights", "kept", "fillers", "w bits", "i bits", "paper bytes", "paper rate", "file bytes"];
  const cells: string[][] = [header];
  for (const row of inspection.rows) {
    const p = row.paper;
    cells.push([
      row.name,
      row.kind,
      `[${row.shape.join(",")}]`,
      String(row.elementCount),
      p === null || row.kind !== "sparse" ? "" : pct(p.nonzeroCount / Math.max(1, p.elementCount)),
      p === null || row.kind !== "sparse" ? "" : String(p.fillerCount),
      p === null ? "" : p.averageWeightBits.toFixed(2),
      p === null || row.kind !== "sparse" ? "" : p.averageIndexBits.toFixed(2),
      p === null ? "" : (p.paperTotalBits / 8).toFixed(1),
      p === null ? "" : pct(p.paperRate),
      String(row.fileBytes),
    ]);
  }
  const blank = (label: string, bytes: number) => [label, "overhead", "", "", "", "", "", "", "", "", String(bytes)];
  cells.push(blank("(preamble)", inspection.overhead.preambleBytes));
  cells.push(blank(headerLabel(inspection), inspection.overhead.headerBytes));
  cells.push(blank("(trailer)", inspection.overhead.trailerBytes));
  const entryBytes = inspection.rows.reduce((s, r) => s + r.fileBytes, 0);
  const overheadBytes = inspection.overhead.preambleBytes + inspection.overhead.headerBytes + inspection.overhead.trailerBytes;
  const p = inspection.paper;
  cells.push([
    "total",
    "",
    "",
    String(inspection.onDisk.elementCount),
    "",
    "",
    "",
    "",
    (p.totalBits / 8).toFixed(1),
    pct(p.rate),
    String(entryBytes + overheadBytes),
  ]);
  const adds = entryBytes + overheadBytes === inspection.fileBytes;
  return [
    pad(cells),
    "",
    `paper-style (compressed layers' weights only; codes + index gaps incl. fillers + 2^b x 32-bit ` +
      `codebook): ${(p.totalBits / 8).toFixed(1)} bytes for ${p.elementCount} weights = ${pct(p.rate)} ` +
      `of 32-bit dense (${p.compressionRatio.toFixed(1)}x)`,
    `on disk (everything: header, Huffman tables, CRCs, dense tensors): ${inspection.fileBytes} ` +
      `bytes for ${inspection.onDisk.elementCount} values; as float32 they take ${inspection.onDisk.denseBytes} ` +
      `bytes (${inspection.onDisk.compressionRatio.toFixed(1)}x)`,
    `entries ${entryBytes} + overhead ${overheadBytes} = ${entryBytes + overheadBytes} bytes; file ` +
      `is ${inspection.fileBytes} bytes: ${adds ? "adds up" : "DOES NOT ADD UP"}`,
  ].join("\n");
}

export interface InspectOptions extends ReadOptions {
  /** Where to print the report (e.g. console.log); nothing is printed when absent. */
  readonly log?: (text: string) => void;
}

/** Inspects an open source, then closes it (also on failure). */
export async function inspectSource(source: ByteSource, options: InspectOptions): Promise<ContainerInspection> {
  try {
    const reader = await ContainerReader.open(source, options);
    const inspection = inspectReader(reader);
    options.log?.(formatInspection(inspection));
    return inspection;
  } finally {
    await source.close();
  }
}

/** `inspectContainer` for a container in memory. */
export async function inspectContainerBytes(bytes: Uint8Array, options: InspectOptions = {}): Promise<ContainerInspection> {
  return inspectSource(memorySource(bytes), options);
}
