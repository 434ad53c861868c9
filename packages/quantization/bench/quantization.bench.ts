// 1-D k-means weight sharing on an AlexNet fc6-sized layer (9216 x 4096 = 37.7M weights, 9% kept,
// 5 bits: 31 centroids + the pruned zero) with each initialisation, and on a dense 1M layer.
// Run: npx tsx --conditions=@dcnpi/source bench/quantization.bench.ts   (pure JavaScript)
import { loadavg } from "node:os";
import { machineInfo, printTable, recordBenchResult, time } from "@dcnpi/bench-kit";
import { Rng } from "@dcnpi/tensor";
import type { CentroidInit } from "../src/centroid-init.js";
import { quantizeWeights } from "../src/quantize.js";
import { sortFloat32 } from "../src/sort-float32.js";

function fcWeights(n: number, seed: string): Float32Array {
  const rng = Rng.fromSeed(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal(0, rng.float() < 0.9 ? 0.004 : 0.012);
  return out;
}

/** Keeps the `keep` largest magnitudes (as pruning would), by a threshold from a sorted copy. */
function magnitudeMask(values: Float32Array, keep: number): Uint8Array {
  const sorted = values.map(Math.abs).sort();
  const threshold = sorted[values.length - Math.round(keep * values.length)]!;
  return values.reduce((mask, v, i) => ((mask[i] = Math.abs(v) >= threshold ? 1 : 0), mask), new Uint8Array(values.length));
}

const inits: CentroidInit[] = ["linear", "density", "random", "kmeans++"];
const rows: Record<string, string | number>[] = [];
const results: Record<string, unknown>[] = [];
const loadBefore = loadavg()[0]!;

for (const [label, n, keep, bits, runs] of [
  ["fc6 9216x4096, 9% kept", 9216 * 4096, 0.09, 5, 3],
  ["1M dense", 1 << 20, 1, 5, 5],
  ["fc6 9216x4096 dense", 9216 * 4096, 1, 5, 1],
] as const) {
  const values = fcWeights(n, label);
  const mask = keep < 1 ? magnitudeMask(values, keep) : undefined;
  const survivors = mask === undefined ? values : values.filter((_, i) => mask[i] === 1);
  const baseline = await time(() => survivors.slice().sort(), { runs: 1, warmup: 0 });
  const radix = await time(() => sortFloat32(survivors), { runs });
  rows.push({
    layer: label,
    clustered: survivors.length,
    what: "built-in sort of the clustered weights (baseline)",
    "min s": baseline.minMs / 1000,
    "vs sort": 1,
    iterations: "",
  });
  rows.push({
    layer: label,
    clustered: survivors.length,
    what: "radix sort (inside k-means)",
    "min s": radix.minMs / 1000,
    "vs sort": radix.minMs / baseline.minMs,
    iterations: "",
  });
  for (const init of label.endsWith("dense") && n > 2e7 ? (["linear"] as const) : inits) {
    let iterations = 0;
    const t = await time(
      () => {
        const q = quantizeWeights(values, { bits, init, mask, rng: Rng.fromSeed("bench") });
        iterations = q.report.iterations;
      },
      { runs, warmup: n > 2e7 ? 0 : 1 },
    );
    rows.push({
      layer: label,
      clustered: survivors.length,
      what: `k-means ${init}, ${bits} bits, to convergence`,
      "min s": t.minMs / 1000,
      "vs sort": t.minMs / baseline.minMs,
      iterations,
    });
    results.push({
      layer: label,
      weights: n,
      clustered: survivors.length,
      init,
      bits,
      iterations,
      minMs: t.minMs,
      medianMs: t.medianMs,
      runsMs: t.runsMs,
      ratioToBuiltinSort: t.minMs / baseline.minMs,
    });
  }
}

const loadAfter = loadavg()[0]!;
printTable(
  `k-means weight sharing (pure JS, node ${process.version}; load average ${loadBefore.toFixed(2)} -> ${loadAfter.toFixed(2)})`,
  rows,
);
const file = recordBenchResult("quantization", {
  backend: "none (typed arrays)",
  loadAverageBefore: loadBefore,
  loadAverageAfter: loadAfter,
  results,
  machine: machineInfo(),
});
console.log(`\nwritten ${file}`);
