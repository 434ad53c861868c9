import { describe, expect, it } from "vitest";
import {
  decodeSymbols,
  decodeSymbolsInto,
  encodeSymbolsDetailed,
  encodeWithVersion,
  estimateEncodedBytes,
  readStreamHeader,
} from "./arithmetic-stream.js";
import { MAX_CONTEXT_CLASSES, type ContextClasses } from "./bit-tree.js";
import { expectArithmeticError } from "./test-errors.js";
import { seededRandom, sparseStreams } from "./test-random.js";

/*
 * Class-coded streams (model byte bit 6): one tree per context class, the class of each symbol given
 * by the caller. The streams here have the structure of a pruned layer's relative-index streams
 * (sparse-format's FORMAT.md, "arithmetic-context"): a code is 0 only where its gap is the largest,
 * fillers come in runs, signs cluster.
 */

/** The weight-code classes of sparse-format: side = gap is the largest; previous = sign class of the previous code. */
function codeClasses(side: Uint8Array, codeCount: number): ContextClasses {
  const previousMap = Uint8Array.from({ length: codeCount }, (_, c) => (c === 0 ? 0 : c <= (codeCount - 1) >> 1 ? 1 : 2));
  return { sideClasses: 2, side, previousClasses: 3, previousMap };
}

/** The gap classes: the previous gap's bucket {0-1, 2-7, 8..max-1, max}. */
function gapClasses(maxGap: number): ContextClasses {
  const previousMap = Uint8Array.from({ length: maxGap }, (_, g) => (g === maxGap - 1 ? 3 : g <= 1 ? 0 : g <= 7 ? 1 : 2));
  return { sideClasses: 1, previousClasses: 4, previousMap };
}

