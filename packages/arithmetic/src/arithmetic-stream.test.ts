import { describe, expect, it } from "vitest";
import {
  MAX_SYMBOLS_PER_PAYLOAD_BYTE,
  MAX_TREE_BINS_PER_PAYLOAD_BYTE,
  decodeSymbols,
  decodeSymbolsFrom,
  decodeSymbolsInto,
  encodeSymbols,
  encodeSymbolsDetailed,
  encodeWithVersion,
  estimateEncodedBytes,
  readStreamHeader,
} from "./arithmetic-stream.js";
import { expectArithmeticError } from "./test-errors.js";
import { geometricGaps, laplacianCodes, seededRandom } from "./test-random.js";

function roundTrip(symbols: ArrayLike<number>, alphabetSize?: number, version?: number, tree?: "balanced" | "shaped"): Uint8Array {
  const bytes = encodeWithVersion(symbols, alphabetSize === undefined ? {} : { alphabetSize }, version, tree).bytes;
  expect(Array.from(decodeSymbols(bytes))).toEqual(Array.from(symbols));
  return bytes;
}

function entropyBits(symbols: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < symbols.length; i++) counts.set(symbols[i]!, (counts.get(symbols[i]!) ?? 0) + 1);
  let bits = 0;
  for (const c of counts.values()) bits -= c * Math.log2(c / symbols.length);
  return bits;
}

