import { float32, Rng, WeightMap } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { initialCentroids } from "./centroid-init.js";
import { lloyd1d } from "./kmeans-1d.js";
import { dequantize, quantizeWeightMap, quantizeWeights, weightSharingRate } from "./quantize.js";
import { sortFloat32 } from "./sort-float32.js";

/** Plain O(m k) Lloyd with the same tie rule (lower centroid wins), as the reference. */
function bruteLloyd(values: Float32Array, initial: Float64Array, maxIterations: number): Float64Array {
  const c = Float64Array.from(initial).sort();
  let previous: Int32Array | undefined;
  for (let it = 0; it < maxIterations; it++) {
    const assign = new Int32Array(values.length);
    values.forEach((v, i) => {
      let best = 0;
      for (let j = 1; j < c.length; j++) if (Math.abs(v - c[j]!) < Math.abs(v - c[best]!)) best = j;
      assign[i] = best;
    });
    if (previous !== undefined && assign.every((a, i) => a === previous![i])) break;
    const sums = new Float64Array(c.length);
    const counts = new Float64Array(c.length);
    assign.forEach((a, i) => {
      sums[a] = sums[a]! + values[i]!;
      counts[a] = counts[a]! + 1;
    });
    for (let j = 0; j < c.length; j++) if (counts[j]! > 0) c[j] = sums[j]! / counts[j]!;
    c.sort();
    previous = assign;
  }
  return c;
}

/** A pruned-layer-like distribution: two peaks away from zero plus a few large weights. */
function bimodal(seed: string, n: number): Float32Array {
  const rng = Rng.fromSeed(seed);
  return new Float32Array(n).map(() => {
    const u = rng.float();
    if (u < 0.02) return rng.normal(0, 0.3);
    return (rng.float() < 0.5 ? -1 : 1) * (0.05 + Math.abs(rng.normal(0, 0.03)));
  });
}

describe("1-D k-means", () => {
  it("finds the known optimum of well-separated groups", () => {
    const groups = Float32Array.from([-0.5, -0.25, 0, 0.25, 9.75, 10, 10.25, 19.5, 20.5, 29.75, 30.25]);
    expect([...quantizeWeights(groups, { bits: 2 }).codebook]).toEqual([-0.125, 10, 20, 30]);
    const values = Float32Array.from([1, 2, 3, 10, 11, 12]);
    const two = lloyd1d(sortFloat32(values), Float64Array.from([1, 3]), { maxIterations: 100, emptyClusters: "keep" });
    expect([...two.centroids]).toEqual([2, 11]);
    expect(two.converged).toBe(true);
  });

  it("matches brute-force Lloyd from the same start, for every initialisation", () => {
    const values = bimodal("lloyd", 4000);
    const sorted = sortFloat32(values);
    for (const init of ["linear", "density", "random", "kmeans++"] as const) {
      const start = initialCentroids(sorted, 15, init, Rng.fromSeed(`init-${init}`));
      const fast = lloyd1d(sorted, start, { maxIterations: 500, emptyClusters: "keep" });
      expect(fast.converged).toBe(true);
      const slow = bruteLloyd(values, start, 500);
      for (let j = 0; j < 15; j++) expect(fast.centroids[j]).toBeCloseTo(slow[j]!, 9);
    }
  });

  it("ends at a fixed point: each centroid is its members' mean and each weight has its nearest code", () => {
    const values = Rng.fromSeed("fixed").fillNormal(new Float32Array(20_000), 0, 0.05);
    for (const init of ["linear", "density", "random", "kmeans++"] as const) {
      const q = quantizeWeights(values, { bits: 5, init, rng: Rng.fromSeed("fixed-point") });
      expect(q.report.converged).toBe(true);
      const sums = new Float64Array(32);
      const counts = new Float64Array(32);
      let notNearest = 0;
      values.forEach((v, i) => {
        const code = q.codes[i]!;
        for (let j = 0; j < 32; j++) if (Math.abs(v - q.codebook[j]!) < Math.abs(v - q.codebook[code]!)) notNearest++;
        sums[code] = sums[code]! + v;
        counts[code] = counts[code]! + 1;
      });
      expect(notNearest).toBe(0);
      for (let j = 0; j < 32; j++) if (counts[j]! > 0) expect(q.codebook[j]).toBeCloseTo(sums[j]! / counts[j]!, 5);
    }
  });

  it("is deterministic: the same seed gives the same codebook, another seed another one", () => {
    const values = bimodal("determinism", 5000);
    for (const init of ["random", "kmeans++"] as const) {
      const a = quantizeWeights(values, { bits: 4, init, rng: Rng.fromSeed(1) });
      const b = quantizeWeights(values, { bits: 4, init, rng: Rng.fromSeed(1) });
      const c = quantizeWeights(values, { bits: 4, init, rng: Rng.fromSeed(2) });
      expect(a.codebook).toEqual(b.codebook);
      expect(a.codes).toEqual(b.codes);
      expect(initialCentroids(sortFloat32(values), 8, init, Rng.fromSeed(1))).not.toEqual(
        initialCentroids(sortFloat32(values), 8, init, Rng.fromSeed(2)),
      );
      expect(c.report.squaredError).toBeGreaterThan(0);
    }
  });
});

