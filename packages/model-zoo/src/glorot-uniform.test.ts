import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { fans, glorotUniformValues } from "./glorot-uniform.js";

describe("glorotUniformValues", () => {
  it("counts fans as Keras does for dense and conv kernels", () => {
    expect(fans([784, 300])).toEqual({ fanIn: 784, fanOut: 300 });
    expect(fans([5, 5, 20, 50])).toEqual({ fanIn: 500, fanOut: 1250 });
  });

  it("draws within ±sqrt(6/(fanIn+fanOut)) with mean ≈ 0 and variance ≈ limit²/3, deterministically", () => {
    const values = glorotUniformValues(Rng.fromSeed(3), [5, 5, 20, 50]);
    const limit = Math.sqrt(6 / 1750);
    expect(values.length).toBe(25_000);
    expect(values.every((v) => Math.abs(v) <= limit)).toBe(true);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(limit * 0.02);
    expect(variance / ((limit * limit) / 3)).toBeCloseTo(1, 1);
    expect(glorotUniformValues(Rng.fromSeed(3), [5, 5, 20, 50])).toEqual(values);
  });
});
