import { HuffmanError } from "./errors.js";

/**
 * Reads bits least-significant bit first from `bytes[byteOffset .. byteOffset + byteLength)`, the
 * order `BitWriter` writes them. Reading past the end throws TRUNCATED naming `what`.
 */
export class BitReader {
  readonly bytes: Uint8Array;
  readonly #start: number;
  readonly #endBit: number;
  #bitPos: number;
  readonly what: string;

  constructor(bytes: Uint8Array, byteOffset = 0, byteLength = bytes.length - byteOffset, what = "bit stream") {
    if (byteOffset < 0 || byteLength < 0 || byteOffset + byteLength > bytes.length) {
      throw new HuffmanError("INVALID_ARGUMENT", `${what}: range ${byteOffset}+${byteLength} outside ${bytes.length} bytes`);
    }
    this.bytes = bytes;
    this.#start = byteOffset;
    this.#bitPos = byteOffset * 8;
    this.#endBit = (byteOffset + byteLength) * 8;
    this.what = what;
  }

  /** Absolute bit position in `bytes`. */
  get bitPosition(): number {
    return this.#bitPos;
  }

  /** Bits read since the start of the range. */
  get bitsRead(): number {
    return this.#bitPos - this.#start * 8;
  }

  get bitsRemaining(): number {
    return this.#endBit - this.#bitPos;
  }

  /** Absolute bit position one past the last readable bit. */
  get endBit(): number {
    return this.#endBit;
  }

  /** Moves to an absolute bit position inside the range (used after a bulk decode). */
  seekBit(bitPosition: number): void {
    if (bitPosition < this.#start * 8 || bitPosition > this.#endBit) {
      throw new HuffmanError("TRUNCATED", `${this.what}: ends after ${this.bitsRead} bits, needs ${bitPosition - this.#start * 8}`);
    }
    this.#bitPos = bitPosition;
  }

  /** Reads `count` bits (0..24) as an unsigned integer, first bit read in bit 0. */
  readBits(count: number): number {
    if (count === 0) return 0;
    if (this.#bitPos + count > this.#endBit) {
      throw new HuffmanError(
        "TRUNCATED",
        `${this.what}: needs ${count} more bits at bit ${this.bitsRead}, only ${this.bitsRemaining} left`,
      );
    }
    const bytes = this.bytes;
    let byte = this.#bitPos >>> 3;
    const shift = this.#bitPos & 7;
    let value = 0;
    let got = 0;
    // Gather up to 4 bytes; positions past the array read as 0 and are masked away below.
    while (got < count + shift) {
      value |= (bytes[byte++] ?? 0) << got;
      got += 8;
      if (got >= 32) break;
    }
    let result = (value >>> shift) & ((1 << count) - 1);
    if (got - shift < count) {
      // Only when shift + count > 32: take the remaining high bits from the next byte.
      result |= ((bytes[byte] ?? 0) << (got - shift)) & ((1 << count) - 1);
    }
    this.#bitPos += count;
    return result >>> 0;
  }

  /** Skips to the next byte boundary; the skipped padding bits must be zero. */
  alignToByte(): void {
    const pad = (8 - (this.#bitPos & 7)) & 7;
    if (pad > 0 && this.readBits(pad) !== 0) {
      throw new HuffmanError("TRAILING_DATA", `${this.what}: padding bits before byte ${this.#bitPos >>> 3} are not zero`);
    }
  }
}
