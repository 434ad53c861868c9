/**
 * What format version 2 (issue 17) does to a real `.dcnpi` file: the file re-encoded four ways
 * (version 1 as written by the paper-faithful pipeline; version 2 with Huffman + JSON header, with
 * the arithmetic coder (`coder: "best"`), with the binary header, with both), its whole-file size,
 * ratio against float32, header share and the header split into entries and metadata; then, per
 * code and gap stream, bytes and decode speed of fixed width, Huffman, arithmetic and context-coded
 * arithmetic coding (the `"arithmetic-context"` streams, with the format's classes), each arithmetic
 * stream decoded by both of `@dcnpi/arithmetic`'s loops (JavaScript and WebAssembly), plus a synthetic
 * 8-bit stream, all timed in the same run (CPU time, minimum of interleaved rounds), and the whole-file
 * decode time.
 *   npx tsx --conditions=@dcnpi/source bench/format-v2.ts <file.dcnpi> [more.dcnpi ...]
 * (e.g. the repro's results/dc-lenet-300-100-quick-seed1/lenet-300-100.dcnpi)
 */
import "@dcnpi/arithmetic/wasm";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { decodeSymbolsInto, encodeSymbols, type ContextClasses } from "@dcnpi/arithmetic";
import { machineInfo, printTable, recordBenchResult } from "@dcnpi/bench-kit";
import { decodeInto as huffmanDecodeInto, encode as huffmanEncode } from "@dcnpi/huffman";
import { packBits, unpackBits } from "../src/bit-packing.js";
import { encodeBinaryHeader } from "../src/binary-header-writer.js";
import {
  inspectContainerBytes,
  openContainerBytes,
  parseContainer,
  serializeContainer,
  toLayerInput,
  gapStreamClasses,
  weightStreamClasses,
  type ContainerFormat,
} from "../src/index.js";
import { encodeLayer, type LayerCoder } from "../src/layer-codec.js";

const runs = Number(process.env["BENCH_RUNS"] ?? 9);
const paths = process.argv.slice(2);
if (paths.length === 0) throw new Error("usage: bench/format-v2.ts <file.dcnpi> [...]");

/** Minimum CPU microseconds of one call of `fn` over `runs` rounds of `repeat` calls. */
function cpuMicros(fn: () => void, repeat: number): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const start = process.cpuUsage();
    for (let k = 0; k < repeat; k++) fn();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / repeat);
  }
  return best;
}

/** The same for an async call (a whole-file parse). */
async function cpuMicrosAsync(fn: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    best = Math.min(best, used.user + used.system);
  }
  return best;
}

/** A seeded discretised Laplacian (mulberry32), as `laplacianCodes` in the arithmetic package's test helpers. */
function laplacianCodes(count: number, alphabetSize: number, center: number, spread: number, seed: number): Uint16Array {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return Uint16Array.from({ length: count }, () => {
    const u = random() - 0.5;
    const x = -Math.sign(u) * Math.log(1 - 2 * Math.abs(u)) * spread;
    return Math.max(0, Math.min(alphabetSize - 1, Math.round(center + x)));
  });
}

/**
 * One stream's sizes and decode speeds: fixed width, Huffman, and the arithmetic coder plain and (given
 * the format's classes) context-coded, each arithmetic stream by the JavaScript and the WebAssembly loop
 * (`DecodeOptions.decoder`), all interleaved in the same rounds.
 */
function timeStream(
  label: string,
  symbols: Uint16Array,
  bits: number,
  classes?: ContextClasses,
  fixedBytes: Uint8Array = packBits(symbols, bits, label),
): Record<string, string | number> {
  const huffman = huffmanEncode(symbols, { alphabetSize: 2 ** bits });
  const arithmetic = encodeSymbols(symbols);
  const context = classes === undefined ? undefined : encodeSymbols(symbols, { classes });
  const out = new Uint16Array(symbols.length);
  const repeat = Math.max(1, Math.round(200_000 / Math.max(1, symbols.length)));
  const fns: Record<string, () => void> = {
    fixed: () => unpackBits(fixedBytes, bits, symbols.length, out, label),
    huffman: () => huffmanDecodeInto(huffman, out),
    arithJs: () => decodeSymbolsInto(arithmetic, out, { decoder: "js" }),
    arithWasm: () => decodeSymbolsInto(arithmetic, out, { decoder: "wasm" }),
  };
  if (context !== undefined) {
    fns["contextJs"] = () => decodeSymbolsInto(context, out, { classes, decoder: "js" });
    fns["contextWasm"] = () => decodeSymbolsInto(context, out, { classes, decoder: "wasm" });
  }
  const us: Record<string, number> = {};
  // Interleaved rounds: a load spike hits every decoder alike.
  for (let round = 0; round < 3; round++)
    for (const [key, fn] of Object.entries(fns)) us[key] = Math.min(us[key] ?? Infinity, cpuMicros(fn, repeat));
  const mbps = (micros: number | undefined) => (micros === undefined ? "" : (symbols.length / micros).toFixed(1));
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? "" : (a / b).toFixed(2));
  return {
    stream: label,
    symbols: symbols.length,
    "fixed B": fixedBytes.length,
    "Huffman B": huffman.length,
    "arith B": arithmetic.length,
    "arith/Huffman": (arithmetic.length / huffman.length).toFixed(3),
    "context B": context?.length ?? "",
    "context/arith": context === undefined ? "" : (context.length / arithmetic.length).toFixed(3),
    "MB/s fixed": mbps(us["fixed"]),
    "MB/s Huffman": mbps(us["huffman"]),
    "arith MB/s js": mbps(us["arithJs"]),
    "arith MB/s wasm": mbps(us["arithWasm"]),
    "arith wasm/js": ratio(us["arithJs"], us["arithWasm"]),
    "arith wasm/Huffman": ratio(us["huffman"], us["arithWasm"]),
    "context MB/s js": mbps(us["contextJs"]),
    "context MB/s wasm": mbps(us["contextWasm"]),
    "context wasm/js": ratio(us["contextJs"], us["contextWasm"]),
    "context wasm/Huffman": ratio(us["huffman"], us["contextWasm"]),
  };
}

