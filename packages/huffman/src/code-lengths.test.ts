import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildCanonicalCode, validateCodeLengths } from "./canonical-code.js";
import { buildCodeLengths, countFrequencies } from "./code-lengths.js";
import { HuffmanError } from "./errors.js";

/** Cost of an unrestricted Huffman code, by the textbook two-smallest merge (a reference, O(n^2)). */
function huffmanCost(frequencies: number[]): number {
  const live = frequencies.filter((f) => f > 0);
  if (live.length <= 1) return live.length === 1 ? live[0]! : 0;
  let cost = 0;
  while (live.length > 1) {
    live.sort((a, b) => a - b);
    const merged = live.shift()! + live.shift()!;
    cost += merged;
    live.push(merged);
  }
  return cost;
}

function cost(frequencies: ArrayLike<number>, lengths: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < frequencies.length; i++) total += frequencies[i]! * lengths[i]!;
  return total;
}

/** Every length vector over 1..maxLength satisfying Kraft, searched for the cheapest (small n only). */
function bruteForceLimitedCost(frequencies: number[], maxLength: number): number {
  let best = Infinity;
  const n = frequencies.length;
  const lengths = new Array<number>(n).fill(1);
  const visit = (i: number, kraft: number): void => {
    if (kraft > 1 + 1e-12) return;
    if (i === n) {
      best = Math.min(best, cost(frequencies, lengths));
      return;
    }
    for (let l = 1; l <= maxLength; l++) {
      lengths[i] = l;
      visit(i + 1, kraft + 2 ** -l);
    }
  };
  visit(0, 0);
  return best;
}

describe("buildCodeLengths", () => {
  it("matches the cost of an unrestricted Huffman code when the limit does not bind", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 0, maxLength: 40 }), (freqs) => {
        const lengths = buildCodeLengths(freqs);
        const used = freqs.filter((f) => f > 0).length;
        if (used >= 2) expect(cost(freqs, lengths)).toBe(huffmanCost(freqs));
        validateCodeLengths(lengths);
        freqs.forEach((f, s) => expect(lengths[s]! > 0).toBe(f > 0));
      }),
      { numRuns: 300 },
    );
  });

  it("is optimal under a binding length limit (checked against exhaustive search)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 2, maxLength: 6 }),
        fc.integer({ min: 3, max: 4 }),
        (freqs, maxLength) => {
          const lengths = buildCodeLengths(freqs, { maxCodeLength: maxLength });
          expect(Math.max(...lengths)).toBeLessThanOrEqual(maxLength);
          validateCodeLengths(lengths);
          expect(cost(freqs, lengths)).toBe(bruteForceLimitedCost(freqs, maxLength));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("keeps very skewed (Fibonacci) distributions within the limit and the code complete", () => {
    const fib = [1, 1];
    while (fib.length < 40) fib.push(fib[fib.length - 1]! + fib[fib.length - 2]!);
    expect(Math.max(...buildCodeLengths(fib, { maxCodeLength: 16 }))).toBe(16);
    for (const limit of [6, 8, 12, 16]) {
      const lengths = buildCodeLengths(fib, { maxCodeLength: limit });
      expect(Math.max(...lengths)).toBe(limit);
      validateCodeLengths(lengths);
      // More frequent symbols never get longer codes.
      for (let s = 1; s < fib.length; s++) expect(lengths[s]!).toBeLessThanOrEqual(lengths[s - 1]!);
    }
  });

  it("gives one 1-bit codeword to a single used symbol and nothing to an empty alphabet", () => {
    expect(Array.from(buildCodeLengths([0, 0, 9, 0]))).toEqual([0, 0, 1, 0]);
    expect(Array.from(buildCodeLengths([0, 0]))).toEqual([0, 0]);
    expect(Array.from(buildCodeLengths([]))).toEqual([]);
  });

  it("covers an alphabet of 65,536 distinct symbols with 16-bit codes", () => {
    const lengths = buildCodeLengths(new Uint32Array(65_536).fill(1));
    expect(lengths.every((l) => l === 16)).toBe(true);
    expect(() => buildCodeLengths(new Uint32Array(65_536).fill(1), { maxCodeLength: 15 })).toThrow(HuffmanError);
  });

  it("breaks ties by symbol index, so equal counts give the same lengths every time", () => {
    const freqs = [5, 5, 5, 5, 5];
    const first = Array.from(buildCodeLengths(freqs));
    expect(first).toEqual([3, 3, 2, 2, 2]);
    expect(Array.from(buildCodeLengths(freqs))).toEqual(first);
  });

  it("rejects bad frequencies and options with INVALID_ARGUMENT", () => {
    expect(() => buildCodeLengths([1, -1])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => buildCodeLengths([1, 1.5])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => buildCodeLengths([1, 2], { maxCodeLength: 17 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => buildCodeLengths([1, 1, 1], { maxCodeLength: 1 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => countFrequencies([0, 4], 4)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

describe("buildCanonicalCode", () => {
  it("assigns RFC 1951's example codewords (lengths 3,3,3,3,3,2,4,4)", () => {
    const code = buildCanonicalCode(Uint8Array.from([3, 3, 3, 3, 3, 2, 4, 4]));
    const bits = Array.from(code.codewords, (c, s) => c.toString(2).padStart(code.lengths[s]!, "0"));
    expect(bits).toEqual(["010", "011", "100", "101", "110", "00", "1110", "1111"]);
    expect(code.reversedCodewords[6]).toBe(0b0111);
  });

  it("rejects over-subscribed and incomplete codes", () => {
    expect(() => buildCanonicalCode(Uint8Array.from([1, 1, 1]))).toThrow(expect.objectContaining({ code: "KRAFT_VIOLATION" }));
    expect(() => buildCanonicalCode(Uint8Array.from([1, 2]))).toThrow(expect.objectContaining({ code: "INCOMPLETE_CODE" }));
    expect(() => buildCanonicalCode(Uint8Array.from([2]))).toThrow(expect.objectContaining({ code: "INCOMPLETE_CODE" }));
    expect(() => buildCanonicalCode(Uint8Array.from([17, 1]))).toThrow(expect.objectContaining({ code: "INVALID_CODE_LENGTHS" }));
  });
});
