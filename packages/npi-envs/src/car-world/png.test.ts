import * as zlib from "node:zlib";
import { crc32 } from "@dcnpi/base";
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { CarWorldError } from "./car-world-error.js";
import { adler32, decodeStoredPng, encodePng, readPngChunks, zlibStored, type RgbImage } from "./png.js";

function randomImage(width: number, height: number, seed: number): RgbImage {
  const rng = Rng.fromSeed(seed).fork("png-test");
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, () => rng.int(256)) };
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
/** Byte equality without vitest's element-by-element diffing (slow on big arrays). */
const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe("PNG writer", () => {
  it("checksums match their published check values and node:zlib (inflateSync below also verifies our Adler-32 trailers)", () => {
    expect(crc32(ascii("123456789"))).toBe(0xcbf43926);
    expect(adler32(ascii("Wikipedia"))).toBe(0x11e60398);
    const big = randomImage(300, 200, 1).data;
    if ("crc32" in zlib) expect(crc32(big)).toBe((zlib as unknown as { crc32(b: Uint8Array): number }).crc32(big));
  });

  it("stored-block zlib streams inflate with node:zlib to the input, across the 64 KiB block limit", () => {
    for (const length of [0, 1, 65535, 65536, 200_000]) {
      const raw = Uint8Array.from({ length }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
      expect(sameBytes(zlib.inflateSync(zlibStored(raw)), raw)).toBe(true);
    }
  });

  it("round-trips images through the stored encoder, and node:zlib reads the same pixels back", () => {
    for (const [w, h] of [
      [1, 1],
      [64, 64],
      [130, 200],
    ] as const) {
      const image = randomImage(w, h, w * 1000 + h);
      const file = encodePng(image);
      const decoded = decodeStoredPng(file);
      expect(decoded.width).toBe(w);
      expect(decoded.height).toBe(h);
      expect(sameBytes(decoded.data, image.data)).toBe(true);
      const chunks = readPngChunks(file);
      expect(chunks.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
      const raw = new Uint8Array(zlib.inflateSync(chunks[1]!.data));
      expect(raw.length).toBe(h * (3 * w + 1));
      for (let y = 0; y < h; y++) {
        expect(raw[y * (3 * w + 1)]).toBe(0);
        expect(sameBytes(raw.subarray(y * (3 * w + 1) + 1, (y + 1) * (3 * w + 1)), image.data.subarray(y * 3 * w, (y + 1) * 3 * w))).toBe(
          true,
        );
      }
    }
  });

  it("takes a deflate function for smaller files", () => {
    const flat: RgbImage = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(200) };
    const stored = encodePng(flat);
    const compressed = encodePng(flat, { deflate: (raw) => zlib.deflateSync(raw) });
    expect(compressed.length).toBeLessThan(stored.length / 20);
    const raw = new Uint8Array(zlib.inflateSync(readPngChunks(compressed)[1]!.data));
    expect(raw.length).toBe(64 * (64 * 3 + 1));
  });

  it("rejects bad images and damaged files with typed errors", () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof CarWorldError ? e.code : "other";
      }
      return "none";
    };
    expect(code(() => encodePng({ width: 2, height: 2, data: new Uint8Array(11) }))).toBe("INVALID_IMAGE");
    expect(code(() => encodePng({ width: 2.5, height: 2, data: new Uint8Array(15) }))).toBe("INVALID_IMAGE");
    const file = encodePng(randomImage(4, 4, 2));
    const damaged = file.slice();
    damaged[40] = damaged[40]! ^ 1; // inside IDAT
    expect(code(() => decodeStoredPng(damaged))).toBe("INVALID_PNG");
    const notPng = file.slice();
    notPng[1] = 0;
    expect(code(() => readPngChunks(notPng))).toBe("INVALID_PNG");
    expect(code(() => decodeStoredPng(file.subarray(0, 30)))).toBe("INVALID_PNG");
  });
});