describe("centroid initialisation (DC §3.2)", () => {
  const values = bimodal("init", 20_000);
  const sorted = sortFloat32(values);
  const k = 13; // the paper's Figure 4 uses 13 clusters
  const large = (c: Float64Array) => [...c].filter((x) => Math.abs(x) > 0.2).length;

  it("linear spaces the centroids evenly between min and max", () => {
    const c = initialCentroids(sorted, k, "linear", undefined);
    expect(c[0]).toBe(sorted[0]);
    expect(c[k - 1]).toBeCloseTo(sorted[sorted.length - 1]!, 12);
    for (let j = 1; j < k; j++) expect(c[j]! - c[j - 1]!).toBeCloseTo((c[k - 1]! - c[0]!) / (k - 1), 12);
  });

  it("density spaces the centroids evenly on the CDF's y axis", () => {
    const c = initialCentroids(sorted, k, "density", undefined);
    for (let j = 0; j < k; j++) {
      const below = sorted.filter((v) => v <= c[j]!).length / sorted.length;
      expect(below).toBeCloseTo((j + 0.5) / k, 2);
    }
  });

  it("random (Forgy) and kmeans++ pick actual weights", () => {
    const present = new Set(values);
    for (const init of ["random", "kmeans++"] as const) {
      const c = initialCentroids(sorted, k, init, Rng.fromSeed(init));
      for (const x of c) expect(present.has(Math.fround(x))).toBe(true);
    }
  });

  it("behaves as the paper describes: linear keeps the large weights, Forgy and density crowd the peaks", () => {
    // Average over seeds for Forgy; 2% of weights are "large" (|w| > 0.2 is ~ 0.5% of all weights).
    const linear = large(initialCentroids(sorted, k, "linear", undefined));
    const density = large(initialCentroids(sorted, k, "density", undefined));
    let forgy = 0;
    for (let s = 0; s < 20; s++) forgy += large(initialCentroids(sorted, k, "random", Rng.fromSeed(s)));
    expect(linear).toBeGreaterThanOrEqual(6);
    expect(density).toBe(0);
    expect(forgy / 20).toBeLessThan(1);
    // After clustering, the linear start still represents the largest weights better.
    const maxError = (init: "linear" | "density") => {
      const q = quantizeWeights(values, { bits: 4, init });
      const deq = dequantize(q);
      let worst = 0;
      values.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - deq[i]!))));
      return worst;
    };
    expect(maxError("linear")).toBeLessThan(maxError("density"));
  });
});

