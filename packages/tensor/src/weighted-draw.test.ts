import { describe, expect, it } from "vitest";
import { Rng } from "./rng.js";
import { cumulativeSums, indexAtFraction } from "./weighted-draw.js";

describe("weighted draw", () => {
  it("maps a fraction to the interval that holds it; zero weights are never drawn", () => {
    const c = cumulativeSums([1, 0, 3]);
    expect(Array.from(c)).toEqual([1, 1, 4]);
    expect([0, 0.2, 0.25, 0.5, 0.999].map((u) => indexAtFraction(c, u))).toEqual([0, 0, 2, 2, 2]);
  });

  it("draws in proportion to the weights", () => {
    const c = cumulativeSums([1, 2, 7]);
    const rng = Rng.fromSeed(5);
    const counts = [0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[indexAtFraction(c, rng.float())]!++;
    expect(counts[0]! / 20_000).toBeCloseTo(0.1, 1);
    expect(counts[1]! / 20_000).toBeCloseTo(0.2, 1);
    expect(counts[2]! / 20_000).toBeCloseTo(0.7, 1);
  });
});
