import { Rng } from "@dcnpi/tensor";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeRelativeIndex, encodeRelativeIndex } from "./relative-index.js";

describe("relative index with filler zeros", () => {
  it("reproduces Figure 2: non-zeros at 1, 4, 15 of 16 with 3-bit indices need a filler at 12", () => {
    const codes = new Uint8Array(16);
    codes[1] = 5; // any non-zero codes
    codes[4] = 6;
    codes[15] = 7;
    const entries = encodeRelativeIndex(codes, 3);
    // Gaps are 2, 3, 11: 11 > 2^3, so a filler sits 8 after position 4 (at 12), then a gap of 3.
    // Stored values are gap - 1 (counting from position -1); the paper's figure counts the first
    // difference from position 0 and so shows 1, 3, 8, 3 where we store 1, 2, 7, 2.
    expect(Array.from(entries.gaps)).toEqual([1, 2, 7, 2]);
    expect(Array.from(entries.codes)).toEqual([5, 6, 0, 7]);
    expect(entries.nonzeroCount).toBe(3);
    expect(entries.fillerCount).toBe(1);
    const back = decodeRelativeIndex(entries.codes, entries.gaps, 16);
    expect(Array.from(back.positions)).toEqual([1, 4, 15]);
    expect(Array.from(back.codes)).toEqual([5, 6, 7]);
    expect(back.fillerCount).toBe(1);
  });

  it("reaches gaps 1..2^b without a filler and needs one for 2^b + 1", () => {
    for (const bits of [1, 3, 5]) {
      const reach = 2 ** bits;
      const fits = new Uint8Array(reach);
      fits[reach - 1] = 1; // gap from -1 is exactly 2^b
      expect(encodeRelativeIndex(fits, bits).fillerCount).toBe(0);
      const over = new Uint8Array(reach + 1);
      over[reach] = 1;
      const entries = encodeRelativeIndex(over, bits);
      expect(entries.fillerCount).toBe(1);
      expect(Array.from(entries.gaps)).toEqual([reach - 1, 0]);
    }
  });

  it("round-trips any code array and keeps every gap within b bits", () => {
    const arb = fc.record({
      bits: fc.integer({ min: 1, max: 8 }),
      codes: fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 31 })), { maxLength: 400 }),
    });
    fc.assert(
      fc.property(arb, ({ bits, codes }) => {
        const entries = encodeRelativeIndex(codes, bits);
        expect(entries.gaps.every((g) => g < 2 ** bits)).toBe(true);
        entries.codes.forEach((c, k) => {
          if (c === 0) expect(entries.gaps[k]).toBe(2 ** bits - 1); // fillers always jump the full reach
        });
        const back = decodeRelativeIndex(entries.codes, entries.gaps, codes.length);
        const dense = new Array<number>(codes.length).fill(0);
        back.positions.forEach((p, k) => (dense[p] = back.codes[k]!));
        expect(dense).toEqual(codes);
      }),
      { numRuns: 300 },
    );
  });

  it("counts fillers as ceil(gap / 2^b) - 1 per non-zero on a large random layer", () => {
    const rng = Rng.fromSeed("relative-index/large");
    const codes = new Uint8Array(200_000);
    for (let i = 0; i < codes.length; i++) if (rng.float() < 0.05) codes[i] = 1 + rng.int(31);
    const entries = encodeRelativeIndex(codes, 4);
    let previous = -1;
    let expected = 0;
    codes.forEach((c, i) => {
      if (c !== 0) {
        expected += Math.ceil((i - previous) / 16) - 1;
        previous = i;
      }
    });
    expect(entries.fillerCount).toBe(expected);
    expect(entries.fillerCount).toBeGreaterThan(0);
  });

  it("rejects entries that run past the end of the tensor", () => {
    expect(() => decodeRelativeIndex([1, 1], [3, 3], 6)).toThrow(expect.objectContaining({ code: "CORRUPT_STREAM" }));
    expect(() => decodeRelativeIndex([1], [0, 1], 6)).toThrow(expect.objectContaining({ code: "CORRUPT_STREAM" }));
    expect(() => encodeRelativeIndex([1], 0)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
