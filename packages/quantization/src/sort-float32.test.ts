import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { sortFloat32 } from "./sort-float32.js";

describe("sortFloat32", () => {
  it("sorts like the built-in sort, signs, zeros and infinities included", () => {
    const values = Rng.fromSeed("sort").fillNormal(new Float32Array(100_003), 0, 3);
    values.set([0, -0, Infinity, -Infinity, 1e-40, -1e-40], 10);
    const expected = values.slice().sort();
    const sorted = sortFloat32(values);
    expect(sorted.length).toBe(values.length);
    for (let i = 0; i < sorted.length; i++)
      if (!Object.is(sorted[i], expected[i]) && sorted[i] !== expected[i]) expect(sorted[i]).toBe(expected[i]);
    expect(Object.is(sorted[50_001 - 1], -0) || sorted.indexOf(0) > 0).toBe(true);
    expect(sortFloat32(new Float32Array(0)).length).toBe(0);
  });
});
