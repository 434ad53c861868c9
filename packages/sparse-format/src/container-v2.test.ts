import { readFileSync } from "node:fs";
import { decodeSymbols, encodeSymbolsDetailed } from "@dcnpi/arithmetic";
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { makeQuantizedLayer, makeSparseLayer } from "../test/fixtures.js";
import { sealContainer, splitContainer } from "../test/reseal.js";
import { sealBody, splitBinary } from "../test/reseal-v2.js";
import { parseContainer } from "./container-reader.js";
import { serializeContainer, type ContainerContents } from "./container-writer.js";
import { encodeLayer, type LayerInput } from "./layer-codec.js";
import { toDense, toDenseCodes } from "./layer-decode.js";
import { HEADER_DICTIONARY } from "./header-dictionary.js";
import { encodeRelativeIndex } from "./relative-index.js";
import { sortCodebook } from "./codebook-packing.js";

function contents(rng: Rng, coder: "huffman" | "best", formatVersion: 1 | 2): ContainerContents {
  const sparse = makeSparseLayer(rng, "fc/kernel", [120, 90], { density: 0.08, weightBits: 5, indexBits: 4 });
  const quantized = makeQuantizedLayer(rng, "conv/kernel", [3, 3, 4, 8], 4);
  const version = formatVersion === 2 ? { formatVersion, coder } : {};
  return {
    layers: [
      encodeLayer({ ...sparse, ...version, info: { layer: "fc", layerClass: "Dense", role: "kernel" } }),
      encodeLayer({ ...quantized, ...version }),
    ],
    denseTensors: [
      { name: "fc/bias", shape: [90], data: Float32Array.from({ length: 90 }, () => rng.normal()), info: { layer: "fc", role: "bias" } },
      { name: "steps", shape: [2], data: Int32Array.of(-7, 2 ** 31 - 1) },
      { name: "mask", shape: [3], data: Uint8Array.of(0, 1, 255) },
    ],
    metadata: {
      modelTopology: { class_name: "Sequential", config: { layers: [{ units: 90, activation: "relu", bias: null, trainable: true }] } },
      floats: [0.1, 1.5, -2.25, 1e-300, 123456789.125, -0.015100000000000002],
      ints: [0, 127, 128, -1, -129, 2 ** 53 - 1, -(2 ** 53) + 1],
      text: "ünïcødé ✓ \u0000 end",
      ["__proto__"]: { kept: "as an own key, as JSON.parse does" },
      empty: { array: [], object: {} },
    },
  };
}

const inputs = (c: ContainerContents) => c.layers!.map((l) => l.name);

