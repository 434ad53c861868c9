import { describe, expect, it } from "vitest";
import { Rng } from "@dcnpi/tensor";
import { makeSparseLayer } from "../test/fixtures.js";
import { fullyConnectedMatVec } from "./fully-connected.js";
import { encodeLayer } from "./layer-codec.js";
import { decodeLayer, toDense } from "./layer-decode.js";

/** y = W x + b from the dense kernel, accumulated in float64 like the kernels. */
function reference(dense: Float32Array, inputs: number, outputs: number, layout: "in-out" | "out-in", x: Float32Array, bias: Float32Array) {
  const y = new Float32Array(outputs);
  for (let o = 0; o < outputs; o++) {
    let sum = 0;
    for (let i = 0; i < inputs; i++) sum += dense[layout === "in-out" ? i * outputs + o : o * inputs + i]! * x[i]!;
    y[o] = sum + bias[o]!;
  }
  return y;
}

describe("fullyConnectedMatVec", () => {
  const rng = Rng.fromSeed("fc");
  const x = Float32Array.from({ length: 3 * 300 }, () => rng.float() - 0.5);
  const bias = Float32Array.from({ length: 100 }, () => rng.float() - 0.5);

  it.each([
    ["in-out", [300, 100]],
    ["out-in", [100, 300]],
  ] as const)("layout %s: both kernels give W x + b of the decoded layer, for one input and a batch", (layout, shape) => {
    const layer = decodeLayer(encodeLayer(makeSparseLayer(rng, "ip2/kernel", shape, { density: 0.09, weightBits: 5, indexBits: 5 })));
    const dense = toDense(layer);
    const results = (["wasm", "js"] as const).map((kernel) => {
      const fc = fullyConnectedMatVec(layer, { layout, bias, kernel });
      expect([fc.inputs, fc.outputs, fc.kernel]).toEqual([300, 100, kernel]);
      expect(fc.nonzeros).toBe(dense.filter((w) => w !== 0).length);
      const one = fc.apply(x.subarray(0, 300));
      const batch = fc.applyBatch(x, 3);
      for (let b = 0; b < 3; b++) {
        const want = reference(dense, 300, 100, layout, x.subarray(b * 300, (b + 1) * 300), bias);
        const got = batch.subarray(b * 100, (b + 1) * 100);
        for (let o = 0; o < 100; o++) expect(got[o]).toBeCloseTo(want[o]!, 5);
      }
      expect(Array.from(one)).toEqual(Array.from(batch.subarray(0, 100)));
      return batch;
    });
    expect(Array.from(results[0]!)).toEqual(Array.from(results[1]!)); // wasm and js: bit for bit
  });

  it("refuses a kernel that is not 2-D and a bias of the wrong length, naming the layer", () => {
    const conv = decodeLayer(
      encodeLayer(makeSparseLayer(rng, "conv1/kernel", [5, 5, 1, 20], { density: 0.5, weightBits: 4, indexBits: 4 })),
    );
    expect(() => fullyConnectedMatVec(conv)).toThrow(/conv1\/kernel.*2 axes/);
    const fc = decodeLayer(encodeLayer(makeSparseLayer(rng, "ip3/kernel", [100, 10], { density: 0.3, weightBits: 4, indexBits: 4 })));
    expect(() => fullyConnectedMatVec(fc, { bias: new Float32Array(100) })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
