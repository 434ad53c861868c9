import { describe, expect, it } from "vitest";
import { decodeLayer } from "@dcnpi/sparse-format";
import { dequantize, type QuantizedWeight } from "@dcnpi/quantization";
import { Rng, tensor, WeightMap } from "@dcnpi/tensor";
import { encode, encodeCodes, encodeWeight } from "./encode.js";
import { CompressionError } from "./errors.js";

/** A pruned [4, 6] Dense kernel's codes: code 0 is the pruned zero, the rest skewed towards code 1. */
function prunedKernel(seed: number): QuantizedWeight {
  const rng = Rng.fromSeed(seed);
  const codes = Uint8Array.from({ length: 24 }, () => (rng.float() < 0.6 ? 0 : rng.float() < 0.7 ? 1 : 1 + rng.int(7)));
  return { shape: [4, 6], bits: 3, codebook: Float32Array.from([0, 0.1, -0.1, 0.2, -0.2, 0.3, -0.3, 0.4]), codes, masked: true };
}

describe("encode (stage 3, alone)", () => {
  it("encodeCodes: never is fixed width, always is Huffman, smallest takes the smaller stream each", () => {
    const q = prunedKernel(1);
    const input = { name: "k", shape: [4, 6], codes: q.codes, codebook: q.codebook, weightBits: 3, indexBits: 2 };
    const never = encodeCodes(input, "never");
    const always = encodeCodes(input, "always");
    const smallest = encodeCodes(input, "smallest");
    expect([never.weights.encoding, never.indices!.encoding]).toEqual(["fixed", "fixed"]);
    expect([always.weights.encoding, always.indices!.encoding]).toEqual(["huffman", "huffman"]);
    expect(smallest.weights.bytes.length).toBe(Math.min(never.weights.bytes.length, always.weights.bytes.length));
    expect(smallest.indices!.bytes.length).toBe(Math.min(never.indices!.bytes.length, always.indices!.bytes.length));
    for (const layer of [never, always, smallest])
      expect(Array.from(decodeLayer(layer).codes)).toEqual(Array.from(decodeLayer(never).codes));
  });

  it("encodeWeight: caffe order stores a pruned Dense kernel output-major and says how", () => {
    const q = prunedKernel(2);
    const tfjs = encodeWeight({ name: "fc/kernel", shape: [4, 6], info: { layerClass: "Dense" } }, q, { indexBits: 3, huffman: false });
    const caffe = encodeWeight({ name: "fc/kernel", shape: [4, 6], info: { layerClass: "Dense" } }, q, {
      indexBits: 3,
      indexOrder: "caffe",
      huffman: false,
    });
    expect(tfjs.storedAxes).toBeUndefined();
    expect([tfjs.layer.shape, caffe.layer.shape, caffe.storedAxes]).toEqual([
      [4, 6],
      [6, 4],
      [1, 0],
    ]);
    // An unpruned weight has no relative indices to order.
    const kernel = { name: "fc/kernel", shape: [4, 6], info: { layerClass: "Dense" } };
    const dense = encodeWeight(kernel, { ...q, masked: false }, { indexBits: 3, indexOrder: "caffe", huffman: true });
    expect([dense.storedAxes, dense.layer.indexBits]).toEqual([undefined, null]);
  });

  it("encode: quantized weights encoded, the rest dense; a weight that is not codebook[codes] is refused", () => {
    const q = prunedKernel(3);
    const weights = new WeightMap();
    weights.add("fc/kernel", tensor([4, 6], dequantize(q)), { layerClass: "Dense" });
    weights.add("fc/bias", tensor([6], new Float32Array(6).fill(0.5)), { role: "bias" });
    const specs = new Map([["fc/kernel", { indexBits: 3, indexOrder: "caffe" as const, huffman: true }]]);
    const encoded = encode(weights, new Map([["fc/kernel", q]]), specs);
    expect(encoded.layers.map((l) => l.name)).toEqual(["fc/kernel"]);
    expect(encoded.denseTensors.map((d) => d.name)).toEqual(["fc/bias"]);
    expect(encoded.storedAxes).toEqual({ "fc/kernel": [1, 0] });
    const drifted = new WeightMap();
    drifted.add(
      "fc/kernel",
      tensor(
        [4, 6],
        dequantize(q).map((v) => v + 1e-7),
      ),
      {},
    );
    expect(() => encode(drifted, new Map([["fc/kernel", q]]), specs)).toThrow(CompressionError);
  });
});
