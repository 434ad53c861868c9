import { float32, Rng, WeightMap } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { computeGlobalMasks, computeMask, computeMasks, weightStd } from "./compute-mask.js";
import { countKept, MaskSet } from "./mask-set.js";

function normalWeights(seed: string, n: number, std = 0.05): Float32Array {
  return Rng.fromSeed(seed).fillNormal(new Float32Array(n), 0, std);
}

/** The reference: a full stable sort by |w| (then index), pruning the first `k` eligible. */
function referenceMask(values: Float32Array, pruneTotal: number, previous?: Uint8Array): Uint8Array {
  const mask = new Uint8Array(values.length).fill(1);
  const eligible: number[] = [];
  let already = 0;
  for (let i = 0; i < values.length; i++) {
    if (previous !== undefined && previous[i] === 0) {
      mask[i] = 0;
      already++;
    } else eligible.push(i);
  }
  eligible.sort((a, b) => Math.abs(values[a]!) - Math.abs(values[b]!) || a - b);
  for (const i of eligible.slice(0, Math.max(0, pruneTotal - already))) mask[i] = 0;
  return mask;
}

describe("computeMask with count targets", () => {
  const values = normalWeights("count", 10_007);

  it("prunes exactly the requested number of weights, smallest magnitudes first", () => {
    // 10007 weights: 0.08 -> 800.56 -> 801; 0.5 -> 5003.5, a half, rounds toward keeping -> 5003.
    const expected = new Map([
      [0, 0],
      [0.08, 801],
      [0.5, 5003],
      [0.91, 9106],
      [0.92, 9206],
      [1, 10_007],
    ]);
    for (const [sparsity, pruned] of expected) {
      const result = computeMask(values, { sparsity });
      expect(result.prunedCount).toBe(pruned);
      expect(result.mask).toEqual(referenceMask(values, result.prunedCount));
    }
    expect(computeMask(values, { pruneCount: 1234 }).prunedCount).toBe(1234);
    expect(computeMask(values, { keepCount: 77 }).keptCount).toBe(77);
    expect(computeMask(values, { keepFraction: 0.26 }).keptCount).toBe(Math.round(0.26 * 10_007));
  });

  it("gives the same mask for {sparsity: s} and {keepFraction: 1 - s}, halves rounding toward keeping", () => {
    const three = Float32Array.from([0.3, -0.1, 0.2]);
    expect(computeMask(three, { sparsity: 0.5 }).prunedCount).toBe(1);
    expect(computeMask(three, { keepFraction: 0.5 }).keptCount).toBe(2);
    for (const s of [0.1, 0.25, 0.5, 0.75, 0.92]) {
      expect(computeMask(values, { sparsity: s }).mask).toEqual(computeMask(values, { keepFraction: 1 - s }).mask);
    }
  });

  it("reports a threshold that separates kept from pruned weights", () => {
    const { mask, threshold } = computeMask(values, { sparsity: 0.9 });
    for (let i = 0; i < values.length; i++) {
      if (mask[i] === 1) expect(Math.abs(values[i]!)).toBeGreaterThanOrEqual(threshold);
      else expect(Math.abs(values[i]!)).toBeLessThanOrEqual(threshold);
    }
  });

  it("breaks ties by index, the lower index pruned first, whatever the sign", () => {
    const ties = Float32Array.from([0.5, -0.5, 0.5, 0.1, -0.5, 0.5, 0, -0]);
    expect([...computeMask(ties, { pruneCount: 5 }).mask]).toEqual([0, 0, 1, 0, 1, 1, 0, 0]);
    expect([...computeMask(ties, { pruneCount: 2 }).mask]).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
  });

  it("composes with an earlier mask: pruned stays pruned and counts toward the target", () => {
    const first = computeMask(values, { sparsity: 0.5 });
    // An arbitrary earlier mask that is not magnitude-ordered: every third weight pruned.
    const odd = new Uint8Array(values.length).map((_, i) => (i % 3 === 0 ? 0 : 1));
    for (const previous of [first.mask, odd]) {
      const second = computeMask(values, { sparsity: 0.9 }, { previousMask: previous });
      expect(second.prunedCount).toBe(Math.round(0.9 * values.length));
      expect(second.mask).toEqual(referenceMask(values, second.prunedCount, previous));
      for (let i = 0; i < values.length; i++) if (previous[i] === 0) expect(second.mask[i]).toBe(0);
      expect(second.targetMet).toBe(true);
    }
    const looser = computeMask(values, { sparsity: 0.2 }, { previousMask: first.mask });
    expect(looser.mask).toEqual(first.mask);
    expect(looser.targetMet).toBe(false);
  });

  it("rejects ambiguous or out-of-range targets and non-finite weights", () => {
    expect(() => computeMask(values, { sparsity: 1.5 })).toThrow(/invalid pruning target/);
    expect(() => computeMask(values, { sparsity: 0.5, keepFraction: 0.5 } as never)).toThrow(/exactly one/);
    expect(() => computeMask(values, { pruneCount: 2.5 })).toThrow(/invalid pruning target/);
    expect(() => computeMask(values, { keepCount: 20_000 })).toThrow(/does not fit 10007 weights/);
    expect(() => computeMask(values, { amount: 0.5 } as never)).toThrow(/invalid pruning target/);
    expect(() => computeMask(Float32Array.from([1, Number.NaN]), { sparsity: 0.5 }, { name: "ip1/kernel" })).toThrow(
      /ip1\/kernel: weight 1 is NaN/,
    );
    expect(() => computeMask(values, { sparsity: 0.5 }, { previousMask: new Uint8Array(3) })).toThrow(/previous mask has 3/);
  });
});

