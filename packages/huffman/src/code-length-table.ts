import type { BitReader } from "./bit-reader.js";
import type { BitWriter } from "./bit-writer.js";
import { validateCodeLengths } from "./canonical-code.js";
import { MAX_ALPHABET_SIZE, MAX_CODE_LENGTH } from "./code-lengths.js";
import { HuffmanError } from "./errors.js";

/*
 * Code-length table, in the bit stream (LSB-first):
 *   5 bits   maxLength (0 = empty code, nothing follows; else 1..16 and some symbol has it)
 *   16 bits  alphabetSize - 1 (the last symbol has a codeword: trailing zero lengths are trimmed)
 *   then, symbol by symbol, the length in w = bitLength(maxLength) bits; a 0 is followed by the
 *   number of further zero lengths as an exponential-Golomb number (k in unary as k one-bits and a
 *   zero bit, then the low k bits of run + 1), so long unused stretches of a 65,536-symbol
 *   alphabet cost a few bits.
 * A 32-symbol 5-bit weight code costs 21 + 32 * 4 = 149 bits.
 */

function bitWidth(value: number): number {
  return value === 0 ? 0 : 32 - Math.clz32(value);
}

function writeExpGolomb(writer: BitWriter, value: number): void {
  const v = value + 1;
  const k = bitWidth(v) - 1;
  writer.writeBits((1 << k) - 1, k + 1); // k ones then a zero (the zero is bit k, left clear)
  writer.writeBits(v & ((1 << k) - 1), k);
}

function readExpGolomb(reader: BitReader, what: string): number {
  let k = 0;
  while (reader.readBits(1) === 1) {
    if (++k > 17) throw new HuffmanError("INVALID_CODE_LENGTHS", `${what}: zero-run length is malformed`);
  }
  return (1 << k) + reader.readBits(k) - 1;
}

/** Writes `lengths` (a valid code, trailing zeros allowed: they are trimmed). */
export function writeCodeLengths(writer: BitWriter, lengths: ArrayLike<number>): void {
  let alphabetSize = lengths.length;
  while (alphabetSize > 0 && lengths[alphabetSize - 1] === 0) alphabetSize--;
  let maxLength = 0;
  for (let s = 0; s < alphabetSize; s++) if (lengths[s]! > maxLength) maxLength = lengths[s]!;
  if (maxLength > MAX_CODE_LENGTH) throw new HuffmanError("INVALID_ARGUMENT", `code length ${maxLength} exceeds ${MAX_CODE_LENGTH}`);
  writer.writeBits(maxLength, 5);
  if (maxLength === 0) return;
  writer.writeBits(alphabetSize - 1, 16);
  const w = bitWidth(maxLength);
  for (let s = 0; s < alphabetSize;) {
    const len = lengths[s]!;
    writer.writeBits(len, w);
    s++;
    if (len === 0) {
      let run = 0;
      while (s < alphabetSize && lengths[s] === 0) {
        run++;
        s++;
      }
      writeExpGolomb(writer, run);
    }
  }
}

export interface ReadCodeLengthsOptions {
  /** Largest alphabet the caller accepts (default 65,536); a larger declared one is an error. */
  readonly maxAlphabetSize?: number;
  /** Names the stream in error messages. */
  readonly what?: string;
}

/**
 * Reads a table written by `writeCodeLengths` and validates it as a code (Kraft, completeness).
 * The returned array has exactly the declared alphabet size (its last symbol has a codeword).
 */
export function readCodeLengths(reader: BitReader, options: ReadCodeLengthsOptions = {}): Uint8Array {
  const what = options.what ?? reader.what;
  const limit = options.maxAlphabetSize ?? MAX_ALPHABET_SIZE;
  const maxLength = reader.readBits(5);
  if (maxLength === 0) return new Uint8Array(0);
  if (maxLength > MAX_CODE_LENGTH) {
    throw new HuffmanError("INVALID_CODE_LENGTHS", `${what}: maximum code length ${maxLength} exceeds ${MAX_CODE_LENGTH}`);
  }
  const alphabetSize = reader.readBits(16) + 1;
  if (alphabetSize > limit) {
    throw new HuffmanError("INVALID_CODE_LENGTHS", `${what}: alphabet of ${alphabetSize} symbols exceeds the allowed ${limit}`);
  }
  const w = bitWidth(maxLength);
  const lengths = new Uint8Array(alphabetSize);
  let seenMax = false;
  for (let s = 0; s < alphabetSize;) {
    const len = reader.readBits(w);
    if (len > maxLength)
      throw new HuffmanError("INVALID_CODE_LENGTHS", `${what}: symbol ${s} has length ${len} above the declared maximum ${maxLength}`);
    if (len === maxLength) seenMax = true;
    lengths[s++] = len;
    if (len === 0) {
      const run = readExpGolomb(reader, what);
      if (run > alphabetSize - s)
        throw new HuffmanError("INVALID_CODE_LENGTHS", `${what}: a run of ${run} unused symbols passes the alphabet end ${alphabetSize}`);
      s += run; // already zero
    }
  }
  if (!seenMax) throw new HuffmanError("INVALID_CODE_LENGTHS", `${what}: no symbol has the declared maximum length ${maxLength}`);
  if (lengths[alphabetSize - 1] === 0)
    throw new HuffmanError("INVALID_CODE_LENGTHS", `${what}: the last symbol of the declared alphabet has no codeword`);
  validateCodeLengths(lengths, what);
  return lengths;
}
