/**
 * Class-coded streams against plain ones, timed in the same run: sizes and decode speed of a pruned
 * layer's weight codes and gaps coded (a) plain (the encoder's own choice of rate, conditioning and
 * tree) and (b) class-coded with the classes `@dcnpi/sparse-format` defines for `"arithmetic-context"`
 * streams (codes: gap is the largest x previous centroid's sign; gaps: previous gap's bucket).
 * The layer has LeNet-300-100's ip1 shape as stored ([300, 784], one row per hidden unit over the
 * 28 x 28 input), magnitude-pruned to 8 %, with the input's border pixels (outside the central
 * 20 x 20) pruned away entirely as MNIST's always-blank pixels are: runs of fillers, as in the real file.
 * CPU time (process.cpuUsage), minimum over interleaved rounds.
 *   BENCH_RUNS=15 npx tsx --conditions=@dcnpi/source bench/context-classes.ts
 */
import { machineInfo, printTable, recordBenchResult } from "@dcnpi/bench-kit";
import { decodeSymbolsInto, encodeSymbolsDetailed, type ContextClasses } from "../src/index.js";
import { seededRandom } from "../src/test-random.js";
import { timeCpuRounds } from "./cpu-rounds.js";

const runs = Number(process.env["BENCH_RUNS"] ?? 9);

function lenetLikeLayer(weightBits: number, indexBits: number, seed: number) {
  const random = seededRandom(seed);
  const rows = 300;
  const cols = 784;
  const n = rows * cols;
  const weights = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const pixel = i % cols;
    const [y, x] = [Math.floor(pixel / 28), pixel % 28];
    if (y < 4 || y >= 24 || x < 4 || x >= 24) continue; // never-inked pixels: their weights are pruned away
    const u = random() - 0.5;
    weights[i] = -Math.sign(u) * Math.log(1 - 2 * Math.abs(u)) * 0.01;
  }
  const threshold = Float32Array.from(weights, Math.abs).sort()[Math.floor(n * (1 - 0.08))]!;
  const centroids = (1 << weightBits) - 1;
  let lo = Infinity;
  let hi = -Infinity;
  for (const w of weights) if (w !== 0 && Math.abs(w) >= threshold) [lo, hi] = [Math.min(lo, w), Math.max(hi, w)];
  const codebook = Float32Array.from({ length: centroids + 1 }, (_, c) => (c === 0 ? 0 : lo + ((hi - lo) * (c - 1)) / (centroids - 1)));
  const codes: number[] = [];
  const gaps: number[] = [];
  const maxGap = 1 << indexBits;
  let previous = -1;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (w === 0 || Math.abs(w) < threshold) continue;
    for (; i - previous > maxGap; previous += maxGap) {
      codes.push(0);
      gaps.push(maxGap - 1);
    }
    gaps.push(i - previous - 1);
    codes.push(1 + Math.round(((w - lo) / (hi - lo)) * (centroids - 1)));
    previous = i;
  }
  return { codes: Uint8Array.from(codes), gaps: Uint8Array.from(gaps), codebook };
}

const loadBefore = machineInfo().loadAverage1m;
const layer = lenetLikeLayer(6, 5, 3);
const maxGap = 32;
const codeClasses: ContextClasses = {
  sideClasses: 2,
  side: Uint8Array.from(layer.gaps, (g) => (g === maxGap - 1 ? 1 : 0)),
  previousClasses: 3,
  previousMap: Uint8Array.from({ length: 64 }, (_, c) =>
    c >= layer.codebook.length || layer.codebook[c] === 0 ? 0 : layer.codebook[c]! < 0 ? 1 : 2,
  ),
};
const gapClasses: ContextClasses = {
  sideClasses: 1,
  previousClasses: 4,
  previousMap: Uint8Array.from({ length: maxGap }, (_, v) => (v === maxGap - 1 ? 3 : v <= 1 ? 0 : v <= 7 ? 1 : 2)),
};
const streams: [string, Uint8Array, number, ContextClasses][] = [
  ["lenet-like ip1: codes 6-bit", layer.codes, 64, codeClasses],
  ["lenet-like ip1: gaps 5-bit", layer.gaps, 32, gapClasses],
];

function modelName(bytes: Uint8Array): string {
  let at = 1;
  for (let field = 0; field < 3; field++) while (bytes[at++]! & 0x80);
  const m = bytes[at]!;
  const classes = m & 0x40 ? ` classed ${(bytes[at + 1]! >> 4) + 1}x${(bytes[at + 1]! & 15) + 1}` : "";
  return `r${m & 0x0f}${m & 0x10 ? "+mode" : ""}${m & 0x20 ? " shaped" : ""}${classes}`;
}

const rows: Record<string, string | number>[] = [];
const records: Record<string, unknown>[] = [];
for (const [name, symbols, alphabetSize, classes] of streams) {
  const plain = encodeSymbolsDetailed(symbols, { alphabetSize }).bytes;
  const classed = encodeSymbolsDetailed(symbols, { alphabetSize, classes }).bytes;
  const out = new Uint8Array(symbols.length);
  decodeSymbolsInto(classed, out, { classes });
  if (!out.every((v, i) => v === symbols[i])) throw new Error(`${name}: class-coded round trip failed`);
  const t = timeCpuRounds(
    {
      plain: () => decodeSymbolsInto(plain, out),
      classed: () => decodeSymbolsInto(classed, out, { classes }),
    },
    runs,
    3,
  );
  const mb = symbols.length / 1e6;
  const row = {
    stream: name,
    symbols: symbols.length,
    "plain B": plain.length,
    "plain model": modelName(plain),
    "classed B": classed.length,
    "classed model": modelName(classed),
    "classed/plain size": classed.length / plain.length,
    "dec MB/s plain": mb / (t.plain.minMs / 1000),
    "dec MB/s classed": mb / (t.classed.minMs / 1000),
    "classed/plain speed": t.plain.minMs / t.classed.minMs,
  };
  rows.push(row);
  records.push({ ...row, timings: t });
}
printTable(
  `class-coded vs plain arithmetic streams (MB/s = million symbols/s of CPU time, min of ${runs} interleaved rounds; node ${process.version}; ` +
    `load avg 1m ${loadBefore.toFixed(2)} -> ${machineInfo().loadAverage1m.toFixed(2)})`,
  rows,
);
console.log(`wrote ${recordBenchResult("context-classes", { runs, rows: records })}`);
