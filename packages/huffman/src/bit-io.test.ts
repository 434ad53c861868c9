import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BitReader } from "./bit-reader.js";
import { BitWriter, reverseBits } from "./bit-writer.js";

describe("BitWriter / BitReader", () => {
  it("round-trips any sequence of (value, width) fields, LSB-first", () => {
    const field = fc.integer({ min: 0, max: 24 }).chain((w) => fc.tuple(fc.constant(w), fc.integer({ min: 0, max: 2 ** w - 1 })));
    fc.assert(
      fc.property(fc.array(field, { maxLength: 200 }), (fields) => {
        const writer = new BitWriter(1);
        for (const [w, v] of fields) writer.writeBits(v, w);
        const total = fields.reduce((sum, [w]) => sum + w, 0);
        expect(writer.bitLength).toBe(total);
        const bytes = writer.toBytes();
        expect(bytes.length).toBe(Math.ceil(total / 8));
        const reader = new BitReader(bytes);
        for (const [w, v] of fields) expect(reader.readBits(w)).toBe(v);
        reader.alignToByte();
        expect(reader.bitsRemaining).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("puts the first bit written in bit 0 of byte 0", () => {
    const writer = new BitWriter();
    writer.writeBits(1, 1);
    writer.writeBits(0b10, 2);
    writer.writeBits(0b11111, 5);
    writer.writeBits(0xabc, 12);
    expect(Array.from(writer.toBytes())).toEqual([0b11111101, 0xbc, 0x0a]);
  });

  it("throws TRUNCATED when reading past the end and TRAILING_DATA on non-zero padding", () => {
    const reader = new BitReader(Uint8Array.from([0xff]));
    expect(reader.readBits(3)).toBe(7);
    expect(() => reader.readBits(6)).toThrow(expect.objectContaining({ code: "TRUNCATED" }));
    expect(() => reader.alignToByte()).toThrow(expect.objectContaining({ code: "TRAILING_DATA" }));
  });

  it("reverses bit order within a length", () => {
    expect(reverseBits(0b0011, 4)).toBe(0b1100);
    expect(reverseBits(0b1, 16)).toBe(0x8000);
    expect(reverseBits(0, 0)).toBe(0);
  });
});
