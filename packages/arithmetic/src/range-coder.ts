import { ArithmeticError } from "./errors.js";

/*
 * The bit engine: a binary range coder with a 32-bit range and carry propagation (the LZMA
 * "rc" layout: a cached byte plus a run of pending 0xFF bytes absorbs a carry out of `low`).
 * It knows nothing about contexts: each bin arrives with its probability of being 1 in
 * PROBABILITY_BITS bits. Range stays in [2^24, 2^32) between bins, so the sub-range of a bin
 * with probability p >= 1/2^15 is never empty.
 *
 * Flush: the encoder ends with the top three bytes of a value V in the final interval whose low
 * byte is 0 and such that V + 255 is still inside it (the interval is >= 2^24 wide, so one
 * exists). The decoder always reads exactly one byte more than the stream holds, whose value does
 * not matter, which makes the stream self-delimiting (its end is where the decoder stopped, minus
 * one). At the end the decoder checks that V lies less than 256 above the interval's start, as
 * the encoder's choice does: a stream whose tail was cut or damaged passes that check with
 * probability at most 2^8 / 2^24 = 1/65,536 (the range is >= 2^24), so a truncation that the
 * byte count alone cannot reveal (the decoder read a 0 where a byte was cut and then took
 * another path) is still caught. The check costs the one byte more than the shortest flush.
 */

/** Bits of a bin probability: p1 in [1, 2^15 - 1] is the probability of a 1 times 2^15. */
export const PROBABILITY_BITS = 15;
/** Bytes the decoder reads past a stream's end (their values are ignored). */
export const DECODER_LOOKAHEAD_BYTES = 1;

const TOP = 2 ** 24;
const TWO_32 = 2 ** 32;

export class RangeEncoder {
  /** Bits 0..31 of the interval start plus a possible carry in bit 32 (a double, < 2^33). */
  private low = 0;
  private range: number;
  /** Renormalise below this: 2^24 (version 1), 2^23 (version 2's 31-bit range). */
  private readonly top: number;
  private cache = 0;
  /** False until the first byte is known: LZMA's leading zero byte is not written. */
  private hasCache = false;
  private pending = 0;
  private out: Uint8Array;
  private length = 0;

  /**
   * `narrow`: the version-2 engine, whose range stays in [2^23, 2^31) so that a decoder can keep
   * range, value and bin bound in int32 (the first byte is then always < 0x80). Same bytes
   * layout, flush and carry handling; only the initial range and the renormalisation threshold differ.
   */
  constructor(initialCapacity = 256, narrow = false) {
    this.out = new Uint8Array(Math.max(16, initialCapacity));
    this.range = narrow ? 0x7fff_ffff : 0xffff_ffff;
    this.top = narrow ? 2 ** 23 : TOP;
  }

  /** Codes `bit` (0 or 1) with probability `p1` / 2^15 of being 1. */
  encodeBit(bit: number, p1: number): void {
    const bound = (this.range >>> PROBABILITY_BITS) * p1;
    if (bit !== 0) {
      this.range = bound;
    } else {
      this.low += bound;
      this.range -= bound;
    }
    while (this.range < this.top) {
      this.range *= 256;
      this.shiftLow();
    }
  }

  /** Codes `bit` (0 or 1) with probability `p16` / 2^16 of being 1, p16 in [1, 2^16 - 1] (format version 2, `narrow`). */
  encodeBit16(bit: number, p16: number): void {
    const bound = (this.range >>> 16) * p16;
    if (bit !== 0) {
      this.range = bound;
    } else {
      this.low += bound;
      this.range -= bound;
    }
    while (this.range < this.top) {
      this.range *= 256;
      this.shiftLow();
    }
  }

  /** Codes `bit` with probability exactly 1/2 (no context): suffix bits of Exp-Golomb remainders. */
  encodeBypass(bit: number): void {
    this.range = this.range >>> 1;
    if (bit !== 0) this.low += this.range;
    while (this.range < this.top) {
      this.range *= 256;
      this.shiftLow();
    }
  }

