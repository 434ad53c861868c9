import { describe, expect, it } from "vitest";
import {
  MAX_SYMBOLS_PER_PAYLOAD_BYTE,
  MAX_TREE_BINS_PER_PAYLOAD_BYTE,
  decodeSymbols,
  encodeSymbols,
  encodeWithVersion,
} from "./arithmetic-stream.js";
import type { ContextClasses } from "./bit-tree.js";
import { ArithmeticError } from "./errors.js";
import { geometricGaps, laplacianCodes, seededRandom, sparseStreams } from "./test-random.js";

/*
 * Untrusted bytes: every mutated or truncated stream, of either format version, either decodes
 * (to at most the larger of the two versions' symbols per byte) or throws an ArithmeticError; never another
 * error, never a hang (each decode is bounded by its declared count, itself bounded by the bytes).
 */

const random = seededRandom(0xdc0de);
const codes = laplacianCodes(random, 2000, 32, 15, 3);
const gaps = geometricGaps(random, 1500, 0.2, 31);
// Class-coded streams (model byte bit 6), decoded with their class definition: a pruned layer's codes and gaps.
const layer = sparseStreams(random, 24, 150, 0.08, 32, 4);
const codeClasses: ContextClasses = {
  sideClasses: 2,
  side: layer.side,
  previousClasses: 3,
  previousMap: Uint8Array.from({ length: 32 }, (_, c) => (c === 0 ? 0 : c <= 15 ? 1 : 2)),
};
const gapClasses: ContextClasses = {
  sideClasses: 1,
  previousClasses: 4,
  previousMap: Uint8Array.from({ length: 16 }, (_, g) => (g === 15 ? 3 : g <= 1 ? 0 : g <= 7 ? 1 : 2)),
};
const classedSeeds: { bytes: Uint8Array; classes: ContextClasses }[] = [
  { bytes: encodeSymbols(layer.codes, { alphabetSize: 32, classes: codeClasses }), classes: codeClasses },
  { bytes: encodeSymbols(layer.gaps, { alphabetSize: 16, classes: gapClasses }), classes: gapClasses },
  { bytes: encodeWithVersion(layer.codes, { alphabetSize: 32, classes: codeClasses }, 2, "shaped").bytes, classes: codeClasses },
];
const plainSeeds = [
  // Version 2 (alphabets up to 256).
  encodeSymbols(codes, { alphabetSize: 32 }),
  encodeSymbols(gaps, { alphabetSize: 32 }),
  encodeSymbols(laplacianCodes(random, 800, 256, 128, 20), { alphabetSize: 256 }),
  encodeSymbols(new Uint8Array(5000).fill(4), { alphabetSize: 8 }),
  encodeSymbols([2, 0, 1]),
  encodeWithVersion(codes, { alphabetSize: 32 }, 2, "shaped").bytes,
  encodeWithVersion(laplacianCodes(random, 600, 256, 128, 20), { alphabetSize: 256 }, 2, "shaped").bytes,
  // Version 1 (larger alphabets, and on request).
  encodeSymbols(laplacianCodes(random, 300, 65_536, 30_000, 3000)),
  encodeWithVersion(codes, { alphabetSize: 32 }, 1).bytes,
  encodeWithVersion(gaps, { alphabetSize: 32 }, 1).bytes,
];
const seeds: { bytes: Uint8Array; classes?: ContextClasses }[] = [...plainSeeds.map((bytes) => ({ bytes })), ...classedSeeds];
const MAX_SYMBOLS_PER_BYTE = Math.max(MAX_SYMBOLS_PER_PAYLOAD_BYTE, MAX_TREE_BINS_PER_PAYLOAD_BYTE);

type Outcome = "decoded" | ArithmeticError["code"];

function attempt(bytes: Uint8Array, classes?: ContextClasses): Outcome {
  try {
    const out = decodeSymbols(bytes, classes === undefined ? {} : { classes });
    expect(out.length).toBeLessThanOrEqual(MAX_SYMBOLS_PER_BYTE * bytes.length);
    return "decoded";
  } catch (error) {
    if (!(error instanceof ArithmeticError)) throw error;
    return error.code;
  }
}

describe("corrupt input", () => {
  it("fails every truncation of every seed stream (TRUNCATED, COUNT_TOO_LARGE, or CORRUPT from the end check)", () => {
    let cuts = 0;
    for (const { bytes: valid, classes } of seeds) {
      expect(attempt(valid, classes)).toBe("decoded");
      for (let cut = 0; cut < valid.length; cut++) {
        expect(["TRUNCATED", "COUNT_TOO_LARGE", "CORRUPT"]).toContain(attempt(valid.subarray(0, cut), classes));
        cuts++;
      }
    }
    expect(cuts).toBeGreaterThan(2500);
  });

  it("gives a typed error or a bounded decode for 12,000 seeded mutations (byte flips, bit flips, insertions, deletions)", () => {
    const outcomes = mutationOutcomes(seeds, 12_000, 17);
    console.log("arithmetic fuzz outcomes:", Object.fromEntries(outcomes));
    // The end check rejects all but ~1/65,536 of damaged payloads; the rest decode to other symbols.
    expect((outcomes.get("decoded") ?? 0) / 12_000).toBeLessThan(0.01);
    expect([...outcomes.keys()].length).toBeGreaterThan(3);
  });

  it("gives a typed error or a bounded decode for 10,000 mutations of class-coded streams", () => {
    const outcomes = mutationOutcomes(classedSeeds, 10_000, 1717);
    console.log("class-coded fuzz outcomes:", Object.fromEntries(outcomes));
    expect((outcomes.get("decoded") ?? 0) / 10_000).toBeLessThan(0.01);
    expect(outcomes.get("CLASS_MISMATCH") ?? 0).toBeGreaterThan(0);
  });
});

function mutationOutcomes(
  pool: readonly { bytes: Uint8Array; classes?: ContextClasses }[],
  count: number,
  seed: number,
): Map<Outcome, number> {
  const rng = seededRandom(seed);
  const outcomes = new Map<Outcome, number>();
  for (let i = 0; i < count; i++) {
    const { bytes: valid, classes } = pool[i % pool.length]!;
    let bytes: Uint8Array = valid.slice();
    const edits = 1 + Math.floor(rng() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rng() * bytes.length);
      const kind = rng();
      // Header bytes are hit a quarter of the time so the varint and centre checks see mutations.
      const where = kind < 0.25 ? Math.min(at, 6 + Math.floor(rng() * 16)) : at; // header, model and class bytes, length table
      if (kind < 0.6) bytes[where] = bytes[where]! ^ (1 + Math.floor(rng() * 255));
      else if (kind < 0.8) bytes[where] = bytes[where]! ^ (1 << Math.floor(rng() * 8));
      else if (kind < 0.9) bytes = Uint8Array.from([...bytes.subarray(0, where), Math.floor(rng() * 256), ...bytes.subarray(where)]);
      else bytes = Uint8Array.from([...bytes.subarray(0, where), ...bytes.subarray(where + 1)]);
    }
    const outcome = attempt(bytes, classes);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  return outcomes;
}
