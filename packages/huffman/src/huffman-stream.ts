import { BitReader } from "./bit-reader.js";
import { BitWriter } from "./bit-writer.js";
import { buildCanonicalCode, type CanonicalCode } from "./canonical-code.js";
import { readCodeLengths, writeCodeLengths } from "./code-length-table.js";
import { MAX_ALPHABET_SIZE, buildCodeLengths, countFrequencies } from "./code-lengths.js";
import { buildDecodeTable, decodeSymbols, type SymbolArray } from "./decode-table.js";
import { HuffmanError } from "./errors.js";

/*
 * Self-describing stream:
 *   byte 0        format version (1)
 *   LEB128        symbol count (at most 2^31 - 1), 1..5 bytes
 *   bit stream    code-length table (see code-length-table.ts), then the codewords, LSB-first,
 *                 zero-padded to a whole byte; nothing may follow.
 */
export const STREAM_VERSION = 1;
/** Most symbols one stream may declare. */
export const MAX_STREAM_SYMBOLS = 2 ** 31 - 1;

export interface EncodeOptions {
  /** Longest codeword, 1..16 (default 16). */
  readonly maxCodeLength?: number;
  /**
   * Symbols must be below this (default: 65,536). The code only covers symbols that occur, so
   * this only checks the input.
   */
  readonly alphabetSize?: number;
}

/** An encoded stream and where its bits went (the container's size accounting reads this). */
export interface HuffmanEncoding {
  readonly bytes: Uint8Array;
  readonly symbolCount: number;
  /** Code length per symbol (trailing unused symbols trimmed). */
  readonly codeLengths: Uint8Array;
  /** Bits spent on codewords alone: sum over symbols of their code length. */
  readonly payloadBits: number;
  /** Everything else: version byte, count, code-length table and the final padding. */
  readonly overheadBits: number;
}

function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** Encodes `symbols` (integers in 0..65535) with a canonical Huffman code built from their counts. */
export function encodeDetailed(symbols: ArrayLike<number>, options: EncodeOptions = {}): HuffmanEncoding {
  const alphabetLimit = options.alphabetSize ?? MAX_ALPHABET_SIZE;
  if (symbols.length > MAX_STREAM_SYMBOLS) {
    throw new HuffmanError("INVALID_ARGUMENT", `${symbols.length} symbols exceed the stream limit ${MAX_STREAM_SYMBOLS}`);
  }
  const counts = countFrequencies(symbols, alphabetLimit);
  let alphabetSize = counts.length;
  while (alphabetSize > 0 && counts[alphabetSize - 1] === 0) alphabetSize--;
  const lengths = buildCodeLengths(
    counts.subarray(0, alphabetSize),
    options.maxCodeLength === undefined ? {} : { maxCodeLength: options.maxCodeLength },
  );
  const code = buildCanonicalCode(lengths);
  let payloadBits = 0;
  for (let s = 0; s < alphabetSize; s++) payloadBits += counts[s]! * lengths[s]!;

  const prefix: number[] = [STREAM_VERSION];
  writeVarint(prefix, symbols.length);
  const writer = new BitWriter(prefix.length + 64 + Math.ceil(payloadBits / 8));
  writer.writeBytes(Uint8Array.from(prefix));
  writeCodeLengths(writer, lengths);
  writer.writeCodewords(symbols, code.reversedCodewords, lengths, payloadBits);
  const bytes = writer.toBytes();
  return { bytes, symbolCount: symbols.length, codeLengths: lengths, payloadBits, overheadBits: bytes.length * 8 - payloadBits };
}

/** `encodeDetailed(symbols, options).bytes`. */
export function encode(symbols: ArrayLike<number>, options: EncodeOptions = {}): Uint8Array {
  return encodeDetailed(symbols, options).bytes;
}

export interface DecodeOptions {
  /** Reject streams declaring more symbols than this (default 2^31 - 1); bounds the output allocation. */
  readonly maxSymbols?: number;
  /** Reject codes over a larger alphabet than this (default 65,536), e.g. 2^bits for b-bit codes. */
  readonly maxAlphabetSize?: number;
  /** Names the stream in error messages (default "huffman stream"). */
  readonly what?: string;
}

/** What a stream declares before its codewords; `decode` and the container both start here. */
export interface StreamHeader {
  readonly symbolCount: number;
  readonly code: CanonicalCode;
  /** Bit position (from the start of the bytes) where the codewords begin. */
  readonly payloadBitOffset: number;
}

