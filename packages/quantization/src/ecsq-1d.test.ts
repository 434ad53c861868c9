import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { ecsq1d, histogramEntropyBits } from "./ecsq-1d.js";
import { lloyd1d } from "./kmeans-1d.js";
import { dequantize, quantizeWeights } from "./quantize.js";
import { sortFloat32 } from "./sort-float32.js";

/** Surviving weights of a pruned layer: two lobes away from zero with heavy tails (Laplace). */
function prunedLike(seed: string, n: number): Float32Array {
  const rng = Rng.fromSeed(seed);
  return new Float32Array(n).map(() => {
    const sign = rng.float() < 0.5 ? -1 : 1;
    return sign * (0.04 - 0.02 * Math.log(1 - rng.float()));
  });
}

function codeEntropy(codes: Uint8Array | Uint16Array, mask: Uint8Array | undefined, size: number): number {
  const counts = new Float64Array(size);
  codes.forEach((c, i) => {
    if (mask === undefined || mask[i] === 1) counts[c]!++;
  });
  return histogramEntropyBits(counts);
}

describe("entropy-constrained scalar quantization (Choi et al., ICLR 2017)", () => {
  it("is Lloyd's k-means when λ = 0", () => {
    const values = prunedLike("ecsq-lloyd", 5000);
    const start = Float64Array.from({ length: 8 }, (_, j) => -0.2 + (0.4 * j) / 7);
    const ecsq = ecsq1d(values, start, { lambda: 0, maxIterations: 1000 });
    const lloyd = lloyd1d(sortFloat32(values), start, { maxIterations: 1000, emptyClusters: "keep" });
    expect(ecsq.converged).toBe(true);
    for (let j = 0; j < 8; j++) expect(ecsq.centroids[j]).toBeCloseTo(lloyd.centroids[j]!, 12);
  });

  it("ends at a fixed point of its own cost: every value in its cheapest cluster, every centroid its members' mean", () => {
    const values = prunedLike("ecsq-fixed", 4000);
    const start = Float64Array.from({ length: 15 }, (_, j) => -0.3 + (0.6 * j) / 14);
    const lambda = 0.5 * 0.01;
    const r = ecsq1d(values, start, { lambda, maxIterations: 10_000 });
    expect(r.converged).toBe(true);
    const m = values.length;
    let cheaperElsewhere = 0;
    values.forEach((v, i) => {
      const cost = (j: number) => (v - r.centroids[j]!) ** 2 + (r.counts[j]! > 0 ? -Math.log2(r.counts[j]! / m) * lambda : Infinity);
      const own = cost(r.assignment[i]!);
      for (let j = 0; j < 15; j++) if (cost(j) < own - 1e-15) cheaperElsewhere++;
    });
    expect(cheaperElsewhere).toBe(0);
    expect(r.counts.filter((c) => c === 0).length).toBeGreaterThan(0);
    const sums = new Float64Array(15);
    values.forEach((v, i) => (sums[r.assignment[i]!]! += v));
    for (let j = 0; j < 15; j++) if (r.counts[j]! > 0) expect(r.centroids[j]).toBeCloseTo(sums[j]! / r.counts[j]!, 12);
  });

  it("trades squared error for entropy as λ grows", () => {
    const values = prunedLike("ecsq-trade", 6000);
    const start = Float64Array.from({ length: 15 }, (_, j) => -0.3 + (0.6 * j) / 14);
    let previous = { entropyBits: Infinity, squaredError: -Infinity };
    for (const lambda of [0, 1e-4, 1e-3, 4e-3]) {
      const r = ecsq1d(values, start, { lambda, maxIterations: 10_000 });
      expect(r.entropyBits).toBeLessThan(previous.entropyBits);
      expect(r.squaredError).toBeGreaterThan(previous.squaredError);
      previous = r;
    }
  });

  it("quantizeWeights with entropyWeight lowers the survivors' code entropy and keeps the codebook convention", () => {
    const rng = Rng.fromSeed("ecsq-mask");
    const values = prunedLike("ecsq-weights", 8000);
    const mask = Uint8Array.from(values, () => (rng.float() < 0.3 ? 1 : 0));
    const plain = quantizeWeights(values, { bits: 4, mask });
    const ecsq = quantizeWeights(values, { bits: 4, mask, entropyWeight: 0.05 });
    expect(plain.report.ecsq).toBeUndefined();
    const report = ecsq.report.ecsq!;
    expect(report.converged).toBe(true);
    expect(report.kmeansEntropyBits).toBeCloseTo(codeEntropy(plain.codes, mask, 16), 10);
    expect(report.entropyBits).toBeCloseTo(codeEntropy(ecsq.codes, mask, 16), 10);
    expect(report.entropyBits).toBeLessThan(report.kmeansEntropyBits - 0.3);
    // Code 0 is the pruned zero, the other entries ascend, and pruned weights decode to 0.
    expect(ecsq.codebook[0]).toBe(0);
    for (let j = 2; j < 16; j++) expect(ecsq.codebook[j]!).toBeGreaterThanOrEqual(ecsq.codebook[j - 1]!);
    const decoded = dequantize(ecsq);
    let squaredError = 0;
    mask.forEach((keep, i) => {
      if (keep === 0) expect(decoded[i]).toBe(0);
      else {
        expect(ecsq.codes[i]).toBeGreaterThan(0);
        squaredError += (values[i]! - decoded[i]!) ** 2;
      }
    });
    expect(ecsq.report.squaredError).toBeCloseTo(squaredError, 10);
    expect(ecsq.report.squaredError).toBeGreaterThan(plain.report.squaredError);
  });

  it("is deterministic and validates entropyWeight", () => {
    const values = prunedLike("ecsq-det", 3000);
    const a = quantizeWeights(values, { bits: 3, entropyWeight: 0.1 });
    const b = quantizeWeights(values, { bits: 3, entropyWeight: 0.1 });
    expect([...a.codes]).toEqual([...b.codes]);
    expect([...a.codebook]).toEqual([...b.codebook]);
    expect(() => quantizeWeights(values, { bits: 3, entropyWeight: -1, name: "ip1/kernel" })).toThrow(/ip1\/kernel: entropyWeight/);
  });
});
