import { describe, expect, it } from "vitest";
import { ArithmeticError } from "./errors.js";
import { DECODER_LOOKAHEAD_BYTES, RangeDecoder, RangeEncoder } from "./range-coder.js";
import { seededRandom } from "./test-random.js";

interface Bins {
  readonly bits: number[];
  readonly p1: number[]; // 0 = bypass
}

function randomBins(seed: number, count: number): Bins {
  const random = seededRandom(seed);
  const bits: number[] = [];
  const p1: number[] = [];
  for (let i = 0; i < count; i++) {
    const kind = random();
    // Extreme probabilities (1 and 2^15 - 1) make long runs of 0xFF bytes, i.e. carries.
    const p = kind < 0.1 ? 0 : kind < 0.2 ? 1 : kind < 0.3 ? 32_767 : 1 + Math.floor(random() * 32_767);
    const oneChance = p === 0 ? 0.5 : p / 32_768;
    bits.push(random() < oneChance ? 1 : 0);
    p1.push(p);
  }
  return { bits, p1 };
}

function encodeBins({ bits, p1 }: Bins): Uint8Array {
  const encoder = new RangeEncoder(4);
  bits.forEach((bit, i) => (p1[i] === 0 ? encoder.encodeBypass(bit) : encoder.encodeBit(bit, p1[i]!)));
  return encoder.finish();
}

function decodeBins(bytes: Uint8Array, p1: number[], end = bytes.length): { bits: number[]; streamEnd: number } {
  const decoder = new RangeDecoder(bytes, 0, end);
  const bits = p1.map((p) => (p === 0 ? decoder.decodeBypass() : decoder.decodeBit(p)));
  decoder.finish();
  return { bits, streamEnd: decoder.streamEnd };
}

describe("RangeEncoder / RangeDecoder (the bit engine alone)", () => {
  it("round-trips context-free bins at any probability, bypass bins included, and ends where it started", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const bins = randomBins(seed, 1 + seed * 97);
      const bytes = encodeBins(bins);
      const decoded = decodeBins(bytes, bins.p1);
      expect(decoded.bits).toEqual(bins.bits);
      expect(decoded.streamEnd).toBe(bytes.length);
    }
  });

  it("propagates carries through runs of 0xFF", () => {
    // Always coding the unlikely 0 at p1 = 2^15 - 1 pushes low up against the interval's top.
    let sawRun = false;
    for (let seed = 1; seed <= 40 && !sawRun; seed++) {
      const random = seededRandom(seed);
      const bins: Bins = { bits: [], p1: [] };
      for (let i = 0; i < 4000; i++) {
        bins.bits.push(random() < 0.02 ? 0 : 1);
        bins.p1.push(32_767 - Math.floor(random() * 64));
      }
      const bytes = encodeBins(bins);
      expect(decodeBins(bytes, bins.p1).bits).toEqual(bins.bits);
      sawRun ||= bytes.some((b, i) => b === 0xff && bytes[i + 1] === 0xff);
    }
    expect(sawRun).toBe(true);
  });

  it("costs what the probabilities say: within 0.1 % + 3 bytes of the ideal code length", () => {
    const random = seededRandom(7);
    const bins: Bins = { bits: [], p1: [] };
    let idealBits = 0;
    for (let i = 0; i < 200_000; i++) {
      const p = 1 + Math.floor(random() * 32_767);
      const bit = random() < p / 32_768 ? 1 : 0;
      bins.bits.push(bit);
      bins.p1.push(p);
      idealBits -= Math.log2(bit ? p / 32_768 : 1 - p / 32_768);
    }
    const bytes = encodeBins(bins);
    expect(bytes.length).toBeLessThan((idealBits / 8) * 1.001 + 3);
  });

  it("is self-delimiting: bytes after the stream do not change the bins, and the end is found", () => {
    const bins = randomBins(99, 3000);
    const bytes = encodeBins(bins);
    const padded = new Uint8Array(bytes.length + 7).fill(0xa5);
    padded.set(bytes);
    const decoded = decodeBins(padded, bins.p1);
    expect(decoded.bits).toEqual(bins.bits);
    expect(decoded.streamEnd).toBe(bytes.length);
  });

  it("rejects every truncation: reading past the lookahead is TRUNCATED, a changed path fails the end check", () => {
    const bins = randomBins(5, 800);
    const bytes = encodeBins(bins);
    expect(DECODER_LOOKAHEAD_BYTES).toBe(1);
    for (let cut = 0; cut < bytes.length; cut++) {
      let error: unknown;
      try {
        decodeBins(bytes, bins.p1, cut);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ArithmeticError);
      expect(["TRUNCATED", "CORRUPT"]).toContain((error as ArithmeticError).code);
    }
  });

  it("catches a damaged tail with the end check", () => {
    const bins = randomBins(6, 5000);
    const bytes = encodeBins(bins);
    let caught = 0;
    for (let back = 1; back <= 3; back++) {
      for (let bit = 0; bit < 8; bit++) {
        const damaged = bytes.slice();
        damaged[damaged.length - back]! ^= 1 << bit;
        try {
          decodeBins(damaged, bins.p1);
        } catch (error) {
          expect(error).toBeInstanceOf(ArithmeticError);
          caught++;
        }
      }
    }
    expect(caught).toBe(24);
  });

  it("writes 3 bytes for zero bins and rejects a first value outside the interval", () => {
    expect(new RangeEncoder().finish().length).toBe(3);
    expect(() => new RangeDecoder(Uint8Array.from([0xff, 0xff, 0xff, 0xff]), 0, 4)).toThrow(expect.objectContaining({ code: "CORRUPT" }));
  });
});
