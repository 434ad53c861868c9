import { describe, expect, it } from "vitest";
import { compareTop1, searchMargin, top1Classes, wilsonInterval } from "./top1-metric.js";

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
});