const variants: { label: string; coder: LayerCoder; format: ContainerFormat }[] = [
  { label: "v2 Huffman, JSON", coder: "huffman", format: { version: 2, header: "json" } },
  { label: "v2 arithmetic (best), JSON", coder: "best", format: { version: 2, header: "json" } },
  { label: "v2 Huffman, binary", coder: "huffman", format: { version: 2, header: "binary" } },
  { label: "v2 arithmetic (best), binary", coder: "best", format: { version: 2, header: "binary" } },
];

const fileRows: Record<string, string | number>[] = [];
const streamRows: Record<string, string | number>[] = [];
const loadBefore = machineInfo().loadAverage1m;
for (const path of paths) {
  const original = new Uint8Array(readFileSync(path));
  const contents = await parseContainer(original);
  const denseTensors = contents.denseTensors.map((d) => ({ name: d.name, shape: d.shape, data: d.data, info: d.info }));
  const files: { label: string; bytes: Uint8Array }[] = [{ label: "as read (v1: Huffman, JSON)", bytes: original }];
  for (const v of variants) {
    const layers = contents.layers.map((l) => encodeLayer({ ...toLayerInput(l), coder: v.coder, formatVersion: 2 }));
    files.push({ label: v.label, bytes: serializeContainer({ layers, denseTensors, metadata: contents.metadata, format: v.format }) });
  }
  // The binary header split: the same header with no metadata is the "entries" part.
  const noMetadata = (await inspectContainerBytes(files[4]!.bytes)).overhead.headerBytes;
  for (const f of files) {
    const inspection = await inspectContainerBytes(f.bytes);
    const decodeUs = await cpuMicrosAsync(() => parseContainer(f.bytes));
    const overhead = inspection.overhead.preambleBytes + inspection.overhead.headerBytes + inspection.overhead.trailerBytes;
    fileRows.push({
      file: basename(path),
      variant: f.label,
      bytes: f.bytes.length,
      "ratio vs float32": inspection.onDisk.compressionRatio.toFixed(2),
      "header B": inspection.overhead.headerBytes,
      "preamble+header+trailer": `${((100 * overhead) / f.bytes.length).toFixed(2)} %`,
      "parse ms (CPU)": (decodeUs / 1000).toFixed(1),
    });
  }
  const entriesOnly = encodeBinaryHeader({
    format: "dcnpi",
    version: 2,
    entries: [...(await openContainerBytes(files[4]!.bytes)).entries],
    metadata: null,
  }).length;
  fileRows.push({
    file: basename(path),
    variant: `binary header split: entries ${entriesOnly} B, metadata ${noMetadata - entriesOnly} B`,
    bytes: "",
    "ratio vs float32": "",
    "header B": noMetadata,
    "preamble+header+trailer": `${((100 * (32 + entriesOnly)) / files[4]!.bytes.length).toFixed(2)} % without metadata`,
    "parse ms (CPU)": "",
  });

  for (const layer of contents.layers) {
    const fixed = encodeLayer({ ...toLayerInput(layer), formatVersion: 2, huffman: { weights: false, indices: false } });
    const gaps =
      fixed.indices === null
        ? undefined
        : unpackBits(fixed.indices.bytes, layer.indexBits!, fixed.indices.symbolCount, new Uint16Array(fixed.indices.symbolCount), "gaps");
    const streams: { what: string; stream: typeof fixed.weights; bits: number; classes: ContextClasses }[] = [
      {
        what: "codes",
        stream: fixed.weights,
        bits: layer.weightBits,
        classes: weightStreamClasses(layer.codebook, layer.weightBits, gaps, layer.indexBits ?? undefined),
      },
    ];
    if (fixed.indices !== null)
      streams.push({ what: "gaps", stream: fixed.indices, bits: layer.indexBits!, classes: gapStreamClasses(layer.indexBits!) });
    for (const { what, stream, bits, classes } of streams) {
      const symbols = unpackBits(stream.bytes, bits, stream.symbolCount, new Uint16Array(stream.symbolCount), what);
      streamRows.push(timeStream(`${basename(path)} ${layer.name} ${what} (${bits}-bit)`, symbols, bits, classes, stream.bytes));
    }
  }
}
// The synthetic 8-bit stream of the arithmetic package's benches (a Laplacian around code 128, scale 12: ~5.7 bits a
// symbol), where the decode loop does the most bins a symbol; no format classes apply to it.
streamRows.push(timeStream("synthetic Laplacian codes (8-bit)", laplacianCodes(200_000, 256, 128, 12, 11), 8));
const loadAfter = machineInfo().loadAverage1m;
printTable("Whole files", fileRows);
printTable(`Streams (MB/s = million decoded symbols per CPU second; load ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)})`, streamRows);
console.log(`wrote ${recordBenchResult("format-v2", { runs, files: fileRows, streams: streamRows })}`);
