import { readFileSync } from "node:fs";
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { makeQuantizedLayer, makeSparseLayer } from "../test/fixtures.js";
import { sealContainer, splitContainer } from "../test/reseal.js";
import { packCodebook, packedCodebookMaxBytes, sortCodebook, unpackCodebook } from "./codebook-packing.js";
import { parseContainer } from "./container-reader.js";
import { serializeContainer } from "./container-writer.js";
import { encodeLayer } from "./layer-codec.js";
import { toDense } from "./layer-decode.js";

const f32 = (...values: number[]) => Float32Array.from(values);
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

function expectCorrupt(run: () => unknown, message: string | RegExp): void {
  expect(run).toThrow(
    expect.objectContaining({ name: "SparseFormatError", code: "CORRUPT_STREAM", message: expect.stringMatching(message) }),
  );
}

describe("packed codebooks (format version 2)", () => {
  it("round-trips ascending centroids exactly, signed zeros, subnormals and extremes included", () => {
    const rng = Rng.fromSeed("codebook-packing");
    const cases = [
      f32(0, -0.3, -0.1, -1e-8, 0.002, 0.25, 1.5),
      f32(0),
      f32(0, 1),
      f32(0, -3.4028234663852886e38, -1e-45, 1e-45, 3.4028234663852886e38),
      Float32Array.from(new Set(Array.from({ length: 300 }, () => Math.fround(rng.normal() * 0.05))))
        .sort()
        .map((v, i) => (i === 0 ? 0 : v)),
    ];
    for (const sparse of [true, false]) {
      for (const codebook of cases) {
        const stored = sparse ? codebook : codebook.subarray(1);
        if (!sparse && stored.length === 0) continue;
        const sorted = Float32Array.from(stored.subarray(sparse ? 1 : 0)).sort();
        const input = sparse ? Float32Array.from([0, ...sorted]) : sorted;
        const packed = packCodebook(input, sparse);
        expect(packed, `${sparse} ${input.length}`).not.toBeNull();
        expect(packed!.length).toBeLessThanOrEqual(packedCodebookMaxBytes(input.length));
        expect(same(unpackCodebook(packed!, input.length, sparse, "t"), input)).toBe(true);
      }
    }
    // -0 and +0 are different centroids (their keys are neighbours).
    const zeros = f32(-0, 0, 1);
    expect(same(unpackCodebook(packCodebook(zeros, false)!, 3, false, "t"), zeros)).toBe(true);
  });

  it("packs FORMAT.md's example into the bytes it shows", () => {
    const hex = Array.from(packCodebook(f32(0, -0.5, 0.25, 1), true)!, (b) => b.toString(16).padStart(2, "0")).join(" ");
    expect(hex).toBe("18 02 ff ff ff c0 2f 00 00 e0 ff ff 3f");
    expect(readFileSync(new URL("../FORMAT.md", import.meta.url), "utf8")).toContain(`\`${hex}\``);
  });

  it("is far smaller than float32 on k-means-like codebooks, and refuses what it cannot hold", () => {
    const rng = Rng.fromSeed("codebook-size");
    const linear = Float32Array.from({ length: 255 }, (_, i) => Math.fround(-0.3 + (0.6 * i) / 254 + rng.normal() * 1e-4)).sort();
    const packed = packCodebook(Float32Array.from([0, ...linear]), true)!;
    expect(packed.length).toBeLessThan(256 * 4 * 0.7);
    // Not strictly ascending, a repeated value, a non-finite one: stays float32 (null).
    expect(packCodebook(f32(0, 1, 0.5), true)).toBeNull();
    expect(packCodebook(f32(0, 1, 1), true)).toBeNull();
    expect(packCodebook(f32(0, 1, Infinity), true)).toBeNull();
    expect(packCodebook(f32(Number.NaN), false)).toBeNull();
  });

  it("sortCodebook keeps every weight's value, drops unused centroids and sorts the rest", () => {
    const codebook = f32(0, 0.5, -0.25, 0.5, 9, -1);
    const codes = Uint8Array.of(0, 1, 2, 3, 5, 5, 0, 2);
    const sparse = sortCodebook(codes, codebook, true);
    expect(Array.from(sparse.codebook)).toEqual([0, -1, -0.25, 0.5]);
    expect(Array.from(sparse.codes, (c) => sparse.codebook[c])).toEqual(Array.from(codes, (c) => codebook[c]));
    expect(Array.from(sparse.codes)).toEqual([0, 3, 2, 3, 1, 1, 0, 2]);
    // Quantized: code 0 is an ordinary centroid.
    const quantized = sortCodebook(codes, codebook, false);
    expect(Array.from(quantized.codebook)).toEqual([-1, -0.25, 0, 0.5]);
    expect(Array.from(quantized.codes, (c) => quantized.codebook[c])).toEqual(Array.from(codes, (c) => codebook[c]));
  });

  it("damaged packed bytes are CORRUPT_STREAM naming what is wrong: every truncation, padding, order, key range, NaN", () => {
    const codebook = f32(0, -0.5, -0.125, 0.001, 0.75);
    const packed = packCodebook(codebook, true)!;
    for (let cut = 0; cut < packed.length; cut++)
      expectCorrupt(() => unpackCodebook(packed.subarray(0, cut), 5, true, "t"), /empty|ends inside/);
    expectCorrupt(() => unpackCodebook(Uint8Array.from([...packed, 0]), 5, true, "t"), /after the last centroid/);
    // Fewer centroids declared than stored: the rest is not padding.
    expectCorrupt(() => unpackCodebook(packed, 3, true, "t"), /after the last centroid/);
    expectCorrupt(() => unpackCodebook(Uint8Array.of(32, 0, 0, 0, 0), 2, false, "t"), /order 32/);
    // Order 0, first key 0xFFFFFFFF (−NaN's neighbourhood): the key of a NaN.
    expectCorrupt(() => unpackCodebook(Uint8Array.of(0, 0xff, 0xff, 0xff, 0xff), 1, false, "t"), /NaN/);
    // First key 0xFF7FFFFF (the largest finite float32), then a difference that leaves 32 bits.
    const big = Uint8Array.of(0, 0xff, 0xfe, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x01);
    expectCorrupt(() => unpackCodebook(big, 2, false, "t"), /beyond 32 bits|prefix longer|NaN|ends inside/);
    // Non-zero padding bits.
    const padded = packCodebook(f32(0.5), false)!;
    expect(padded.length).toBe(5);
    expectCorrupt(() => unpackCodebook(Uint8Array.from([...padded, 0x80]), 1, false, "t"), /after the last centroid/);
  });

  it("coder best writes packed codebooks into version-2 files (both headers) with the same weights; version 1 refuses them", async () => {
    const rng = Rng.fromSeed("packed-in-file");
    const sparse = makeSparseLayer(rng, "fc/kernel", [64, 48], { density: 0.2, weightBits: 8, indexBits: 5 });
    const quantized = makeQuantizedLayer(rng, "b", [96], 6);
    for (const header of ["json", "binary"] as const) {
      const layers = [sparse, quantized].map((l) => encodeLayer({ ...l, coder: "best", formatVersion: 2 }));
      for (const layer of layers) expect(layer.packedCodebook, layer.name).toBeDefined();
      const bytes = serializeContainer({ layers, format: { version: 2, header } });
      const back = await parseContainer(bytes);
      expect(Array.from(toDense(back.layers[0]!))).toEqual(Array.from(sparse.codes, (c) => sparse.codebook[c]!));
      expect(Array.from(toDense(back.layers[1]!))).toEqual(Array.from(quantized.codes, (c) => quantized.codebook[c]!));
      const float32 = serializeContainer({
        layers: [sparse, quantized].map((l) => encodeLayer({ ...l, coder: "huffman", formatVersion: 2 })),
        format: { version: 2, header },
      });
      expect(bytes.length).toBeLessThan(float32.length);
    }
    const json = serializeContainer({
      layers: [encodeLayer({ ...sparse, coder: "best", formatVersion: 2 })],
      format: { version: 2, header: "json" },
    });
    const { data, header, magic } = splitContainer(json);
    expect((header.entries[0] as { sections: { codebook: { encoding?: string } } }).sections.codebook.encoding).toBe("packed");
    header.version = 1;
    data[8] = 1;
    await expect(parseContainer(sealContainer(data, header, magic))).rejects.toMatchObject({
      code: "INVALID_HEADER",
      message: expect.stringContaining('codebook: unrecognized key: "encoding"'),
    });
  });
});