describe("codebooks, masks and empty clusters", () => {
  it("reserves code 0 = 0.0 for pruned weights and clusters only the survivors", () => {
    const values = bimodal("masked", 3000);
    const mask = new Uint8Array(3000).map((_, i) => (i % 4 === 0 ? 1 : 0));
    const q = quantizeWeights(values, { bits: 3, mask });
    expect(q.masked).toBe(true);
    expect(q.codebook.length).toBe(8);
    expect(Object.is(q.codebook[0], 0)).toBe(true);
    expect(q.report.clustered).toBe(750);
    expect(q.report.clusters).toBe(7);
    for (let j = 2; j < 8; j++) expect(q.codebook[j]!).toBeGreaterThanOrEqual(q.codebook[j - 1]!);
    const survivors = values.filter((_, i) => mask[i] === 1);
    const alone = quantizeWeights(survivors, { bits: 3 });
    // Same survivors, 7 centroids instead of 8: a different codebook, but code 0 is never a survivor's.
    mask.forEach((m, i) => (m === 0 ? expect(q.codes[i]).toBe(0) : expect(q.codes[i]).toBeGreaterThan(0)));
    expect(alone.codebook.length).toBe(8);
    const deq = dequantize(q);
    mask.forEach((m, i) => m === 0 && expect(deq[i]).toBe(0));
  });

  it("uses Uint8Array codes up to 8 bits and Uint16Array above", () => {
    const values = Rng.fromSeed("wide").fillNormal(new Float32Array(70_000), 0, 1);
    expect(quantizeWeights(values, { bits: 8 }).codes).toBeInstanceOf(Uint8Array);
    const q = quantizeWeights(values, { bits: 12 });
    expect(q.codes).toBeInstanceOf(Uint16Array);
    expect(q.codebook.length).toBe(4096);
  });

  it("represents layers with fewer survivors than codes exactly", () => {
    const q = quantizeWeights(Float32Array.from([0.5, -0.25, 0, 0.5, 0.125]), { bits: 3, mask: Uint8Array.from([1, 1, 0, 1, 1]) });
    expect([...dequantize(q)]).toEqual([0.5, -0.25, 0, 0.5, 0.125]);
    expect(q.report.squaredError).toBe(0);
    const empty = quantizeWeights(new Float32Array(4), { bits: 2, mask: new Uint8Array(4) });
    expect([...empty.codebook]).toEqual([0, 0, 0, 0]);
  });

  it("keeps empty clusters in place, or splits the worst cluster into them", () => {
    const values = new Float32Array(1001);
    for (let i = 0; i < 1000; i++) values[i] = i / 1000;
    values[1000] = 100;
    const keep = quantizeWeights(values, { bits: 2, emptyClusters: "keep" });
    const split = quantizeWeights(values, { bits: 2, emptyClusters: "split" });
    expect(keep.report.emptyClusters).toBe(2);
    expect(split.report.emptyClusters).toBe(0);
    expect(split.report.squaredError).toBeLessThan(keep.report.squaredError / 4);
    expect(split.codebook[3]).toBe(100);
  });

  it("validates options", () => {
    const values = new Float32Array(10);
    expect(() => quantizeWeights(values, { bits: 0 })).toThrow(/bits/);
    expect(() => quantizeWeights(values, { bits: 17 })).toThrow(/bits/);
    expect(() => quantizeWeights(values, { bits: 4, init: "random", name: "fc6/kernel" })).toThrow(
      /fc6\/kernel: init "random" needs an rng/,
    );
    expect(() => quantizeWeights(values, { bits: 4, mask: new Uint8Array(3) })).toThrow(/mask has 3 entries/);
    expect(() => quantizeWeights(Float32Array.from([1, Number.NaN]), { bits: 1 })).toThrow(/weight 1 is NaN/);
  });

  it("quantizes a weight map per layer with its masks, forking the rng per layer", () => {
    const weights = new WeightMap()
      .add("a", { dtype: "float32", shape: [50, 20], data: bimodal("a", 1000) })
      .add("b", { dtype: "float32", shape: [10, 10], data: bimodal("b", 100) })
      .add("c", float32([2], [1, 2]));
    const masks = new Map([["a", new Uint8Array(1000).fill(1).fill(0, 0, 900)]]);
    const rng = Rng.fromSeed("map");
    const both = quantizeWeightMap(weights, { b: { bits: 3, init: "random" }, a: { bits: 5, init: "kmeans++" } }, { masks, rng });
    expect([...both.keys()]).toEqual(["a", "b"]);
    expect(both.get("a")!.masked).toBe(true);
    expect(both.get("a")!.shape).toEqual([50, 20]);
    expect(both.get("b")!.masked).toBe(false);
    const onlyB = quantizeWeightMap(weights, { b: { bits: 3, init: "random" } }, { masks, rng: Rng.fromSeed("map") });
    expect(onlyB.get("b")!.codebook).toEqual(both.get("b")!.codebook);
    expect(() => quantizeWeightMap(weights, { zz: { bits: 3 } })).toThrow(/no weight "zz"/);
  });

  it("computes the paper's Eq. 1 rate (the 4x4, 2-bit example gives 3.2)", () => {
    expect(weightSharingRate(16, 2)).toBeCloseTo(3.2, 12);
  });
});
