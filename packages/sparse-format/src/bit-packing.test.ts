import { Rng } from "@dcnpi/tensor";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packBits, packedByteLength, unpackBits } from "./bit-packing.js";
import { SparseFormatError } from "./errors.js";

describe("packBits / unpackBits", () => {
  it("round-trips exactly for every width b = 1..16, including 0 and 2^b - 1", () => {
    const rng = Rng.fromSeed("bit-packing");
    for (let bits = 1; bits <= 16; bits++) {
      for (const count of [0, 1, 7, 8, 9, 1000]) {
        const values = new Uint16Array(count);
        for (let i = 0; i < count; i++) values[i] = i % 3 === 0 ? 2 ** bits - 1 : i % 5 === 0 ? 0 : rng.int(2 ** bits);
        const packed = packBits(values, bits);
        expect(packed.length).toBe(packedByteLength(count, bits));
        expect(unpackBits(packed, bits, count)).toEqual(values);
      }
    }
  });

  it("round-trips random arrays at random widths (property)", () => {
    const arb = fc
      .integer({ min: 1, max: 16 })
      .chain((bits) => fc.tuple(fc.constant(bits), fc.array(fc.integer({ min: 0, max: 2 ** bits - 1 }), { maxLength: 300 })));
    fc.assert(
      fc.property(arb, ([bits, values]) => {
        expect(Array.from(unpackBits(packBits(values, bits), bits, values.length))).toEqual(values);
      }),
      { numRuns: 300 },
    );
  });

  it("packs LSB-first with no alignment: the Figure 2 gaps 1,2,7,2 at 3 bits", () => {
    // 001 | 010 | 111 | 010 from bit 0 up: bits 1,0,0, 0,1,0, 1,1,1, 0,1,0
    expect(Array.from(packBits([1, 2, 7, 2], 3))).toEqual([0b11010001, 0b0101]);
  });

  it("rejects values that do not fit, wrong lengths and non-zero padding", () => {
    expect(() => packBits([8], 3)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => packBits([1], 17)).toThrow(SparseFormatError);
    expect(() => unpackBits(Uint8Array.of(1, 2), 3, 2)).toThrow(expect.objectContaining({ code: "CORRUPT_STREAM" }));
    expect(() => unpackBits(Uint8Array.of(0b10000001), 3, 2)).toThrow(expect.objectContaining({ code: "CORRUPT_STREAM" }));
  });
});
