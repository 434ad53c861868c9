// Mask computation on an AlexNet fc6-sized layer (9216 x 4096 = 37.7M weights) and on a 1M layer.
// Run: npx tsx --conditions=@dcnpi/source bench/pruning.bench.ts   (pure JavaScript; no tfjs backend involved)
import { loadavg } from "node:os";
import { machineInfo, printTable, recordBenchResult, time } from "@dcnpi/bench-kit";
import { Rng, WeightMap } from "@dcnpi/tensor";
import { computeGlobalMasks, computeMask } from "../src/compute-mask.js";

/** Trained fc weights are roughly normal with heavier tails: a 90/10 mix of two normals. */
function fcWeights(n: number, seed: string): Float32Array {
  const rng = Rng.fromSeed(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal(0, rng.float() < 0.9 ? 0.004 : 0.012);
  return out;
}

const rows: Record<string, string | number>[] = [];
const results: Record<string, unknown>[] = [];
const loadBefore = loadavg()[0]!;

for (const [label, n, runs] of [
  ["fc6 9216x4096", 9216 * 4096, 3],
  ["1M", 1 << 20, 7],
] as const) {
  const values = fcWeights(n, label);
  const baseline = await time(() => Math.abs(values[0]!) + new Float32Array(values.map(Math.abs)).sort()[0]!, {
    runs: label === "1M" ? 3 : 1,
    warmup: 0,
  });
  const keep9 = await time(() => computeMask(values, { keepFraction: 0.09 }), { runs });
  const quality = await time(() => computeMask(values, { quality: 1.7 }), { runs });
  const first = computeMask(values, { keepFraction: 0.3 }).mask;
  const composed = await time(() => computeMask(values, { keepFraction: 0.09 }, { previousMask: first }), { runs });
  const half = n / 2;
  const map = new WeightMap()
    .add("a", { dtype: "float32", shape: [half], data: values.subarray(0, half) })
    .add("b", { dtype: "float32", shape: [half], data: values.subarray(half) });
  const global = await time(() => computeGlobalMasks(map, { keepFraction: 0.09 }, { names: ["a", "b"] }), { runs });
  for (const [what, t] of [
    ["full sort of |w| (baseline)", baseline],
    ["keepFraction 0.09 (exact count)", keep9],
    ["quality 1.7 x std", quality],
    ["keepFraction 0.09 after a 30% mask", composed],
    ["global keepFraction 0.09 over 2 halves", global],
  ] as const) {
    rows.push({
      layer: label,
      weights: n,
      what,
      "min s": t.minMs / 1000,
      "median s": t.medianMs / 1000,
      "vs sort": t.minMs / baseline.minMs,
    });
    results.push({
      layer: label,
      weights: n,
      what,
      minMs: t.minMs,
      medianMs: t.medianMs,
      runsMs: t.runsMs,
      ratioToSort: t.minMs / baseline.minMs,
    });
  }
}

const loadAfter = loadavg()[0]!;
printTable(`pruning masks (pure JS, node ${process.version}; load average ${loadBefore.toFixed(2)} -> ${loadAfter.toFixed(2)})`, rows);
const file = recordBenchResult("pruning", {
  backend: "none (typed arrays)",
  loadAverageBefore: loadBefore,
  loadAverageAfter: loadAfter,
  results,
  machine: machineInfo(),
});
console.log(`\nwritten ${file}`);
