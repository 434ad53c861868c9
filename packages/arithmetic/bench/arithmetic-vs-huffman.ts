/**
 * Coded size and decode speed of @dcnpi/arithmetic against @dcnpi/huffman (timed in the same run,
 * interleaved), fixed-width codes and the empirical order-0 entropy, on Deep-Compression-shaped
 * streams: a Laplacian fc layer pruned by magnitude, quantized to 2^bits linearly spaced centroids
 * (code 0 = the filler's exact zero), and its relative-index gaps (gap - 1 in indexBits bits,
 * filler entries when a gap overflows), as in Han et al. 2016 §3 and Figure 5. Each stream is
 * also coded in format version 1 (the sig/unary/Exp-Golomb binarisation, the "before").
 * Arithmetic decoding is timed on both loops (`decoder: "wasm"`, the default in Node, and `"js"`).
 * Times are CPU time (process.cpuUsage, user + system) of one call, minimum over interleaved
 * rounds: on a shared machine wall-clock minima still include time slices lost to other processes.
 *   BENCH_RUNS=5 npx tsx --conditions=@dcnpi/source bench/arithmetic-vs-huffman.ts
 */
import "../src/wasm.js";
import { machineInfo, printTable, recordBenchResult } from "@dcnpi/bench-kit";
import { decodeInto as huffmanDecodeInto, encode as huffmanEncode } from "@dcnpi/huffman";
import { encodeWithVersion } from "../src/arithmetic-stream.js";
import { decodeSymbolsInto, encodeSymbols, encodeSymbolsDetailed, estimateEncodedBytes } from "../src/index.js";
import { seededRandom } from "../src/test-random.js";
import { timeCpuRounds } from "./cpu-rounds.js";

const runs = Number(process.env["BENCH_RUNS"] ?? 9);

function layerStreams(rows: number, cols: number, density: number, bits: number, indexBits: number, seed: number) {
  const random = seededRandom(seed);
  const n = rows * cols;
  const weights = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = random() - 0.5;
    weights[i] = -Math.sign(u) * Math.log(1 - 2 * Math.abs(u)) * 0.01;
  }
  const threshold = Float32Array.from(weights, Math.abs).sort()[Math.floor(n * (1 - density))]!;
  let lo = Infinity;
  let hi = -Infinity;
  for (const w of weights) if (Math.abs(w) >= threshold) [lo, hi] = [Math.min(lo, w), Math.max(hi, w)];
  const step = (hi - lo) / ((1 << bits) - 2);
  const codes: number[] = [];
  const gaps: number[] = [];
  const maxGap = 1 << indexBits;
  let previous = -1;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (Math.abs(w) < threshold) continue;
    for (; i - previous > maxGap; previous += maxGap) {
      codes.push(0);
      gaps.push(maxGap - 1);
    }
    gaps.push(i - previous - 1);
    codes.push(1 + Math.round((w - lo) / step));
    previous = i;
  }
  return { codes: Uint8Array.from(codes), gaps: Uint8Array.from(gaps) };
}

/** Geometric gaps of a very sparse layer and codes dominated by one centroid: where Huffman's 1-bit floor shows. */
function skewedCodes(count: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const tail = () => Math.max(0, Math.min(31, 16 + Math.round(Math.log(random()) * (random() < 0.5 ? 2 : -2))));
  return Uint8Array.from({ length: count }, () => (random() < 0.9 ? 16 : tail()));
}

function entropyBytes(symbols: Uint8Array): number {
  const counts = new Float64Array(256);
  for (const s of symbols) counts[s]!++;
  let bits = 0;
  for (const c of counts) if (c > 0) bits -= c * Math.log2(c / symbols.length);
  return bits / 8;
}

const loadBefore = machineInfo().loadAverage1m;
const fc5 = layerStreams(2048, 1024, 0.09, 5, 5, 1);
const fc8 = layerStreams(2048, 1024, 0.09, 8, 5, 2);
const lenet = layerStreams(784, 300, 0.08, 6, 5, 3); // LeNet-300-100 ip1 shape, 8 % kept, 6-bit codes
const streams: [string, Uint8Array, number][] = [
  ["fc 2048x1024 9%: weight codes 5-bit", fc5.codes, 5],
  ["fc 2048x1024 9%: index gaps 5-bit", fc5.gaps, 5],
  ["fc 2048x1024 9%: weight codes 8-bit", fc8.codes, 8],
  ["lenet ip1 784x300 8%: codes 6-bit", lenet.codes, 6],
  ["lenet ip1 784x300 8%: gaps 5-bit", lenet.gaps, 5],
  ["skewed: 90 % one centroid, 5-bit", skewedCodes(200_000, 4), 5],
];

