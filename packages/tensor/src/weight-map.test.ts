import { describe, expect, it } from "vitest";
import { float32, tensor, zeros } from "./host-tensor.js";
import { assertShape, sizeOfShape } from "./shape.js";
import { WeightMap } from "./weight-map.js";
import { TensorError } from "./errors.js";

describe("host tensors and shapes", () => {
  it("checks element counts against shapes", () => {
    expect(tensor([2, 3], new Float32Array(6)).shape).toEqual([2, 3]);
    expect(() => tensor([2, 3], new Float32Array(5), "fc1/kernel")).toThrow(/fc1\/kernel.*needs 6 elements, got 5/);
    expect(() => sizeOfShape([2, -1])).toThrow(TensorError);
    expect(zeros([4], "int32").data).toBeInstanceOf(Int32Array);
  });

  it("names the tensor and both shapes when a shape is wrong", () => {
    expect(() => assertShape([3, 4], [4, 3], "input")).toThrow("input: expected shape [4,3], got [3,4]");
    expect(() => assertShape([7, 4], [-1, 4])).not.toThrow();
  });
});

describe("WeightMap", () => {
  it("keeps insertion order and refuses duplicate names", () => {
    const map = new WeightMap().add("b", zeros([2])).add("a", zeros([3]));
    expect(map.names()).toEqual(["b", "a"]);
    expect(map.elementCount()).toBe(5);
    expect(() => map.add("a", zeros([1]))).toThrow(expect.objectContaining({ code: "DUPLICATE_WEIGHT" }));
  });

  it("lists what exists when a weight is missing", () => {
    const map = new WeightMap([["fc1/kernel", zeros([2, 2])]]);
    expect(() => map.get("fc2/kernel")).toThrow('no weight "fc2/kernel" (has: fc1/kernel)');
  });

  it("replaces in place only with the same shape", () => {
    const map = new WeightMap().add("w", zeros([2]), { layer: "fc", role: "kernel" });
    map.replace("w", float32([2], [1, 2]));
    expect([...map.get("w").data]).toEqual([1, 2]);
    expect(map.entry("w").info.role).toBe("kernel");
    expect(() => map.replace("w", zeros([3]))).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
  });

  it("checks compatibility of names and shapes", () => {
    const a = new WeightMap().add("w", zeros([2, 2]));
    expect(() => a.assertCompatible(new WeightMap().add("w", zeros([2, 2])))).not.toThrow();
    expect(() => a.assertCompatible(new WeightMap().add("w", zeros([4])))).toThrow(/expected shape \[4\]/);
    expect(() => a.assertCompatible(new WeightMap().add("v", zeros([2, 2])))).toThrow(/missing weight "v"/);
  });
});