describe("computeMask with the paper's quality x std rule", () => {
  const values = normalWeights("quality", 50_000, 0.1);

  it("prunes |w| < quality x std with std over the survivors, and matches the normal tail", () => {
    const std = weightStd(values);
    let mean = 0;
    for (const v of values) mean += v;
    mean /= values.length;
    let sq = 0;
    for (const v of values) sq += (v - mean) ** 2;
    expect(std).toBeCloseTo(Math.sqrt(sq / values.length), 12);
    const result = computeMask(values, { quality: 1 });
    expect(result.std).toBe(std);
    expect(result.threshold).toBe(std);
    for (let i = 0; i < values.length; i++) expect(result.mask[i]).toBe(Math.abs(values[i]!) < std ? 0 : 1);
    // For normal weights P(|z| < 1) = 0.6827.
    expect(result.sparsity).toBeCloseTo(0.6827, 2);
  });

  it("takes std over the survivors or over all entries, as asked", () => {
    const first = computeMask(values, { quality: 0.5 });
    const pruned = values.map((v, i) => (first.mask[i] === 0 ? 0 : v));
    const survivors = computeMask(pruned, { quality: 0.5 }, { previousMask: first.mask });
    const all = computeMask(pruned, { quality: 0.5, stdOf: "all" }, { previousMask: first.mask });
    expect(survivors.std).toBeCloseTo(weightStd(pruned, { mask: first.mask }), 12);
    expect(all.std).toBeCloseTo(weightStd(pruned), 12);
    // Survivors are the large weights, so their std is larger and the second round prunes more.
    expect(survivors.std!).toBeGreaterThan(all.std!);
    expect(survivors.prunedCount).toBeGreaterThan(all.prunedCount);
    for (let i = 0; i < values.length; i++) if (first.mask[i] === 0) expect(all.mask[i]).toBe(0);
  });

  it("prunes below an absolute threshold", () => {
    const result = computeMask(Float32Array.from([0.1, -0.2, 0.3, -0.05]), { threshold: 0.2 });
    expect([...result.mask]).toEqual([0, 1, 1, 0]);
  });
});

describe("computeMasks and computeGlobalMasks over a weight map", () => {
  const weights = new WeightMap()
    .add("ip1/kernel", { dtype: "float32", shape: [100, 30], data: normalWeights("ip1", 3000, 0.02) })
    .add("ip1/bias", float32([30], new Array(30).fill(0.1)))
    .add("ip2/kernel", { dtype: "float32", shape: [30, 10], data: normalWeights("ip2", 300, 0.2) });

  it("computes per-layer masks, keeping masks of layers without a target", () => {
    const earlier = new MaskSet().set("ip2/kernel", [30, 10], new Uint8Array(300).fill(1).fill(0, 0, 10));
    const { masks, layers } = computeMasks(weights, { "ip1/kernel": { keepFraction: 0.08 } }, { previous: earlier });
    expect(masks.names()).toEqual(["ip2/kernel", "ip1/kernel"]);
    expect(layers.map((l) => [l.name, l.keptCount])).toEqual([["ip1/kernel", 240]]);
    expect(countKept(masks.get("ip2/kernel")!)).toBe(290);
    expect(() => computeMasks(weights, { nope: { sparsity: 0.5 } })).toThrow(/no weight "nope"/);
  });

  it("cuts all named layers at one magnitude, hitting the total exactly", () => {
    const { masks, layers } = computeGlobalMasks(weights, { sparsity: 0.9 }, { names: ["ip1/kernel", "ip2/kernel"] });
    const total = layers.reduce((a, l) => a + l.prunedCount, 0);
    expect(total).toBe(Math.round(0.9 * 3300));
    // The small-std layer loses far more than the large-std one.
    expect(layers[0]!.sparsity).toBeGreaterThan(0.9);
    expect(layers[1]!.sparsity).toBeLessThan(0.9);
    let maxPruned = 0;
    let minKept = Infinity;
    for (const name of ["ip1/kernel", "ip2/kernel"]) {
      const data = weights.get(name).data as Float32Array;
      const mask = masks.get(name)!;
      data.forEach((v, i) => {
        if (mask[i] === 0) maxPruned = Math.max(maxPruned, Math.abs(v));
        else minKept = Math.min(minKept, Math.abs(v));
      });
    }
    expect(maxPruned).toBeLessThanOrEqual(minKept);
    expect(maxPruned).toBe(layers[0]!.threshold);
  });

  it("breaks global ties by weight order, then index", () => {
    const tied = new WeightMap().add("a", float32([3], [0.5, 0.5, 0.5])).add("b", float32([3], [0.5, -0.5, 0.5]));
    const { masks } = computeGlobalMasks(tied, { pruneCount: 4 }, { names: ["b", "a"] });
    expect([...masks.get("a")!]).toEqual([0, 0, 0]);
    expect([...masks.get("b")!]).toEqual([0, 1, 1]);
  });
});