describe("container format version 2 (issue 17)", () => {
  it("round-trips every codec and both header forms exactly: weights, dense tensors, metadata", async () => {
    const reference = await parseContainer(serializeContainer(contents(Rng.fromSeed(5), "huffman", 1)));
    for (const header of ["json", "binary"] as const) {
      for (const coder of ["huffman", "best"] as const) {
        const input = contents(Rng.fromSeed(5), coder, 2);
        const bytes = serializeContainer({ ...input, format: { version: 2, header } });
        expect(bytes[8]).toBe(2);
        expect(bytes[12]).toBe(header === "binary" ? 1 : 0);
        const back = await parseContainer(bytes);
        expect(back.order).toEqual([...inputs(input), "fc/bias", "steps", "mask"]);
        for (const [i, layer] of back.layers.entries()) {
          // Every weight's value, bit for bit; "best" renumbers the codes (a sorted, packed codebook), "huffman" keeps them.
          expect(Array.from(toDense(layer)), layer.name).toEqual(Array.from(toDense(reference.layers[i]!)));
          if (coder === "huffman")
            expect(Array.from(toDenseCodes(layer)), layer.name).toEqual(Array.from(toDenseCodes(reference.layers[i]!)));
          expect(layer.info).toEqual(reference.layers[i]!.info);
        }
        expect(back.denseTensors).toEqual(reference.denseTensors);
        expect(back.metadata).toEqual(reference.metadata);
        expect(Object.hasOwn(back.metadata as object, "__proto__")).toBe(true);
        expect(Object.getPrototypeOf(back.metadata)).toBe(Object.prototype);
        // Same input, same bytes.
        expect(serializeContainer({ ...contents(Rng.fromSeed(5), coder, 2), format: { version: 2, header } })).toEqual(bytes);
      }
    }
  });

  it("coder best stores each stream as the smallest of fixed, Huffman, arithmetic and context-coded arithmetic", () => {
    const rng = Rng.fromSeed(9);
    const layer = makeSparseLayer(rng, "w", [200, 150], { density: 0.1, weightBits: 6, indexBits: 5 });
    const best = encodeLayer({ ...layer, coder: "best", formatVersion: 2 });
    const huffman = encodeLayer({ ...layer, formatVersion: 2, huffman: { weights: true, indices: true } });
    const fixed = encodeLayer({ ...layer, formatVersion: 2, huffman: { weights: false, indices: false } });
    // Code 0 (a filler) only where the gap is the largest: the context-coded stream knows it, the plain one pays for it.
    expect(best.weights.encoding).toBe("arithmetic-context");
    const entries = encodeRelativeIndex(layer.codes, 5, true);
    expect(best.weights.bytes.length).toBeLessThan(encodeSymbolsDetailed(entries.codes).bytes.length);
    expect(best.weights.bytes.length).toBeLessThan(Math.min(huffman.weights.bytes.length, fixed.weights.bytes.length));
    expect(best.indices!.bytes.length).toBeLessThanOrEqual(Math.min(huffman.indices!.bytes.length, fixed.indices!.bytes.length));
    expect(best.weights.payloadBits).toBe(best.weights.bytes.length * 8);
    // An empty stream stays fixed width (0 bytes).
    const empty = encodeLayer({ ...layer, codes: new Uint8Array(30_000), coder: "best", formatVersion: 2 });
    expect(empty.nonzeroCount).toBe(0);
  });

  it("context-coded streams follow FORMAT.md's class rules exactly, and round-trip through both header forms", async () => {
    const rng = Rng.fromSeed(41);
    const layer = makeSparseLayer(rng, "fc/kernel", [400, 120], { density: 0.09, weightBits: 5, indexBits: 4 });
    // Dead inputs, as in LeNet-300-100's ip1: whole rows pruned, so fillers come in runs; and some busy rows
    // (short gaps follow short gaps).
    for (let r = 0; r < 400; r += 3) layer.codes.fill(0, r * 120, (r + 1) * 120);
    for (let r = 1; r < 400; r += 4) for (let c = 0; c < 120; c += 1 + (c % 2)) layer.codes[r * 120 + c] = 1 + rng.int(31);
    const quantized = makeQuantizedLayer(rng, "conv/kernel", [5, 5, 8, 16], 4);
    const encoded = encodeLayer({ ...layer, coder: "best", formatVersion: 2 });
    expect(encoded.weights.encoding).toBe("arithmetic-context");
    // The rules, written out independently of context-classes.ts: gaps by the previous stored gap's bucket
    // {0-1, 2-7, 8..max-1, max}; codes by (gap is the largest) x (sign class of the previous centroid).
    // "best" stores a sorted codebook, so the codes are the canonical ones (same weights).
    const canonical = sortCodebook(layer.codes, layer.codebook, true);
    expect(Array.from(encoded.codebook)).toEqual(Array.from(canonical.codebook));
    const entries = encodeRelativeIndex(canonical.codes, 4, true);
    expect(encoded.indices!.encoding).toBe("arithmetic-context");
    const gapBucket = Uint8Array.from({ length: 16 }, (_, v) => (v === 15 ? 3 : v <= 1 ? 0 : v <= 7 ? 1 : 2));
    const gaps = decodeSymbols(encoded.indices!.bytes, { classes: { sideClasses: 1, previousClasses: 4, previousMap: gapBucket } });
    expect(Array.from(gaps)).toEqual(Array.from(entries.gaps));
    const sign = Uint8Array.from({ length: 32 }, (_, c) =>
      c >= canonical.codebook.length || canonical.codebook[c] === 0 ? 0 : canonical.codebook[c]! < 0 ? 1 : 2,
    );
    const side = Uint8Array.from(entries.gaps, (g) => (g === 15 ? 1 : 0));
    const codes = decodeSymbols(encoded.weights.bytes, { classes: { sideClasses: 2, side, previousClasses: 3, previousMap: sign } });
    expect(Array.from(codes)).toEqual(Array.from(entries.codes));
    for (const header of ["json", "binary"] as const) {
      const q = encodeLayer({ ...quantized, coder: "best", formatVersion: 2 });
      const bytes = serializeContainer({ layers: [encoded, q], format: { version: 2, header } });
      const back = await parseContainer(bytes);
      expect(Array.from(toDenseCodes(back.layers[0]!))).toEqual(Array.from(canonical.codes));
      expect(Array.from(toDense(back.layers[1]!))).toEqual(Array.from(quantized.codes, (c) => quantized.codebook[c]!));
    }
  });

  it("a version-1 file may not hold context-coded streams (INVALID_HEADER)", async () => {
    const rng = Rng.fromSeed(43);
    const layer = makeSparseLayer(rng, "fc/kernel", [400, 120], { density: 0.09, weightBits: 5, indexBits: 4 });
    for (let r = 0; r < 400; r += 3) layer.codes.fill(0, r * 120, (r + 1) * 120);
    const encoded = encodeLayer({ ...layer, coder: "best", formatVersion: 2 });
    expect(encoded.weights.encoding).toBe("arithmetic-context");
    const { data, header, magic } = splitContainer(serializeContainer({ layers: [encoded], format: { version: 2, header: "json" } }));
    // Relabelled as version 1 (preamble and JSON header) with every CRC made right: the version-1 schema refuses the encoding.
    header.version = 1;
    data[8] = 1;
    await expect(parseContainer(sealContainer(data, header, magic))).rejects.toMatchObject({
      code: "INVALID_HEADER",
      message: expect.stringContaining("encoding"),
    });
  });

  it("a quantized layer's context-coded weights (previous sign class only) round-trip", async () => {
    const rng = Rng.fromSeed(42);
    const quantized = makeQuantizedLayer(rng, "conv/kernel", [5, 5, 8, 16], 4);
    // Runs of one sign along the last axis: the previous centroid's sign predicts the next.
    const cb = quantized.codebook;
    const codes = quantized.codes;
    for (let i = 1; i < codes.length; i++)
      if (i % 16 !== 0 && Math.sign(cb[codes[i]!]!) !== Math.sign(cb[codes[i - 1]!]!) && i % 5 !== 0) codes[i] = codes[i - 1]!;
    const encoded = encodeLayer({ ...quantized, codes, coder: "best", formatVersion: 2 });
    const back = await parseContainer(serializeContainer({ layers: [encoded], format: { version: 2, header: "binary" } }));
    const canonical = sortCodebook(codes, cb, false);
    expect(Array.from(toDenseCodes(back.layers[0]!))).toEqual(Array.from(canonical.codes));
    expect(Array.from(toDense(back.layers[0]!))).toEqual(Array.from(codes, (c) => cb[c]!));
    const sorted = canonical.codebook;
    const sign = Uint8Array.from({ length: 16 }, (_, c) => (c >= sorted.length || sorted[c] === 0 ? 0 : sorted[c]! < 0 ? 1 : 2));
    expect(encoded.weights.encoding).toBe("arithmetic-context");
    expect(
      Array.from(decodeSymbols(encoded.weights.bytes, { classes: { sideClasses: 1, previousClasses: 3, previousMap: sign } })),
    ).toEqual(Array.from(canonical.codes));
  });

  it("the binary header is a fraction of the JSON one", () => {
    const input = contents(Rng.fromSeed(5), "best", 2);
    const json = serializeContainer({ ...input, format: { version: 2, header: "json" } });
    const binary = serializeContainer({ ...input, format: { version: 2, header: "binary" } });
    const headerBytes = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(b.length - 16, true);
    expect(json.length - binary.length).toBe(headerBytes(json) - headerBytes(binary));
    expect(headerBytes(binary)).toBeLessThan(headerBytes(json) / 2);
  });

  it("the default is version 1 and its bytes are those of a writer that knows nothing of version 2", () => {
    const a = serializeContainer(contents(Rng.fromSeed(5), "huffman", 1));
    const b = serializeContainer({ ...contents(Rng.fromSeed(5), "huffman", 1), format: { version: 1, header: "json" } });
    expect(b).toEqual(a);
    expect(a[8]).toBe(1);
    expect(
      JSON.parse(new TextDecoder().decode(a.subarray(a.length - 16 - new DataView(a.buffer).getUint32(a.length - 16, true), a.length - 16)))
        .version,
    ).toBe(1);
  });

  it("refuses mixed versions and impossible options with typed errors", () => {
    const rng = Rng.fromSeed(3);
    const input: LayerInput = makeSparseLayer(rng, "w", [10, 10], { density: 0.2, weightBits: 3, indexBits: 2 });
    const v1 = encodeLayer(input);
    const v2 = encodeLayer({ ...input, formatVersion: 2, coder: "best" });
    expect(() => serializeContainer({ layers: [v1], format: { version: 2 } })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(() => serializeContainer({ layers: [v2] })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => serializeContainer({ format: { version: 1, header: "binary" } })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(() => serializeContainer({ format: { version: 3 as 2 } })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => encodeLayer({ ...input, coder: "best" })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

describe("zero tail: every writer makes the shape expressible; readers strict by default (issue 16's rule)", () => {
  it("version 2 stores fillers up to the end, so n <= (s + 1)·2^b and at most 2^b positions follow the last entry", () => {
    const codes = new Uint8Array(1000);
    codes[0] = 1;
    expect(encodeRelativeIndex(codes, 3).fillerCount).toBe(0);
    const strict = encodeRelativeIndex(codes, 3, true);
    // Position 0, then fillers every 8 positions up to 992: 999 - 992 = 7 <= 8 positions follow.
    expect(strict.fillerCount).toBe(124);
    expect((strict.nonzeroCount + strict.fillerCount + 1) * 8).toBeGreaterThanOrEqual(1000);
    for (const n of [1, 8, 9, 10, 17, 64, 65]) {
      const c = new Uint8Array(n);
      const e = encodeRelativeIndex(c, 3, true);
      let last = -1;
      for (const g of e.gaps) last += g + 1;
      expect(n - 1 - last, `n = ${n}`).toBeLessThanOrEqual(8);
      expect(n - 1 - last + (e.gaps.length > 0 ? 8 : 0), `n = ${n}: no filler more than needed`).toBeGreaterThan(0);
    }
  });

  it("a declared zero tail is INVALID_HEADER in version 2; in version 1 a LIMIT_EXCEEDED unless maxZeroTailElements allows it", async () => {
    const codes = new Uint8Array(100);
    codes[0] = 1;
    const layer = { name: "w", shape: [100], codes, codebook: Float32Array.of(0, 1), weightBits: 1, indexBits: 3 };
    const v2 = serializeContainer({ layers: [encodeLayer({ ...layer, formatVersion: 2 })], format: { version: 2 } });
    expect((await parseContainer(v2)).layers[0]!.positions).toEqual(Int32Array.of(0));
    const { data, header, magic } = splitContainer(v2);
    header.entries[0].shape = [1000];
    await expect(parseContainer(sealContainer(data, header, magic))).rejects.toMatchObject({
      code: "INVALID_HEADER",
      message: expect.stringContaining("version 2 stores no zero tail"),
    });
    // The same lie in version 1 (what files written before the tail fillers could hold): refused by default...
    header.version = 1;
    data[8] = 1;
    const legacy = sealContainer(data, header, magic);
    await expect(parseContainer(legacy)).rejects.toMatchObject({
      code: "LIMIT_EXCEEDED",
      message: expect.stringContaining("maxZeroTailElements"),
    });
    // ...and read when the caller allows the tail: 13 entries with 3-bit gaps express (13 + 1)·8 = 112 of 1000 positions.
    expect((await parseContainer(legacy, { maxZeroTailElements: 888 })).layers[0]!.elementCount).toBe(1000);
    await expect(parseContainer(legacy, { maxZeroTailElements: 887 })).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });
  });

  it("version-1 writers add the fillers the rule needs (and no more): their files meet the strict rule too", async () => {
    const rng = Rng.fromSeed("tail");
    for (let t = 0; t < 50; t++) {
      // Non-zeros only before a random cut, so most layers end in a zero run longer than 2^b.
      const n = 1 + rng.int(300);
      const cut = rng.int(n);
      const codes = Uint8Array.from({ length: n }, (_, i) => (i < cut && rng.float() < 0.3 ? 1 : 0));
      const file = serializeContainer({
        layers: [encodeLayer({ name: "w", shape: [n], codes, codebook: Float32Array.of(0, 1), weightBits: 1, indexBits: 2 })],
      });
      const read = await parseContainer(file, { maxZeroTailElements: 0 });
      expect(toDense(read.layers[0]!)).toEqual(Float32Array.from(codes));
    }
  });

  it("a version-2 stream whose entries stop more than 2^b before the end is CORRUPT_STREAM (version 1: the header's bound only)", async () => {
    // 4 entries at positions 0..3 of 12 need no filler; declared as 40 positions, (4 + 1)·8 = 40 passes the header's bound, but 36 follow the last entry.
    const codes = Uint8Array.from({ length: 12 }, (_, i) => (i < 4 ? 1 : 0));
    const v1 = serializeContainer({
      layers: [encodeLayer({ name: "w", shape: [12], codes, codebook: Float32Array.of(0, 1), weightBits: 1, indexBits: 3 })],
    });
    const { data, header, magic } = splitContainer(v1);
    header.entries[0].shape = [40];
    expect((await parseContainer(sealContainer(data, header, magic))).layers[0]!.positions).toEqual(Int32Array.of(0, 1, 2, 3));
    header.version = 2;
    data[8] = 2;
    await expect(parseContainer(sealContainer(data, header, magic))).rejects.toMatchObject({
      code: "CORRUPT_STREAM",
      message: expect.stringContaining("36 positions follow the last entry, at most 8"),
    });
  });
});

describe("binary header: lying counts fail before anything is built", () => {
  const file = serializeContainer({ ...contents(Rng.fromSeed(5), "best", 2), format: { version: 2, header: "binary" } });
  const { data } = splitBinary(file);
  const leb = (v: number) => {
    const out: number[] = [];
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    return [...out, v];
  };

  it.each([
    ["2^50 strings", [...leb(2 ** 50)], /string count/],
    ["a string longer than the header", [1, ...leb(2 ** 40)], /ends inside string 0/],
    ["2^40 entries", [0, ...leb(2 ** 40)], /entry count/],
    ["an array of 2^45 items", [0, 0, 7, ...leb(2 ** 45)], /array length/],
    ["an object of 2^30 keys", [0, 0, 8, ...leb(2 ** 30)], /object size/],
    ["a non-minimal varint", [0x80, 0x00], /non-minimal/],
    ["an unknown tag", [0, 0, 42], /unknown metadata tag 42/],
    ["bytes after the metadata", [0, 0, 0, 0], /after the metadata/],
    ["a string reference past the table", [0, 0, 6, 3], /string 3 of a table of 0/],
    ["NaN", [0, 0, 5, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f], /NaN/],
  ])("%s", async (_, body, message) => {
    await expect(parseContainer(sealBody(data.subarray(0, 16), Uint8Array.from(body)))).rejects.toMatchObject({
      code: "INVALID_HEADER",
      message: expect.stringMatching(message),
    });
  });

  // Compact bodies (coding flag 2): the dictionary string table, Decimal (10) and SameKeys (11).
  it.each([
    ["a dictionary index past the table", [1, ...leb(2 * HEADER_DICTIONARY.length + 1)], /dictionary index/],
    ["a dictionary index before the table", [1, 2], /dictionary index -1/],
    ["a literal of 2^40 bytes", [1, 0, ...leb(2 ** 40)], /ends inside string 0/],
    ["a key list never declared", [0, 0, 11, 0], /key list 0 of 0/],
    ["a decimal scale of 0", [0, 0, 10, 2, 0], /decimal scale 0/],
    ["a decimal scale of 23", [0, 0, 10, 2, 23], /decimal scale 23/],
    // {"a":1} declares key list 0 = ["a"]; then [{...}, SameKeys 0] would need values past the end.
    [
      "a repeated key list with its values missing",
      [1, 0, 1, 0x61, 0, 7, 2, 8, 1, 0, 3, 1, 11, 0],
      /key list of 1 keys cannot fit the 0 bytes left/,
    ],
  ])("compact: %s", async (_, body, message) => {
    await expect(parseContainer(sealBody(data.subarray(0, 16), Uint8Array.from(body), 2))).rejects.toMatchObject({
      code: "INVALID_HEADER",
      message: expect.stringMatching(message),
    });
  });

  it("compact tags in a plain body, and undefined coding bits, are INVALID_HEADER", async () => {
    for (const body of [
      [0, 0, 10, 2, 1],
      [0, 0, 11, 0],
    ])
      await expect(parseContainer(sealBody(data.subarray(0, 16), Uint8Array.from(body)))).rejects.toMatchObject({
        message: expect.stringMatching(/unknown metadata tag 1[01]/),
      });
    await expect(parseContainer(sealBody(data.subarray(0, 16), Uint8Array.of(0, 0, 0), 4))).rejects.toMatchObject({
      code: "INVALID_HEADER",
      message: expect.stringMatching(/body coding 4 is not defined/),
    });
  });

  it("a compact body decodes dictionary strings, literals, decimals and repeated key lists", async () => {
    // Strings: "units" (dictionary, delta from -1 + 1), literal "x"; metadata [{"units":0.5,"x":-2},{same keys: 1.25, "x"}].
    const units = HEADER_DICTIONARY.indexOf("units");
    const body = [2, 1 + 2 * units, 0, 1, 0x78, 0, 7, 2, 8, 2, 0, 10, 10, 1, 1, 4, 1, 11, 0, 10, ...leb(250), 2, 6, 1];
    const file = await parseContainer(sealBody(data.subarray(0, 16), Uint8Array.from(body), 2));
    expect(file.metadata).toEqual([
      { units: 0.5, x: -2 },
      { units: 1.25, x: "x" },
    ]);
  });

  it("FORMAT.md lists the dictionary exactly: every index and string", () => {
    const format = readFileSync(new URL("../FORMAT.md", import.meta.url), "utf8");
    const table = format.slice(format.indexOf("114 strings, index 0 first"));
    const block = table.slice(table.indexOf("```") + 4, table.indexOf("```", table.indexOf("```") + 3));
    const cells = [...block.matchAll(/(\d+) (.+?)(?= {2,}\d+ |\n|$)/g)].map((m) => [Number(m[1]), m[2]]);
    expect(cells).toEqual(HEADER_DICTIONARY.map((value, i) => [i, value]));
  });

  it("version-2 files written before the compact body still read: FORMAT.md's plain example", async () => {
    const body = [0x01, 0x01, 0x61, 0x00, 0x08, 0x01, 0x00, 0x07, 0x03, 0x03, 0x01, 0x04, 0x01, 0x09, 0x00, 0x00, 0x00, 0x3f];
    expect((await parseContainer(sealBody(data.subarray(0, 16), Uint8Array.from(body)))).metadata).toEqual({ a: [1, -2, 0.5] });
    // Today's writer makes it compact (FORMAT.md's second example): 0.5 as a decimal, 5 × 10^-1, in 3 bytes instead of 5.
    const written = splitBinary(serializeContainer({ metadata: { a: [1, -2, 0.5] }, format: { version: 2, header: "binary" } }));
    expect(written.flags).toBe(2);
    expect([...written.body]).toEqual([
      0x01, 0x00, 0x01, 0x61, 0x00, 0x08, 0x01, 0x00, 0x07, 0x03, 0x03, 0x01, 0x04, 0x01, 0x0a, 0x0a, 0x01,
    ]);
  });

  it("an empty file's header decodes; metadata nested past maxMetadataDepth is LIMIT_EXCEEDED", async () => {
    expect((await parseContainer(sealBody(data.subarray(0, 16), Uint8Array.of(0, 0, 0)))).metadata).toBeNull();
    const deep = [0, 0, ...Array.from({ length: 300 }, () => [7, 1]).flat(), 0];
    await expect(parseContainer(sealBody(data.subarray(0, 16), Uint8Array.from(deep)))).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });
    expect(await parseContainer(sealBody(data.subarray(0, 16), Uint8Array.from(deep)), { maxMetadataDepth: 400 })).toBeTruthy();
  });

  it("an arithmetic-coded body declaring more bytes than maxHeaderBytes is refused before decoding", async () => {
    // Stream: version 2, count 2^31 - 1, alphabet 256, centre 0, model byte, 4 payload bytes.
    const header = Uint8Array.of(1, 1, 2, ...leb(2 ** 31 - 1), ...leb(255), 0, 0x08, 0, 0, 0, 0);
    const { sealHeaderBytes } = await import("../test/reseal-v2.js");
    const error = await parseContainer(sealHeaderBytes(data.subarray(0, 16), header)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: expect.stringMatching(/INVALID_HEADER|LIMIT_EXCEEDED/) });
  });
});
