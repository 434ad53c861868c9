import type { BitReader } from "./bit-reader.js";
import type { CanonicalCode } from "./canonical-code.js";
import { HuffmanError } from "./errors.js";

/** Bits resolved by the first table lookup; longer codewords go through one second-level table. */
export const ROOT_TABLE_BITS = 11;

/**
 * A two-level lookup table for LSB-first decoding. Entry layout (uint32):
 * - leaf: `symbol << 8 | bitsToConsume` (bitsToConsume 1..16),
 * - link (root level only): `offset << 8 | 0x80 | subtableBits`,
 * - 0: no codeword has this prefix (only possible for the one-symbol code).
 * The table holds at most 2^11 + 2^11 * 2^5 entries (16-bit codes), so it is never large.
 */
export interface DecodeTable {
  readonly entries: Int32Array;
  readonly rootBits: number;
  readonly maxLength: number;
  /**
   * For alphabets of at most 256 symbols: per root index, up to two whole codewords at once,
   * `sym1 | sym2 << 8 | len1 << 16 | totalLen << 21 | two << 26`, or -1 where the first codeword is
   * longer than the root (then `entries` is used). Decoding two short codewords per lookup is what
   * makes 3 to 5 bit weight and index codes fast.
   */
  readonly pairs: Int32Array | null;
  /** Index width of `pairs` (up to 12 bits, at least `rootBits`). */
  readonly pairBits: number;
}

/** Widest index of the pair table: 4096 entries (16 KiB) covers two 5-6 bit codewords. */
export const PAIR_TABLE_BITS = 12;

const LINK = 0x80;

export function buildDecodeTable(code: CanonicalCode): DecodeTable {
  const { lengths, reversedCodewords, maxLength } = code;
  const rootBits = Math.min(maxLength, ROOT_TABLE_BITS);
  if (maxLength === 0) return { entries: new Int32Array(1), rootBits: 0, maxLength: 0, pairs: null, pairBits: 0 };
  const rootSize = 1 << rootBits;
  const rootMask = rootSize - 1;
  // Pass 1: the longest codeword behind each root prefix decides that prefix's subtable size.
  const longest = new Uint8Array(rootSize);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s]!;
    if (len > rootBits) {
      const prefix = reversedCodewords[s]! & rootMask;
      if (len > longest[prefix]!) longest[prefix] = len;
    }
  }
  const offsets = new Uint32Array(rootSize);
  let size = rootSize;
  for (let p = 0; p < rootSize; p++) {
    if (longest[p]! > 0) {
      offsets[p] = size;
      size += 1 << (longest[p]! - rootBits);
    }
  }
  const entries = new Int32Array(size);
  for (let p = 0; p < rootSize; p++) {
    if (longest[p]! > 0) entries[p] = (offsets[p]! << 8) | LINK | (longest[p]! - rootBits);
  }
  // Pass 2: fill every slot whose low bits match a codeword.
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s]!;
    if (len === 0) continue;
    const rev = reversedCodewords[s]!;
    if (len <= rootBits) {
      const entry = (s << 8) | len;
      for (let k = rev; k < rootSize; k += 1 << len) entries[k] = entry;
    } else {
      const prefix = rev & rootMask;
      const subBits = longest[prefix]! - rootBits;
      const rest = len - rootBits;
      const base = offsets[prefix]!;
      const entry = (s << 8) | rest;
      for (let k = rev >>> rootBits; k < 1 << subBits; k += 1 << rest) entries[base + k] = entry;
    }
  }
  const pairBits = Math.max(rootBits, Math.min(PAIR_TABLE_BITS, 2 * maxLength));
  const pairs = lengths.length <= 256 ? buildPairTable(entries, rootBits, pairBits) : null;
  return { entries, rootBits, maxLength, pairs, pairBits };
}

function buildPairTable(entries: Int32Array, rootBits: number, pairBits: number): Int32Array {
  const size = 1 << pairBits;
  const rootMask = (1 << rootBits) - 1;
  const pairs = new Int32Array(size);
  for (let r = 0; r < size; r++) {
    const first = entries[r & rootMask]!;
    const len1 = first & 0x1f;
    if ((first & LINK) !== 0 || len1 === 0) {
      pairs[r] = -1;
      continue;
    }
    const sym1 = first >> 8;
    // The bits after the first codeword that the root index still covers; the high ones read as 0,
    // so a second codeword counts only if it fits entirely in what is known.
    const known = pairBits - len1;
    const second = entries[(r >> len1) & rootMask]!;
    const len2 = second & 0x1f;
    if (known > 0 && (second & LINK) === 0 && len2 > 0 && len2 <= known) {
      pairs[r] = sym1 | ((second >> 8) << 8) | (len1 << 16) | ((len1 + len2) << 21) | (1 << 26);
    } else {
      pairs[r] = sym1 | (len1 << 16) | (len1 << 21);
    }
  }
  return pairs;
}

/** Output arrays `decodeSymbols` can fill. */
export type SymbolArray = Uint8Array | Uint16Array | Uint32Array;

