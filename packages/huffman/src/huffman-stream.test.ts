import { Rng } from "@dcnpi/tensor";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BitWriter } from "./bit-writer.js";
import { writeCodeLengths } from "./code-length-table.js";
import { HuffmanError } from "./errors.js";
import { decode, decodeInto, encode, encodeDetailed, readStreamHeader } from "./huffman-stream.js";

const symbolsArb = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 31 }), { maxLength: 500 }),
  fc.array(fc.integer({ min: 0, max: 65_535 }), { maxLength: 200 }),
  fc.array(fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 1, 2, 300), { maxLength: 500 }),
);

function expectHuffmanError(fn: () => unknown): HuffmanError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HuffmanError);
    return error as HuffmanError;
  }
  throw new Error("expected a HuffmanError");
}

describe("encode / decode", () => {
  it("round-trips any symbol sequence exactly", () => {
    fc.assert(
      fc.property(symbolsArb, fc.integer({ min: 9, max: 16 }), (symbols, maxCodeLength) => {
        const encoded = encodeDetailed(symbols, { maxCodeLength });
        expect(Array.from(decode(encoded.bytes))).toEqual(symbols);
        expect(encoded.bytes.length * 8).toBe(encoded.payloadBits + encoded.overheadBits);
      }),
      { numRuns: 200 },
    );
  });

  it("keeps the documented bytes for a small example (format stability)", () => {
    const bytes = encode([0, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 7, 7]);
    expect(Array.from(bytes)).toEqual([1, 16, 227, 0, 224, 143, 158, 118, 27, 192, 15]);
  });

  it("handles the edge cases: empty input, one distinct symbol, every symbol distinct, extreme skew", () => {
    expect(Array.from(encode([]))).toEqual([1, 0, 0]);
    expect(decode(encode([])).length).toBe(0);

    const single = new Uint32Array(1000).fill(42);
    const singleEncoded = encodeDetailed(single);
    expect(singleEncoded.payloadBits).toBe(1000); // one bit per symbol, by design
    expect(decode(singleEncoded.bytes)).toEqual(single);

    const distinct = Rng.fromSeed("huffman-distinct").permutation(65_536);
    const distinctEncoded = encodeDetailed(distinct);
    expect(distinctEncoded.payloadBits).toBe(65_536 * 16);
    expect(decode(distinctEncoded.bytes)).toEqual(Uint32Array.from(distinct));

    const skewed = new Uint16Array(100_000);
    for (let i = 0; i < 30; i++) skewed[i * 3000] = 1 + i;
    const skewEncoded = encodeDetailed(skewed);
    expect(skewEncoded.payloadBits).toBeLessThan(100_000 * 1.01);
    expect(decode(skewEncoded.bytes)).toEqual(Uint32Array.from(skewed));
  });

  it("is deterministic: the same symbols give the same bytes", () => {
    const rng = Rng.fromSeed("huffman-determinism");
    const symbols = Array.from({ length: 5000 }, () => Math.floor(Math.abs(rng.normal()) * 6));
    expect(encode(symbols)).toEqual(encode([...symbols]));
  });

  it("decodes into a caller's Uint8Array / Uint16Array", () => {
    const symbols = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    const out8 = new Uint8Array(symbols.length);
    expect(decodeInto(encode(symbols), out8)).toBe(symbols.length);
    expect(Array.from(out8)).toEqual(symbols);
    expect(() => decodeInto(encode([300]), new Uint8Array(1))).toThrow(HuffmanError);
    expect(() => decodeInto(encode(symbols), new Uint8Array(3))).toThrow(expect.objectContaining({ code: "COUNT_TOO_LARGE" }));
  });

  it("rejects symbols outside the alphabet", () => {
    expect(() => encode([0, 70_000])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => encode([0, 32], { alphabetSize: 32 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

describe("corrupt input", () => {
  const rng = Rng.fromSeed("huffman-corrupt");
  const symbols = Array.from({ length: 3000 }, () => Math.min(31, Math.floor(Math.abs(rng.normal()) * 5)));
  const valid = encode(symbols);

  it("fails every truncated prefix with a typed error", () => {
    for (let cut = 0; cut < valid.length; cut++) {
      const error = expectHuffmanError(() => decode(valid.subarray(0, cut)));
      expect(["TRUNCATED", "COUNT_TOO_LARGE", "INVALID_CODE_LENGTHS", "INCOMPLETE_CODE", "KRAFT_VIOLATION"]).toContain(error.code);
    }
  });

  it("gives either a typed error or a decode of the declared count for random byte mutations", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        (edits) => {
          const bytes = valid.slice();
          for (const [at, xor] of edits) bytes[at]! ^= xor;
          try {
            const out = decode(bytes);
            expect(out.length).toBeLessThanOrEqual(bytes.length * 8);
          } catch (error) {
            expect(error).toBeInstanceOf(HuffmanError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("rejects an over-subscribed code (Kraft violation)", () => {
    const writer = new BitWriter();
    writer.writeBytes(Uint8Array.from([1, 4]));
    writeCodeLengths(writer, [1, 1, 1]);
    writer.writeBits(0, 8);
    expect(expectHuffmanError(() => decode(writer.toBytes())).code).toBe("KRAFT_VIOLATION");
  });

  it("rejects a count that the bytes cannot hold, before allocating", () => {
    // 2^31 - 1 symbols declared with a 3-byte body: must fail fast, not allocate 8 GiB.
    const small = encode([1, 2, 3]);
    const bytes = Uint8Array.from([1, 0xff, 0xff, 0xff, 0xff, 0x07, ...small.subarray(2)]);
    expect(expectHuffmanError(() => decode(bytes)).code).toBe("COUNT_TOO_LARGE");
    expect(expectHuffmanError(() => decode(Uint8Array.from([1, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).code).toBe("COUNT_TOO_LARGE");
    expect(expectHuffmanError(() => readStreamHeader(encode([1, 2, 3]), { maxSymbols: 2 })).code).toBe("COUNT_TOO_LARGE");
  });

  it("rejects trailing bytes, non-zero padding and unknown versions", () => {
    const withExtra = new Uint8Array(valid.length + 1);
    withExtra.set(valid);
    expect(expectHuffmanError(() => decode(withExtra)).code).toBe("TRAILING_DATA");
    const tiny = encode([0, 1, 0]); // 3 payload bits, so the last byte has padding
    const padded = tiny.slice();
    padded[padded.length - 1]! |= 0x80;
    expect(expectHuffmanError(() => decode(padded)).code).toBe("TRAILING_DATA");
    const versioned = tiny.slice();
    versioned[0] = 2;
    expect(expectHuffmanError(() => decode(versioned)).code).toBe("UNSUPPORTED_VERSION");
  });

  it("rejects a codeword that the one-symbol code does not have", () => {
    const bytes = encode([7, 7, 7]);
    const last = bytes.length - 1;
    const broken = bytes.slice();
    // The three 1-bit codewords are 0; set one of them to 1 (the only non-codeword).
    const firstPayloadBit = readStreamHeader(bytes).payloadBitOffset;
    broken[firstPayloadBit >>> 3]! |= 1 << (firstPayloadBit & 7);
    expect(last).toBeGreaterThan(0);
    expect(expectHuffmanError(() => decode(broken)).code).toBe("INVALID_CODEWORD");
  });
});
