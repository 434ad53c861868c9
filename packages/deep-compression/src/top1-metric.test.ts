import { describe, expect, it } from "vitest";
import { compareTop1, measureTop1, searchMargin, sliceSize, top1Classes, wilsonInterval, type ExampleBatch } from "./top1-metric.js";

/** 100 one-value inputs whose "model" answers class 1 for inputs ≥ the cut and counts the inputs it ran. */
function thresholdModel(cut: number) {
  const seen = { inputs: 0 };
  const predict = (inputs: Float32Array, count: number) => {
    seen.inputs += count;
    const out = new Float32Array(2 * count);
    for (let i = 0; i < count; i++) out[2 * i + (inputs[i]! >= cut ? 1 : 0)] = 1;
    return out;
  };
  return { predict, seen };
}

describe("top-1 metric", () => {
  it("compares top-1 classes with the original's and with labels", () => {
    const classes = top1Classes(Float32Array.of(0.1, 0.9, 0.8, 0.2, 0.3, 0.7), 3);
    expect(Array.from(classes)).toEqual([1, 0, 1]);
    const top1 = compareTop1(classes, Int32Array.of(1, 1, 1), Int32Array.of(1, 0, 0));
    expect(top1).toMatchObject({ count: 3, agreement: 2 / 3, accuracy: 2 / 3 });
  });

  it("gives the Wilson score interval of a measured fraction", () => {
    // 150 of 150 held-out inputs agreeing still allow a true agreement of 97.5% (95% interval).
    const all = wilsonInterval(1, 150);
    expect(all.low).toBeCloseTo(0.975, 3);
    expect(all.high).toBe(1);
    const half = wilsonInterval(0.5, 100);
    expect(half.low).toBeCloseTo(0.4038, 3);
    expect(half.high).toBeCloseTo(0.5962, 3);
    // More inputs, a narrower interval around the same fraction.
    const many = wilsonInterval(0.99, 10_000);
    expect(many.low).toBeGreaterThan(0.987);
    expect(many.high).toBeLessThan(0.9925);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it("gives the search's default margin: one standard error at the budget's level", () => {
    // 99% agreement on 350 search inputs: sqrt(0.99 * 0.01 / 350) = 0.53 points.
    expect(searchMargin({ kind: "min-agreement", percent: 99 }, { count: 350, agreement: 1, accuracy: undefined })).toBeCloseTo(0.5318, 4);
    // --max-drop 1 from 97% accuracy: the level is 96%, sqrt(0.96 * 0.04 / 400) = 0.98 points.
    expect(searchMargin({ kind: "max-drop", points: 1 }, { count: 400, agreement: 1, accuracy: 0.97 })).toBeCloseTo(0.9798, 4);
    // A budget of 100% leaves no room to spare; no inputs, no margin.
    expect(searchMargin({ kind: "min-agreement", percent: 100 }, { count: 350, agreement: 1, accuracy: undefined })).toBe(0);
    expect(searchMargin({ kind: "min-agreement", percent: 99 }, { count: 0, agreement: 1, accuracy: undefined })).toBe(0);
  });

  it("stops a measurement once its outcome is decided, returning the upper bound, and otherwise measures every input", async () => {
    const batch: ExampleBatch = { count: 100, shape: [1], data: Float32Array.from({ length: 100 }, (_, i) => i), labels: undefined };
    const reference = new Int32Array(100).fill(1); // the original: class 1 everywhere
    const budget = { kind: "min-agreement", percent: 95 } as const;
    const baseline = { count: 100, agreement: 1, accuracy: undefined };
    // Disagrees on inputs 0..19 (80% agreement): decided after the first slice of 10 (at most 90% from there).
    const broken = thresholdModel(20);
    const stopped = await measureTop1(broken.predict, batch, reference, { batchSize: 10, stop: { budget, baseline, below: 0 } });
    expect(stopped).toEqual({ count: 100, agreement: 0.9, accuracy: undefined, stoppedAfter: 10 });
    expect(broken.seen.inputs).toBe(10);
    // Without a stop, or with one it never reaches, every input is measured and the result is exact.
    const full = await measureTop1(thresholdModel(20).predict, batch, reference, { batchSize: 10 });
    expect(full).toEqual({ count: 100, agreement: 0.8, accuracy: undefined });
    const fine = thresholdModel(3);
    expect(await measureTop1(fine.predict, batch, reference, { batchSize: 10, stop: { budget, baseline, below: 0 } })).toEqual({
      count: 100,
      agreement: 0.97,
      accuracy: undefined,
    });
    expect(fine.seen.inputs).toBe(100);
    // With labels and --max-drop the bound counts the rest as correct too.
    const labelled = { ...batch, labels: reference };
    const drop = await measureTop1(thresholdModel(20).predict, labelled, reference, {
      batchSize: 25,
      stop: { budget: { kind: "max-drop", points: 1 }, baseline: { count: 100, agreement: 1, accuracy: 1 }, below: 0 },
    });
    expect(drop).toEqual({ count: 100, agreement: 0.8, accuracy: 0.8, stoppedAfter: 25 });
    await expect(measureTop1(fine.predict, batch, reference.subarray(1))).rejects.toThrowError(/99 reference classes for 100 inputs/);
  });

  it("slices batches to 256 inputs or 32 MB of them", () => {
    expect(sliceSize({ shape: [784] })).toBe(256);
    expect(sliceSize({ shape: [224, 224, 3] })).toBe(55);
    expect(sliceSize({ shape: [4096, 4096, 3] })).toBe(1);
  });
});
