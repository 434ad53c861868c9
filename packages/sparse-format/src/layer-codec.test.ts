import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { makeQuantizedLayer, makeSparseLayer } from "../test/fixtures.js";
import { encodeLayer } from "./layer-codec.js";
import { decodeLayer, toDense, toDenseCodes } from "./layer-decode.js";

describe("encodeLayer / decodeLayer", () => {
  const rng = Rng.fromSeed("layer-codec");

  it("round-trips sparse layers for every stream choice and bit width", () => {
    for (const weights of [true, false]) {
      for (const indices of [true, false]) {
        for (const [weightBits, indexBits] of [
          [5, 5],
          [8, 4],
          [2, 3],
          [1, 1],
          [12, 16],
          [16, 2],
        ] as const) {
          const input = makeSparseLayer(rng, `l${weightBits}_${indexBits}`, [30, 47], {
            density: 0.1,
            weightBits,
            indexBits,
            huffman: { weights, indices },
          });
          const encoded = encodeLayer(input);
          expect(encoded.kind).toBe("sparse");
          expect(encoded.weights.encoding).toBe(weights ? "huffman" : "fixed");
          expect(encoded.indices!.encoding).toBe(indices ? "huffman" : "fixed");
          const decoded = decodeLayer(encoded);
          expect(Array.from(toDenseCodes(decoded))).toEqual(Array.from(input.codes));
          expect(toDense(decoded)).toEqual(Float32Array.from(input.codes, (c) => input.codebook[c]!));
        }
      }
    }
  });

  it("round-trips quantized (unpruned) layers, where code 0 is an ordinary centroid", () => {
    const input = makeQuantizedLayer(rng, "conv", [3, 3, 4, 8], 8);
    const encoded = encodeLayer(input);
    expect(encoded.kind).toBe("quantized");
    expect(encoded.indices).toBeNull();
    expect(toDense(decodeLayer(encoded))).toEqual(Float32Array.from(input.codes, (c) => input.codebook[c]!));
  });

  it("accounts the Figure 2 example the paper's way, by hand", () => {
    const codes = new Uint8Array(16);
    codes[1] = 1;
    codes[4] = 2;
    codes[15] = 3;
    const codebook = Float32Array.of(0, -1, 0.5, 2);
    const encoded = encodeLayer({
      name: "fig2",
      shape: [16],
      codes,
      codebook,
      weightBits: 2,
      indexBits: 3,
      huffman: { weights: false, indices: false },
    });
    const a = encoded.accounting;
    expect([a.nonzeroCount, a.fillerCount, a.entryCount]).toEqual([3, 1, 4]);
    expect(a.paperWeightBits).toBe(4 * 2);
    expect(a.paperIndexBits).toBe(4 * 3);
    expect(a.paperCodebookBits).toBe(4 * 32);
    expect(a.paperTotalBits).toBe(8 + 12 + 128);
    expect(a.denseBits).toBe(16 * 32);
    expect(a.paperRate).toBeCloseTo(148 / 512, 12);
    expect(a.weightStreamBytes).toBe(1); // 4 x 2 bits
    expect(a.indexStreamBytes).toBe(2); // 4 x 3 bits
    expect(a.codebookBytes).toBe(16);
    expect(a.sectionBytes).toBe(19);
  });

  it("counts Huffman payload bits as the paper's weight and index bits", () => {
    const input = makeSparseLayer(rng, "fc", [300, 100], { density: 0.09, weightBits: 5, indexBits: 5 });
    const encoded = encodeLayer(input);
    const a = encoded.accounting;
    expect(a.paperWeightBits).toBe(encoded.weights.payloadBits);
    expect(a.averageWeightBits).toBeLessThan(5);
    expect(a.averageIndexBits).toBeLessThan(5);
    expect(a.weightStreamBytes * 8).toBeGreaterThanOrEqual(encoded.weights.payloadBits);
  });

  it("is deterministic: equal inputs give equal bytes", () => {
    const a = encodeLayer(makeSparseLayer(Rng.fromSeed("same"), "x", [64, 64], { density: 0.2, weightBits: 4, indexBits: 4 }));
    const b = encodeLayer(makeSparseLayer(Rng.fromSeed("same"), "x", [64, 64], { density: 0.2, weightBits: 4, indexBits: 4 }));
    expect(a.weights.bytes).toEqual(b.weights.bytes);
    expect(a.indices!.bytes).toEqual(b.indices!.bytes);
  });

  it("handles an all-pruned layer and an empty shape", () => {
    const none = encodeLayer({
      name: "none",
      shape: [10, 10],
      codes: new Uint8Array(100),
      codebook: Float32Array.of(0, 1),
      weightBits: 1,
      indexBits: 4,
    });
    // No non-zero, but fillers every 16 positions so that the 100 declared positions are expressible: (6 + 1)·16 >= 100.
    expect(none.accounting.entryCount).toBe(6);
    expect(none.accounting.nonzeroCount).toBe(0);
    expect(toDense(decodeLayer(none)).every((v) => v === 0)).toBe(true);
    const empty = encodeLayer({
      name: "empty",
      shape: [0, 5],
      codes: new Uint8Array(0),
      codebook: Float32Array.of(0),
      weightBits: 1,
      indexBits: 1,
    });
    expect(decodeLayer(empty).elementCount).toBe(0);
  });

  it("rejects inputs outside the convention with INVALID_ARGUMENT naming the layer", () => {
    const base = {
      name: "ip1",
      shape: [2, 2],
      codes: Uint8Array.of(0, 1, 2, 0),
      codebook: Float32Array.of(0, 1, 2),
      weightBits: 2,
      indexBits: 2,
    };
    const bad = (patch: object) => () => encodeLayer({ ...base, ...patch });
    const invalid = expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("ip1") });
    expect(bad({ codebook: Float32Array.of(0.5, 1, 2) })).toThrow(invalid); // codebook[0] must be 0 for sparse
    expect(bad({ codes: Uint8Array.of(0, 1, 3, 0) })).toThrow(invalid); // code without a centroid
    expect(bad({ shape: [3, 2] })).toThrow(invalid);
    expect(bad({ weightBits: 17 })).toThrow(invalid);
    expect(bad({ indexBits: 0 })).toThrow(invalid);
    expect(bad({ codebook: new Float32Array(5) })).toThrow(invalid); // more than 2^2 centroids
    expect(bad({ codebook: Float32Array.of(0, NaN, 1) })).toThrow(invalid);
  });
});