/**
 * Decodes `count` symbols from `reader` into `out[0..count)` and advances the reader. The caller
 * must have checked that `count` is plausible for the bits left (`count <= reader.bitsRemaining`
 * since every codeword is at least one bit), which bounds the loop. Throws TRUNCATED if the
 * codewords run past the reader's range and INVALID_CODEWORD on a prefix that is not a codeword.
 * Symbols that do not fit `out`'s element type are the caller's concern (size the alphabet first).
 */
export function decodeSymbols(reader: BitReader, table: DecodeTable, count: number, out: SymbolArray): void {
  if (count > out.length) throw new HuffmanError("INVALID_ARGUMENT", `decodeSymbols: output holds ${out.length}, asked for ${count}`);
  if (count === 0) return;
  if (table.maxLength === 0) throw new HuffmanError("INVALID_CODEWORD", `${reader.what}: ${count} symbols declared but the code is empty`);
  const bytes = reader.bytes;
  const entries = table.entries;
  const rootBits = table.rootBits;
  const rootMask = (1 << rootBits) - 1;
  const endByte = reader.endBit >>> 3;
  const startBit = reader.bitPosition;
  if (startBit >= reader.endBit) throw truncated(reader, count, 0);
  let pos = startBit >>> 3;
  // The window holds at most 30 bits, so every value stays a small non-negative integer and the
  // signed shifts below are exact (V8 keeps such values unboxed).
  let bitBuf = bytes[pos++]! >> (startBit & 7);
  let bitCount = 8 - (startBit & 7);
  let i = 0;
  // Fast loops: at least 3 whole bytes remain, so refilling needs no bounds checks.
  const fastEnd = endByte - 3;
  const pairs = table.pairs;
  if (pairs !== null) {
    const pairMask = (1 << table.pairBits) - 1;
    const lastPair = count - 1;
    while (i < lastPair && pos < fastEnd) {
      while (bitCount <= 22) {
        bitBuf |= bytes[pos++]! << bitCount;
        bitCount += 8;
      }
      const pair = pairs[bitBuf & pairMask]!;
      if (pair >= 0) {
        // Writing the second slot unconditionally is safe (i + 1 < count) and saves a branch.
        out[i] = pair & 0xff;
        out[i + 1] = (pair >> 8) & 0xff;
        i += 1 + ((pair >> 26) & 1);
        const len = (pair >> 21) & 0x1f;
        bitBuf >>= len;
        bitCount -= len;
        continue;
      }
      let entry = entries[bitBuf & rootMask]!;
      if ((entry & LINK) !== 0) {
        bitBuf >>= rootBits;
        bitCount -= rootBits;
        entry = entries[(entry >> 8) + (bitBuf & ((1 << (entry & 0x1f)) - 1))]!;
      }
      const len = entry & 0x1f;
      if (len === 0) throw invalidCodeword(reader, i);
      out[i++] = entry >> 8;
      bitBuf >>= len;
      bitCount -= len;
    }
  }
  while (i < count && pos < fastEnd) {
    while (bitCount <= 22) {
      bitBuf |= bytes[pos++]! << bitCount;
      bitCount += 8;
    }
    let entry = entries[bitBuf & rootMask]!;
    if ((entry & LINK) !== 0) {
      bitBuf >>= rootBits;
      bitCount -= rootBits;
      entry = entries[(entry >> 8) + (bitBuf & ((1 << (entry & 0x1f)) - 1))]!;
    }
    const len = entry & 0x1f;
    if (len === 0) throw invalidCodeword(reader, i);
    out[i++] = entry >> 8;
    bitBuf >>= len;
    bitCount -= len;
  }
  // Tail: zero bytes are fed in past the end; once the bits consumed pass the end it is truncated.
  for (; i < count; i++) {
    while (bitCount <= 22) {
      if (pos < endByte) bitBuf |= bytes[pos]! << bitCount;
      else if (pos * 8 - bitCount >= reader.endBit) throw truncated(reader, count, i);
      pos++;
      bitCount += 8;
    }
    let entry = entries[bitBuf & rootMask]!;
    if ((entry & LINK) !== 0) {
      bitBuf >>= rootBits;
      bitCount -= rootBits;
      entry = entries[(entry >> 8) + (bitBuf & ((1 << (entry & 0x1f)) - 1))]!;
    }
    const len = entry & 0x1f;
    if (len === 0) throw invalidCodeword(reader, i);
    out[i] = entry >> 8;
    bitBuf >>= len;
    bitCount -= len;
  }
  const endBit = pos * 8 - bitCount;
  if (endBit > reader.endBit) throw truncated(reader, count, count);
  reader.seekBit(endBit);
}

function invalidCodeword(reader: BitReader, index: number): HuffmanError {
  return new HuffmanError("INVALID_CODEWORD", `${reader.what}: symbol ${index} is not a codeword of the stream's code`);
}

function truncated(reader: BitReader, count: number, decoded: number): HuffmanError {
  return new HuffmanError(
    "TRUNCATED",
    `${reader.what}: codewords run past the end of the stream (${count} symbols declared, ${decoded} decoded)`,
  );
}