describe("encodeSymbols / decodeSymbols", () => {
  it("round-trips random skewed streams exactly in both versions (300 seeded shapes: codes 2-8 bits, gaps, any centre)", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const bits = 2 + (seed % 7);
      const alphabetSize = 1 << bits;
      const count = Math.floor(random() * 3000);
      const symbols =
        seed % 3 === 0
          ? geometricGaps(random, count, 0.05 + random() * 0.6, alphabetSize - 1)
          : laplacianCodes(random, count, alphabetSize, random() * alphabetSize, 0.3 + random() * alphabetSize * 0.3);
      roundTrip(symbols, seed % 2 === 0 ? alphabetSize : undefined);
      if (seed % 5 === 0) roundTrip(symbols, seed % 2 === 0 ? alphabetSize : undefined, 1); // version 1 still reads
      if (new Set(symbols).size >= 2) {
        roundTrip(symbols, seed % 2 === 0 ? alphabetSize : undefined, 2, seed % 4 < 2 ? "shaped" : "balanced");
      }
    }
  });

  it("keeps the documented bytes for a small example in both versions (format stability)", () => {
    const symbols = [0, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 7, 7];
    // Version 2 (bit tree; model byte 0x14 = rate shift 4, conditioned on the previous symbol being the mode 3).
    const bytes = encodeSymbols(symbols, { alphabetSize: 8 });
    expect(Array.from(bytes)).toEqual([0x02, 0x10, 0x07, 0x03, 0x14, 0x77, 0xaf, 0xfb, 0x99, 0x00, 0x84, 0xb9]);
    // Version 1 (sig/sign/unary/Exp-Golomb): the bytes pinned before version 2 existed still decode, and are still written on request.
    const v1 = [1, 16, 7, 3, 1, 38, 210, 8, 212, 229, 243];
    expect(Array.from(decodeSymbols(Uint8Array.from(v1)))).toEqual(symbols);
    expect(Array.from(encodeWithVersion(symbols, { alphabetSize: 8 }, 1).bytes)).toEqual(v1);
    // Version 2 with the Huffman-shaped tree (model 0x34): lengths 3 3 | 3 1 | 0 0 | 0 3 in four bytes.
    const shaped = encodeWithVersion(symbols, { alphabetSize: 8 }, 2, "shaped").bytes;
    expect(Array.from(shaped)).toEqual([0x02, 0x10, 0x07, 0x03, 0x34, 0x33, 0x13, 0x00, 0x30, 0x33, 0x4c, 0xcc, 0x1c, 0xd6, 0xe8, 0x00]);
    expect(Array.from(decodeSymbols(shaped))).toEqual(symbols);
  });

  it("uses the Huffman-shaped tree on large streams, where its table costs < 0.2 %, and then decodes fewer bins", () => {
    const random = seededRandom(77);
    const large = laplacianCodes(random, 100_000, 32, 16, 2.5);
    const auto = encodeSymbolsDetailed(large, { alphabetSize: 32 });
    const modelAt = auto.headerBytes - 1 - 16; // model byte, then 16 table bytes
    expect(auto.bytes[modelAt]! & 0x20).toBe(0x20);
    const balanced = encodeWithVersion(large, { alphabetSize: 32 }, 2, "balanced");
    expect(auto.bytes.length).toBeLessThanOrEqual(balanced.bytes.length * 1.002 + 1);
    expect(Array.from(decodeSymbols(auto.bytes))).toEqual(Array.from(large));
    const small = encodeSymbolsDetailed(large.subarray(0, 500), { alphabetSize: 32 });
    expect(small.bytes[small.headerBytes - 1]! & 0x20).toBe(0); // the table would cost too much
  });

  it("writes version 2 up to 256 symbols and version 1 above", () => {
    expect(encodeSymbolsDetailed([0, 255], { alphabetSize: 256 }).version).toBe(2);
    expect(encodeSymbolsDetailed([0, 256]).version).toBe(1);
    expect(readStreamHeader(encodeSymbols([0, 256])).version).toBe(1);
    expect(readStreamHeader(encodeSymbols([0, 5])).version).toBe(2);
    expect(expectArithmeticError(() => encodeWithVersion([0, 256], {}, 2)).code).toBe("INVALID_ARGUMENT");
  });

  it("handles the edge cases: empty, one symbol, all the same, alphabet 1, 256 and 65,536, long runs", () => {
    expect(Array.from(roundTrip([]))).toEqual([2, 0]);
    expect(Array.from(roundTrip([], undefined, 1))).toEqual([1, 0]);
    roundTrip([0]);
    roundTrip([255], 256);
    roundTrip(new Uint8Array(1000), 1);
    roundTrip(Uint8Array.of(2, 0, 1, 2), 3);
    const same = roundTrip(new Uint8Array(100_000).fill(200), 256);
    // Version 2: 8 bins a symbol, each at the probability floor 2^-11 once adapted (~0.0056 bits a symbol).
    expect(same.length).toBeLessThan(120);
    expect(roundTrip(new Uint8Array(100_000).fill(200), 256, 1).length).toBeLessThan(60); // version 1: one sig bin a symbol
    const every = Uint16Array.from({ length: 256 * 20 }, (_, i) => (i * 37) % 256);
    roundTrip(every, 256);
    const wide = Uint32Array.from({ length: 5000 }, (_, i) => (i * 7919 + (i >> 3)) % 65_536);
    wide[0] = 65_535;
    roundTrip(wide, 65_536);
    const runs = new Uint8Array(50_000);
    for (let i = 0; i < runs.length; i++) runs[i] = Math.floor(i / 5000) % 2 === 0 ? 3 : (i * 13) % 32;
    roundTrip(runs, 32);
  });

  it("comes within 2 % + 16 bytes of the empirical entropy on k-means-like codes and geometric gaps", () => {
    const random = seededRandom(2016);
    for (const symbols of [laplacianCodes(random, 50_000, 32, 15.5, 3), geometricGaps(random, 50_000, 0.25, 31)]) {
      const bytes = roundTrip(symbols, 32);
      expect(bytes.length).toBeLessThan((entropyBits(symbols) / 8) * 1.02 + 16);
    }
  });

  it("goes below 1 bit a symbol where Huffman cannot", () => {
    const random = seededRandom(4);
    const symbols = Uint8Array.from({ length: 20_000 }, () => (random() < 0.95 ? 0 : 1 + Math.floor(random() * 31)));
    // Entropy 0.54 bits a symbol; Huffman's floor is 1 bit for the frequent symbol alone.
    const bitsPerSymbol = (roundTrip(symbols, 32).length * 8) / symbols.length;
    expect(bitsPerSymbol).toBeLessThan(0.6);
    expect(bitsPerSymbol).toBeLessThan((entropyBits(symbols) / symbols.length) * 1.1);
  });

  it("is deterministic and reports where its bytes went", () => {
    const symbols = laplacianCodes(seededRandom(8), 5000, 32, 16, 2);
    const encoded = encodeSymbolsDetailed(symbols, { alphabetSize: 32 });
    expect(encodeSymbols(Array.from(symbols), { alphabetSize: 32 })).toEqual(encoded.bytes);
    expect(encoded.headerBytes + encoded.payloadBytes).toBe(encoded.bytes.length);
    expect(encoded.headerBytes).toBe(1 + 2 + 1 + 1 + 1);
    expect(encoded.version).toBe(2);
    expect(encoded.alphabetSize).toBe(32);
    expect(encoded.center).toBe(16);
  });

  it("estimates the encoded size within 0.5 % + 4 bytes, without coding", () => {
    const random = seededRandom(12);
    const wide = laplacianCodes(random, 30_000, 4096, 2000, 40); // version 1
    for (const symbols of [laplacianCodes(random, 30_000, 32, 10, 4), geometricGaps(random, 30_000, 0.1, 255), wide, new Uint8Array(0)]) {
      const actual = encodeSymbols(symbols).length;
      expect(Math.abs(estimateEncodedBytes(symbols) - actual)).toBeLessThanOrEqual(actual * 0.005 + 4);
    }
  });

  it("decodes into a caller's Uint8Array / Uint16Array and checks the alphabet fits", () => {
    const symbols = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    const out8 = new Uint8Array(symbols.length);
    expect(decodeSymbolsInto(encodeSymbols(symbols), out8)).toBe(symbols.length);
    expect(Array.from(out8)).toEqual(symbols);
    expect(expectArithmeticError(() => decodeSymbolsInto(encodeSymbols([300]), new Uint8Array(1))).code).toBe("INVALID_ARGUMENT");
    expect(expectArithmeticError(() => decodeSymbolsInto(encodeSymbols(symbols), new Uint8Array(3))).code).toBe("COUNT_TOO_LARGE");
  });

  it("finds the end of each stream in a concatenation (self-delimiting)", () => {
    const random = seededRandom(21);
    const streams = [laplacianCodes(random, 700, 32, 16, 3), new Uint32Array(0), geometricGaps(random, 90, 0.3, 15), Uint32Array.of(5)];
    const parts = streams.map((s) => encodeSymbols(s));
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    let offset = 0;
    for (const [i, s] of streams.entries()) {
      const decoded = decodeSymbolsFrom(joined, offset);
      expect(Array.from(decoded.symbols)).toEqual(Array.from(s));
      expect(decoded.bytesRead).toBe(parts[i]!.length);
      offset += decoded.bytesRead;
    }
    expect(offset).toBe(joined.length);
  });

  it("rejects symbols outside the alphabet and bad options", () => {
    expect(expectArithmeticError(() => encodeSymbols([0, 32], { alphabetSize: 32 })).code).toBe("INVALID_ARGUMENT");
    expect(expectArithmeticError(() => encodeSymbols([0, 70_000])).code).toBe("INVALID_ARGUMENT");
    expect(expectArithmeticError(() => encodeSymbols([1.5])).code).toBe("INVALID_ARGUMENT");
    expect(expectArithmeticError(() => encodeSymbols([1], { alphabetSize: 0 })).code).toBe("INVALID_ARGUMENT");
    expect(expectArithmeticError(() => decodeSymbolsFrom(encodeSymbols([1]), 9)).code).toBe("INVALID_ARGUMENT");
  });
});