  /** Ends the stream and returns its bytes (the encoder cannot be used afterwards). */
  finish(): Uint8Array {
    // The smallest multiple of 2^8 at or above low; low + range >= it + 2^8 because range >= 2^24.
    this.low = Math.ceil(this.low / 256) * 256;
    for (let i = 0; i < 4; i++) this.shiftLow();
    return this.out.slice(0, this.length);
  }

  private shiftLow(): void {
    const low = this.low;
    if (low < 0xff00_0000 || low >= TWO_32) {
      const carry = low >= TWO_32 ? 1 : 0;
      if (this.hasCache) this.push((this.cache + carry) & 0xff);
      this.hasCache = true;
      for (; this.pending > 0; this.pending--) this.push((0xff + carry) & 0xff);
      this.cache = Math.floor(low / 2 ** 24) & 0xff;
    } else {
      this.pending++;
    }
    this.low = (low & 0x00ff_ffff) * 256;
  }

  private push(byte: number): void {
    if (this.length === this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.length++] = byte;
  }
}

export class RangeDecoder {
  private range = 0xffff_ffff;
  /** The stream's value minus the interval start; always < range. */
  private code = 0;
  private position: number;
  private lastByte = 0;

  /**
   * Starts decoding the stream at `bytes[start]`; `end` is where the caller's bytes stop (reads
   * up to DECODER_LOOKAHEAD_BYTES past it give 0, one more is a TRUNCATED error).
   */
  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
    private readonly what = "arithmetic stream",
  ) {
    this.position = start;
    for (let i = 0; i < 4; i++) this.code = this.code * 256 + this.nextByte();
    // A corrupt first byte can put the value outside the initial interval; no encoder writes that.
    if (this.code >= this.range) throw new ArithmeticError("CORRUPT", `${what}: first bytes lie outside the coding interval`);
  }

  /** Decodes a bin that has probability `p1` / 2^15 of being 1. */
  decodeBit(p1: number): number {
    const bound = (this.range >>> PROBABILITY_BITS) * p1;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      bit = 1;
    } else {
      this.code -= bound;
      this.range -= bound;
      bit = 0;
    }
    while (this.range < TOP) {
      this.range *= 256;
      this.code = this.code * 256 + this.nextByte();
    }
    return bit;
  }

  decodeBypass(): number {
    this.range = this.range >>> 1;
    let bit = 0;
    if (this.code >= this.range) {
      this.code -= this.range;
      bit = 1;
    }
    // A corrupt stream can leave code >= range after an odd range is halved; no encoder does that.
    if (this.code >= this.range) throw new ArithmeticError("CORRUPT", `${this.what}: value outside the coding interval`);
    while (this.range < TOP) {
      this.range *= 256;
      this.code = this.code * 256 + this.nextByte();
    }
    return bit;
  }

  /**
   * Checks the stream ends the way the encoder ends one (see the flush above); call after the
   * last bin. Throws CORRUPT otherwise.
   */
  finish(): void {
    const offset = this.code - this.lastByte;
    if (offset < 0 || offset >= 256) {
      throw new ArithmeticError("CORRUPT", `${this.what}: does not end the way an encoder ends a stream (truncated or damaged)`);
    }
  }

  /** Index one past the stream's last byte (valid after the last bin). */
  get streamEnd(): number {
    return this.position - DECODER_LOOKAHEAD_BYTES;
  }

  private nextByte(): number {
    const p = this.position++;
    if (p < this.end) return (this.lastByte = this.bytes[p]!);
    if (p >= this.end + DECODER_LOOKAHEAD_BYTES) {
      throw new ArithmeticError("TRUNCATED", `${this.what}: ends ${p - this.end - DECODER_LOOKAHEAD_BYTES + 1} byte(s) early`);
    }
    return (this.lastByte = 0);
  }
}