const rows: Record<string, string | number>[] = [];
const records: Record<string, unknown>[] = [];
for (const [name, symbols, bits] of streams) {
  const alphabetSize = 1 << bits;
  const detailed = encodeSymbolsDetailed(symbols, { alphabetSize });
  const arith = detailed.bytes;
  let at = 1; // version 2's model byte follows the version and three varints
  for (let field = 0; field < 3; field++) while (arith[at++]! & 0x80);
  const modelByte = arith[at]!;
  const model = `r${modelByte & 0x0f}${modelByte & 0x10 ? "+mode" : ""}${modelByte & 0x20 ? " shaped" : ""}`;
  const v1 = encodeWithVersion(symbols, { alphabetSize }, 1).bytes;
  const huff = huffmanEncode(symbols);
  const out = new Uint8Array(symbols.length);
  decodeSymbolsInto(arith, out);
  if (!out.every((v, i) => v === symbols[i])) throw new Error(`${name}: arithmetic round trip failed`);
  decodeSymbolsInto(v1, out);
  if (!out.every((v, i) => v === symbols[i])) throw new Error(`${name}: arithmetic v1 round trip failed`);
  huffmanDecodeInto(huff, out);
  if (!out.every((v, i) => v === symbols[i])) throw new Error(`${name}: huffman round trip failed`);
  const t = timeCpuRounds(
    {
      arithDecode: () => decodeSymbolsInto(arith, out, { decoder: "wasm" }),
      arithDecodeJs: () => decodeSymbolsInto(arith, out, { decoder: "js" }),
      huffDecode: () => huffmanDecodeInto(huff, out),
      v1Decode: () => decodeSymbolsInto(v1, out),
      arithEncode: () => encodeSymbols(symbols, { alphabetSize }),
      arithEstimate: () => estimateEncodedBytes(symbols, { alphabetSize }),
    },
    runs,
    2,
  );
  const mb = symbols.length / 1e6;
  const entropy = entropyBytes(symbols);
  const row = {
    stream: name,
    symbols: symbols.length,
    "fixed B": Math.ceil((symbols.length * bits) / 8),
    "entropy B": Math.ceil(entropy),
    "huffman B": huff.length,
    "v1 B": v1.length,
    "arith B": arith.length,
    "v2 model": model,
    "arith/entropy": arith.length / entropy,
    "arith/huffman": arith.length / huff.length,
    "arith bits/sym": (arith.length * 8) / symbols.length,
    "dec MB/s arith wasm": mb / (t.arithDecode.minMs / 1000),
    "dec MB/s arith js": mb / (t.arithDecodeJs.minMs / 1000),
    "wasm/js": t.arithDecodeJs.minMs / t.arithDecode.minMs,
    "dec MB/s huffman": mb / (t.huffDecode.minMs / 1000),
    "dec arith/huffman": t.huffDecode.minMs / t.arithDecode.minMs,
    "dec MB/s v1": mb / (t.v1Decode.minMs / 1000),
    "enc MB/s arith": mb / (t.arithEncode.minMs / 1000),
    "estimate MB/s": mb / (t.arithEstimate.minMs / 1000),
  };
  rows.push(row);
  records.push({ ...row, timings: t });
}
const loadAfter = machineInfo().loadAverage1m;
printTable(
  `arithmetic vs huffman (B = bytes incl. headers; MB/s = million symbols/s of CPU time, min of ${runs} interleaved rounds; ` +
    `node ${process.version}; load avg 1m ${loadBefore.toFixed(2)} -> ${loadAfter.toFixed(2)})`,
  rows,
);
console.log("target: dec MB/s arith >= 30 (the wasm loop is the default where WebAssembly exists)");
console.log(`wrote ${recordBenchResult("arithmetic-vs-huffman", { runs, rows: records })}`);
