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
  readonly entries: Uint32Array;
  readonly rootBits: number;
  readonly maxLength: number;
}

const LINK = 0x80;

export function buildDecodeTable(code: CanonicalCode): DecodeTable {
  const { lengths, reversedCodewords, maxLength } = code;
  const rootBits = Math.min(maxLength, ROOT_TABLE_BITS);
  if (maxLength === 0) return { entries: new Uint32Array(1), rootBits: 0, maxLength: 0 };
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
  const entries = new Uint32Array(size);
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
  return { entries, rootBits, maxLength };
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
  let pos = startBit >>> 3;
  let bitBuf = bytes[pos++]! >>> (startBit & 7);
  let bitCount = 8 - (startBit & 7);
  if (pos > endByte) throw new HuffmanError("TRUNCATED", `${reader.what}: no bits left for ${count} symbols`);
  // Past the end, zero bytes are fed in; once the bits consumed pass the end the stream is truncated.
  for (let i = 0; i < count; i++) {
    if (bitCount < 16) {
      if (pos + 1 < endByte) {
        bitBuf |= (bytes[pos]! | (bytes[pos + 1]! << 8)) << bitCount;
        pos += 2;
        bitCount += 16;
      } else {
        while (bitCount <= 24) {
          if (pos < endByte) bitBuf |= bytes[pos]! << bitCount;
          else if (pos * 8 - bitCount > reader.endBit) throw truncated(reader, count, i);
          pos++;
          bitCount += 8;
        }
      }
    }
    let entry = entries[bitBuf & rootMask]!;
    if ((entry & LINK) !== 0) {
      bitBuf >>>= rootBits;
      bitCount -= rootBits;
      entry = entries[(entry >>> 8) + (bitBuf & ((1 << (entry & 0x1f)) - 1))]!;
    }
    const len = entry & 0x1f;
    if (len === 0) throw new HuffmanError("INVALID_CODEWORD", `${reader.what}: symbol ${i} is not a codeword of the stream's code`);
    out[i] = entry >>> 8;
    bitBuf >>>= len;
    bitCount -= len;
  }
  const endBit = pos * 8 - bitCount;
  if (endBit > reader.endBit) throw truncated(reader, count, count);
  reader.seekBit(endBit);
}

function truncated(reader: BitReader, count: number, decoded: number): HuffmanError {
  return new HuffmanError(
    "TRUNCATED",
    `${reader.what}: codewords run past the end of the stream (${count} symbols declared, ${decoded} decoded)`,
  );
}