describe("untrusted headers", () => {
  it("bounds a declared count by the payload before allocating, and the bound holds for the most compressible stream", () => {
    // The most compressible stream: one symbol repeated, every bin at the clamped probability.
    // Version 1: one sig bin a symbol.
    const same = encodeWithVersion(new Uint8Array(1_000_000), { alphabetSize: 2 }, 1);
    expect(1_000_000).toBeLessThanOrEqual(MAX_SYMBOLS_PER_PAYLOAD_BYTE * (same.payloadBytes - 2));
    expect(1_000_000).toBeGreaterThan(MAX_SYMBOLS_PER_PAYLOAD_BYTE * (same.payloadBytes - 2) * 0.95); // the bound is tight
    // Version 2: one bin a symbol for alphabets of 1 and 2, eight for 256.
    for (const alphabetSize of [1, 2, 256]) {
      const tree = encodeSymbolsDetailed(new Uint8Array(1_000_000), { alphabetSize });
      const bins = alphabetSize === 256 ? 8 : 1;
      expect(tree.version).toBe(2);
      expect(1_000_000 * bins).toBeLessThanOrEqual(MAX_TREE_BINS_PER_PAYLOAD_BYTE * (tree.payloadBytes - 2));
      expect(1_000_000 * bins).toBeGreaterThan(MAX_TREE_BINS_PER_PAYLOAD_BYTE * (tree.payloadBytes - 2) * 0.95);
    }
    // A shaped tree whose shortest path is one bin: the bound uses the shortest length.
    const skewed = new Uint8Array(1_000_000);
    skewed[500] = 1;
    const shaped = encodeWithVersion(skewed, { alphabetSize: 256 }, 2, "shaped");
    expect(1_000_000).toBeLessThanOrEqual(MAX_TREE_BINS_PER_PAYLOAD_BYTE * (shaped.payloadBytes - 2));
    expect(Array.from(decodeSymbols(shaped.bytes).subarray(499, 502))).toEqual([0, 1, 0]);
    // 2^31 - 1 symbols declared over a 4-byte payload: fails at once, nothing allocated (both versions).
    const crafted = Uint8Array.from([1, 0xff, 0xff, 0xff, 0xff, 0x07, 31, 0, 0x12, 0x34, 0x56, 0x78]);
    expect(expectArithmeticError(() => decodeSymbols(crafted)).code).toBe("COUNT_TOO_LARGE");
    const craftedV2 = Uint8Array.from([2, 0xff, 0xff, 0xff, 0xff, 0x07, 31, 0, 0x17, 0x12, 0x34, 0x56, 0x78]);
    expect(expectArithmeticError(() => decodeSymbols(craftedV2)).code).toBe("COUNT_TOO_LARGE");
    expect(expectArithmeticError(() => readStreamHeader(encodeSymbols([1, 2, 3]), { maxCount: 2 })).code).toBe("COUNT_TOO_LARGE");
  });

  it("rejects unknown versions, oversize or inconsistent headers, and trailing bytes", () => {
    const valid = encodeSymbols([1, 2, 3, 3], { alphabetSize: 4 });
    const versioned = valid.slice();
    versioned[0] = 3;
    expect(expectArithmeticError(() => decodeSymbols(versioned)).code).toBe("UNSUPPORTED_VERSION");
    versioned[0] = 0;
    expect(expectArithmeticError(() => decodeSymbols(versioned)).code).toBe("UNSUPPORTED_VERSION");
    const badModel = valid.slice();
    for (const model of [0x03, 0x09, 0x20, 0x97]) {
      badModel[4] = model; // rate shift outside 4..8 or unknown flag bits
      expect(expectArithmeticError(() => decodeSymbols(badModel)).code).toBe("CORRUPT");
    }
    expect(expectArithmeticError(() => decodeSymbols(valid.subarray(0, 4))).code).toBe("TRUNCATED"); // ends before the model byte
    const wideV2 = encodeWithVersion([1, 300], {}, 1).bytes.slice();
    wideV2[0] = 2; // version 2 codes alphabets up to 256 only
    expect(expectArithmeticError(() => decodeSymbols(wideV2)).code).toBe("CORRUPT");
    // Shaped trees: the table must be there, complete (Kraft sum 1) and without a stray nibble.
    const shaped = encodeWithVersion([0, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 7, 7], { alphabetSize: 8 }, 2, "shaped").bytes;
    expect(expectArithmeticError(() => decodeSymbols(shaped.subarray(0, 7))).code).toBe("TRUNCATED");
    for (const [at, value] of [
      [5, 0x23], // lengths 3 2 3 1 3: Kraft sum > 1
      [6, 0x23], // 3 3 3 2 3: > 1
      [8, 0x00], // symbol 7 absent: < 1
      [6, 0xf3], // a length of 15 among short ones: < 1
    ] as const) {
      const bad = shaped.slice();
      bad[at] = value;
      expect(expectArithmeticError(() => decodeSymbols(bad)).code).toBe("CORRUPT");
    }
    const odd = encodeWithVersion([0, 1, 1, 2, 2, 2, 2, 2], { alphabetSize: 3 }, 2, "shaped").bytes.slice();
    expect(Array.from(decodeSymbols(odd))).toEqual([0, 1, 1, 2, 2, 2, 2, 2]);
    odd[6] = odd[6]! | 0x10; // alphabet 3: the second table byte's high nibble must be 0
    expect(expectArithmeticError(() => decodeSymbols(odd)).code).toBe("CORRUPT");
    const firstByte = valid.slice();
    firstByte[5] = 0x80 | firstByte[5]!; // the 31-bit engine's first byte is < 0x80
    expect(expectArithmeticError(() => decodeSymbols(firstByte)).code).toBe("CORRUPT");
    expect(expectArithmeticError(() => decodeSymbols(valid, { maxAlphabetSize: 3 })).code).toBe("CORRUPT");
    const badCentre = valid.slice();
    badCentre[3] = 4; // centre outside the alphabet of 4
    expect(expectArithmeticError(() => decodeSymbols(badCentre)).code).toBe("CORRUPT");
    expect(expectArithmeticError(() => decodeSymbols(Uint8Array.from([1, 0x80, 0x00]))).code).toBe("CORRUPT"); // non-minimal varint
    expect(expectArithmeticError(() => decodeSymbols(Uint8Array.from([1, 0x80]))).code).toBe("TRUNCATED");
    expect(expectArithmeticError(() => decodeSymbols(new Uint8Array(0))).code).toBe("TRUNCATED");
    const extra = new Uint8Array(valid.length + 1);
    extra.set(valid);
    expect(expectArithmeticError(() => decodeSymbols(extra)).code).toBe("TRAILING_DATA");
    expect(expectArithmeticError(() => decodeSymbols(Uint8Array.from([1, 0, 0]))).code).toBe("TRAILING_DATA");
  });
});