function readVarint(bytes: Uint8Array, start: number, what: string): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    const b = bytes[start + i];
    if (b === undefined) throw new HuffmanError("TRUNCATED", `${what}: ends inside the symbol count`);
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) {
      if (i > 0 && b === 0) throw new HuffmanError("INVALID_ARGUMENT", `${what}: symbol count is not minimally encoded`);
      return { value, next: start + i + 1 };
    }
  }
  throw new HuffmanError("COUNT_TOO_LARGE", `${what}: symbol count takes more than 5 bytes`);
}

/**
 * Reads and checks a stream's version, count and code, without decoding the codewords. The count is
 * checked against the bytes (each codeword is at least one bit) before anything is allocated.
 */
export function readStreamHeader(bytes: Uint8Array, options: DecodeOptions = {}): StreamHeader {
  const what = options.what ?? "huffman stream";
  if (bytes.length === 0) throw new HuffmanError("TRUNCATED", `${what}: empty`);
  if (bytes[0] !== STREAM_VERSION) {
    throw new HuffmanError("UNSUPPORTED_VERSION", `${what}: version byte is ${bytes[0]}, expected ${STREAM_VERSION}`);
  }
  const { value: symbolCount, next } = readVarint(bytes, 1, what);
  const maxSymbols = Math.min(options.maxSymbols ?? MAX_STREAM_SYMBOLS, MAX_STREAM_SYMBOLS);
  if (symbolCount > maxSymbols) {
    throw new HuffmanError("COUNT_TOO_LARGE", `${what}: declares ${symbolCount} symbols, more than the allowed ${maxSymbols}`);
  }
  const reader = new BitReader(bytes, next, bytes.length - next, what);
  const lengths = readCodeLengths(reader, { maxAlphabetSize: options.maxAlphabetSize ?? MAX_ALPHABET_SIZE, what });
  const code = buildCanonicalCode(lengths, what);
  if (symbolCount > reader.bitsRemaining) {
    throw new HuffmanError(
      "COUNT_TOO_LARGE",
      `${what}: declares ${symbolCount} symbols but only ${reader.bitsRemaining} bits follow (at least one bit each)`,
    );
  }
  if (symbolCount > 0 && code.maxLength === 0)
    throw new HuffmanError("INVALID_CODE_LENGTHS", `${what}: ${symbolCount} symbols declared with an empty code`);
  if (symbolCount === 0 && code.maxLength !== 0) throw new HuffmanError("TRAILING_DATA", `${what}: a code is given for zero symbols`);
  return { symbolCount, code, payloadBitOffset: reader.bitPosition };
}

/**
 * Decodes a stream written by `encode` into `out` (a new Uint32Array by default). Every malformed
 * input gives a HuffmanError with a literal code: TRUNCATED, COUNT_TOO_LARGE, KRAFT_VIOLATION,
 * INCOMPLETE_CODE, INVALID_CODE_LENGTHS, INVALID_CODEWORD, TRAILING_DATA, UNSUPPORTED_VERSION.
 */
export function decode(bytes: Uint8Array, options: DecodeOptions = {}): Uint32Array {
  const header = readStreamHeader(bytes, options);
  const out = new Uint32Array(header.symbolCount);
  decodePayload(bytes, header, out, options.what ?? "huffman stream");
  return out;
}

/** Decodes into a caller-chosen array (Uint8Array for 8-bit codes, ...); returns the symbol count. */
export function decodeInto(bytes: Uint8Array, out: SymbolArray, options: DecodeOptions = {}): number {
  const header = readStreamHeader(bytes, { ...options, maxSymbols: Math.min(options.maxSymbols ?? out.length, out.length) });
  const limit = out instanceof Uint8Array ? 256 : out instanceof Uint16Array ? 65_536 : Infinity;
  if (header.code.lengths.length > limit) {
    throw new HuffmanError(
      "INVALID_ARGUMENT",
      `${options.what ?? "huffman stream"}: symbols up to ${header.code.lengths.length - 1} do not fit the output array`,
    );
  }
  decodePayload(bytes, header, out, options.what ?? "huffman stream");
  return header.symbolCount;
}

function decodePayload(bytes: Uint8Array, header: StreamHeader, out: SymbolArray, what: string): void {
  const reader = new BitReader(bytes, 0, bytes.length, what);
  reader.seekBit(header.payloadBitOffset);
  decodeSymbols(reader, buildDecodeTable(header.code), header.symbolCount, out);
  reader.alignToByte();
  if (reader.bitsRemaining !== 0) {
    throw new HuffmanError("TRAILING_DATA", `${what}: ${reader.bitsRemaining / 8} bytes follow the last codeword`);
  }
}
