import { HuffmanError } from "./errors.js";

/**
 * Appends bits to a growing byte buffer, least-significant bit first (the DEFLATE order): the first
 * bit written is bit 0 of byte 0. Values of up to 24 bits go in one call.
 *
 * Huffman codewords are defined most-significant bit first, so callers write them bit-reversed
 * (`reverseBits`); that is what lets the decoder index its table with the low bits of a window.
 */
export class BitWriter {
  #bytes: Uint8Array;
  #byteLength = 0;
  /** Pending bits not yet flushed to `#bytes`; always fewer than 8 between calls. */
  #acc = 0;
  #accBits = 0;

  constructor(initialCapacityBytes = 256) {
    this.#bytes = new Uint8Array(Math.max(16, initialCapacityBytes));
  }

  /** Bits written so far. */
  get bitLength(): number {
    return this.#byteLength * 8 + this.#accBits;
  }

  /** Makes room for at least `bits` more bits without further reallocation. */
  reserve(bits: number): void {
    const needed = this.#byteLength + Math.ceil((this.#accBits + bits) / 8) + 4;
    if (needed <= this.#bytes.length) return;
    let capacity = this.#bytes.length;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#bytes.subarray(0, this.#byteLength));
    this.#bytes = grown;
  }

  /** Writes the low `count` bits of `value` (0 <= count <= 24), low bit first. */
  writeBits(value: number, count: number): void {
    if (!(count >= 0 && count <= 24) || !Number.isInteger(count)) {
      throw new HuffmanError("INVALID_ARGUMENT", `writeBits: count must be an integer in 0..24, got ${count}`);
    }
    if (count === 0) return;
    this.reserve(count);
    let acc = this.#acc | ((value & ((1 << count) - 1)) << this.#accBits);
    let accBits = this.#accBits + count;
    const bytes = this.#bytes;
    let n = this.#byteLength;
    while (accBits >= 8) {
      bytes[n++] = acc & 0xff;
      acc >>>= 8;
      accBits -= 8;
    }
    this.#acc = acc;
    this.#accBits = accBits;
    this.#byteLength = n;
  }

  /**
   * Writes `codewords[s]` (already bit-reversed, `lengths[s]` bits, at most 16) for every symbol `s`
   * of `symbols`: the hot loop of Huffman encoding and of fixed-width packing, kept free of calls.
   * The caller guarantees every symbol has a codeword (`lengths[s] > 0`, or 0-bit on purpose).
   */
  writeCodewords(symbols: ArrayLike<number>, codewords: Uint32Array, lengths: Uint8Array, totalBits: number): void {
    this.reserve(totalBits);
    const bytes = this.#bytes;
    let n = this.#byteLength;
    let acc = this.#acc;
    let accBits = this.#accBits;
    for (let i = 0, count = symbols.length; i < count; i++) {
      const s = symbols[i]!;
      acc |= codewords[s]! << accBits;
      accBits += lengths[s]!;
      // accBits <= 7 + 16 here, so the 32-bit accumulator never overflows before this flush.
      if (accBits >= 16) {
        bytes[n] = acc & 0xff;
        bytes[n + 1] = (acc >>> 8) & 0xff;
        n += 2;
        acc >>>= 16;
        accBits -= 16;
      }
    }
    while (accBits >= 8) {
      bytes[n++] = acc & 0xff;
      acc >>>= 8;
      accBits -= 8;
    }
    this.#acc = acc;
    this.#accBits = accBits;
    this.#byteLength = n;
  }

  /** Pads with zero bits up to the next byte boundary. */
  alignToByte(): void {
    if (this.#accBits > 0) this.writeBits(0, 8 - this.#accBits);
  }

  /** Appends whole bytes; the writer must be byte-aligned. */
  writeBytes(data: Uint8Array): void {
    if (this.#accBits !== 0) throw new HuffmanError("INVALID_ARGUMENT", "writeBytes: writer is not byte-aligned");
    this.reserve(data.length * 8);
    this.#bytes.set(data, this.#byteLength);
    this.#byteLength += data.length;
  }

  /** The bytes written, zero-padded to a whole byte (a copy; the writer can go on). */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.#byteLength + (this.#accBits > 0 ? 1 : 0));
    out.set(this.#bytes.subarray(0, this.#byteLength));
    if (this.#accBits > 0) out[this.#byteLength] = this.#acc & 0xff;
    return out;
  }
}

/** `code` (its `length` low bits) with the bit order reversed. */
export function reverseBits(code: number, length: number): number {
  let reversed = 0;
  for (let i = 0; i < length; i++) {
    reversed = (reversed << 1) | (code & 1);
    code >>>= 1;
  }
  return reversed >>> 0;
}
