import { describe, expect, it } from "vitest";
import { caffeAxes, inverseAxes, isIdentity, permuteAxes } from "./index-order.js";

describe("index order", () => {
  it("caffe axes: dense [in, out] → [out, in], conv [kh, kw, in, out] → [out, in, kh, kw]; embeddings and biases as they are", () => {
    expect(caffeAxes([784, 300], "Dense")).toEqual([1, 0]);
    expect(caffeAxes([5, 5, 20, 50], "Conv2D")).toEqual([3, 2, 0, 1]);
    expect(caffeAxes([3, 16, 32], "Conv1D")).toEqual([2, 1, 0]);
    expect(caffeAxes([20, 8], "Embedding")).toEqual([0, 1]);
    expect(isIdentity(caffeAxes([300], "Dense"))).toBe(true);
  });

  it("transposes a matrix", () => {
    const { data, shape } = permuteAxes(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0]);
    expect(shape).toEqual([3, 2]);
    expect(Array.from(data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it("a conv kernel goes to Caffe layout element by element, and back", () => {
    const shape = [2, 3, 4, 5]; // kh, kw, in, out
    const data = Uint16Array.from({ length: 120 }, (_, i) => i);
    const axes = caffeAxes(shape, "Conv2D");
    const stored = permuteAxes(data, shape, axes);
    expect(stored.shape).toEqual([5, 4, 2, 3]);
    expect(stored.data).toBeInstanceOf(Uint16Array);
    // stored[o, i, y, x] = original[y, x, i, o]
    for (const [o, i, y, x] of [
      [0, 0, 0, 0],
      [4, 3, 1, 2],
      [2, 1, 0, 1],
      [3, 0, 1, 0],
    ] as const) {
      expect(stored.data[((o * 4 + i) * 2 + y) * 3 + x]).toBe(data[((y * 3 + x) * 4 + i) * 5 + o]);
    }
    const back = permuteAxes(stored.data, stored.shape, inverseAxes(axes));
    expect(back.shape).toEqual(shape);
    expect(back.data).toEqual(data);
  });

  it("rejects what is not a permutation of the weight's axes", () => {
    expect(() => permuteAxes(new Float32Array(6), [2, 3], [0, 0], "ip1/kernel")).toThrow(/ip1\/kernel: axes \[0,0\] are not a permutation/);
    expect(() => permuteAxes(new Float32Array(6), [2, 3], [1, 0, 2])).toThrow(/not a permutation/);
  });
});