describe("class-coded streams", () => {
  it("round-trip exactly (balanced and shaped trees, 40 seeded layers) and are smaller than plain streams where the classes carry information", () => {
    let plainTotal = 0;
    let classedTotal = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed);
      const indexBits = 3 + (seed % 3);
      const codeCount = 1 << (4 + (seed % 3));
      const layer = sparseStreams(random, 20 + (seed % 30), 100 + 7 * seed, 0.03 + random() * 0.1, codeCount, indexBits);
      for (const [symbols, alphabetSize, classes] of [
        [layer.codes, codeCount, codeClasses(layer.side, codeCount)],
        [layer.gaps, 2 ** indexBits, gapClasses(2 ** indexBits)],
      ] as const) {
        for (const tree of ["auto", "balanced", "shaped"] as const) {
          if (tree === "shaped" && new Set(symbols).size < 2) continue;
          const encoded = encodeWithVersion(symbols, { alphabetSize, classes }, undefined, tree);
          expect(Array.from(decodeSymbols(encoded.bytes, { classes }))).toEqual(Array.from(symbols));
          const into = new Uint8Array(symbols.length);
          expect(decodeSymbolsInto(encoded.bytes, into, { classes, maxAlphabetSize: alphabetSize })).toBe(symbols.length);
          expect(into).toEqual(symbols);
          if (tree === "auto") {
            classedTotal += encoded.bytes.length;
            plainTotal += encodeSymbolsDetailed(symbols, { alphabetSize }).bytes.length;
            // The estimate is the coder's size up to its rounding (same rule as plain streams: ±0.5 % + 4 bytes).
            const estimate = estimateEncodedBytes(symbols, { alphabetSize, classes });
            expect(Math.abs(estimate - encoded.bytes.length)).toBeLessThanOrEqual(4 + encoded.bytes.length * 0.005);
          }
        }
      }
    }
    console.log(`class-coded ${classedTotal} B against plain ${plainTotal} B over 40 synthetic layers`);
    expect(classedTotal).toBeLessThan(plainTotal * 0.95);
  });

  it("keeps the documented bytes for a small example (format stability)", () => {
    const symbols = [3, 1, 0, 0, 2, 3, 1, 2];
    const classes: ContextClasses = {
      sideClasses: 2,
      side: Uint8Array.from([0, 0, 1, 1, 1, 0, 0, 0]),
      previousClasses: 2,
      previousMap: Uint8Array.from([0, 1, 1, 0]),
    };
    const encoded = encodeSymbolsDetailed(symbols, { alphabetSize: 4, classes });
    // Model byte 0x44: rate shift 4, class-coded; class byte 0x11: 2 side classes, 2 previous classes.
    expect(Array.from(encoded.bytes.subarray(0, 6))).toEqual([0x02, 0x08, 0x03, 0x00, 0x44, 0x11]);
    expect(Array.from(encoded.bytes)).toEqual([0x02, 0x08, 0x03, 0x00, 0x44, 0x11, 0x1b, 0xc7, 0x1a, 0x94, 0xe0]);
    expect(Array.from(decodeSymbols(encoded.bytes, { classes }))).toEqual(symbols);
    expect(readStreamHeader(encoded.bytes).classCounts).toEqual({ sideClasses: 2, previousClasses: 2 });
  });

  it("refuses a decode with the wrong class definition, or none, or one for a plain stream (CLASS_MISMATCH)", () => {
    const layer = sparseStreams(seededRandom(5), 30, 200, 0.08, 32, 5);
    const classes = codeClasses(layer.side, 32);
    const bytes = encodeSymbolsDetailed(layer.codes, { alphabetSize: 32, classes }).bytes;
    expect(expectArithmeticError(() => decodeSymbols(bytes)).code).toBe("CLASS_MISMATCH");
    expect(expectArithmeticError(() => decodeSymbols(bytes, { classes: gapClasses(32) })).code).toBe("CLASS_MISMATCH");
    const shortSide = { ...classes, side: classes.side!.subarray(1) };
    expect(expectArithmeticError(() => decodeSymbols(bytes, { classes: shortSide })).code).toBe("CLASS_MISMATCH");
    const badMap = { ...classes, previousMap: new Uint8Array(32).fill(3) };
    expect(expectArithmeticError(() => decodeSymbols(bytes, { classes: badMap })).code).toBe("CLASS_MISMATCH");
    const plain = encodeSymbolsDetailed(layer.codes, { alphabetSize: 32 }).bytes;
    expect(expectArithmeticError(() => decodeSymbols(plain, { classes })).code).toBe("CLASS_MISMATCH");
    // A class byte declaring more than 16 trees is CORRUPT before any state is allocated.
    const lying = bytes.slice();
    const modelAt = readStreamHeader(bytes).payloadOffset - 2; // model byte, class byte, payload (a small stream: balanced tree)
    expect(lying[modelAt]! & 0x60).toBe(0x40);
    lying[modelAt + 1] = 0x33; // 4 x 4 = 16: allowed, but not the definition
    expect(expectArithmeticError(() => decodeSymbols(lying, { classes })).code).toBe("CLASS_MISMATCH");
    lying[modelAt + 1] = 0x34; // 4 x 5 = 20 > MAX_CONTEXT_CLASSES
    expect(expectArithmeticError(() => decodeSymbols(lying, { classes })).code).toBe("CORRUPT");
    expect(MAX_CONTEXT_CLASSES).toBe(16);
  });

  it("rejects invalid class definitions when encoding (INVALID_ARGUMENT)", () => {
    const symbols = [1, 2, 3, 0];
    const bad: ContextClasses[] = [
      { sideClasses: 0, previousClasses: 1 },
      { sideClasses: 5, side: new Uint8Array(4), previousClasses: 4, previousMap: new Uint8Array(4) },
      { sideClasses: 2, side: new Uint8Array(3), previousClasses: 1 },
      { sideClasses: 2, side: Uint8Array.from([0, 1, 2, 0]), previousClasses: 1 },
      { sideClasses: 1, previousClasses: 2, previousMap: new Uint8Array(3) },
    ];
    for (const classes of bad)
      expect(expectArithmeticError(() => encodeSymbolsDetailed(symbols, { alphabetSize: 4, classes })).code).toBe("INVALID_ARGUMENT");
    const wide = { sideClasses: 1, previousClasses: 1 };
    expect(expectArithmeticError(() => encodeSymbolsDetailed([300], { classes: wide })).code).toBe("INVALID_ARGUMENT");
  });
});
