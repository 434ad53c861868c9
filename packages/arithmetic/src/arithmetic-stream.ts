import { AdaptiveContexts, MIN_PROBABILITY, PROBABILITY_ONE } from "./adaptive-contexts.js";
import { ArithmeticError } from "./errors.js";
import { RangeDecoder, RangeEncoder } from "./range-coder.js";
import {
  CONTEXT_COUNT,
  MAX_ALPHABET_SIZE,
  decodeSymbolBins,
  encodeSymbolBins,
  type BinSink,
  type SymbolArray,
} from "./symbol-binarisation.js";

/*
 * Self-delimiting stream:
 *   byte 0     format version (1)
 *   LEB128     symbol count n (at most 2^31 - 1), minimal
 *   if n > 0:
 *     LEB128   alphabet size - 1 (alphabet <= 65,536), minimal
 *     LEB128   centre m < alphabet size (the symbol the sig bin compares with), minimal
 *     payload  range-coded bins (>= 3 bytes); its end is found by decoding
 */
export const STREAM_VERSION = 1;
/** Most symbols one stream may declare. */
export const MAX_STREAM_SYMBOLS = 2 ** 31 - 1;

/*
 * Each symbol codes at least one context bin, whose more likely outcome keeps at most a
 * fraction f = 1 - 71/2^15 + 71/2^24 of the range (probabilities are clamped by the estimator,
 * see MIN_PROBABILITY; the second term is the engine's rounding). A payload of B bytes (B - 3
 * renormalisations) narrows the interval by at most 2^(8(B - 2)), so
 * n <= 8(B - 2) / -log2(f) = 2561.4 (B - 2).
 */
const MAX_BIN_FRACTION = 1 - MIN_PROBABILITY / PROBABILITY_ONE + MIN_PROBABILITY / 2 ** 24;
/** Upper bound on symbols per payload byte beyond the first two; a declared count above it is COUNT_TOO_LARGE at once. */
export const MAX_SYMBOLS_PER_PAYLOAD_BYTE = Math.ceil(8 / -Math.log2(MAX_BIN_FRACTION));

export interface EncodeOptions {
  /** Symbols must be below this (1..65,536; default: largest symbol + 1). Stored in the header. */
  readonly alphabetSize?: number;
}

/** An encoded stream and where its bytes went. */
export interface ArithmeticEncoding {
  readonly bytes: Uint8Array;
  readonly symbolCount: number;
  readonly alphabetSize: number;
  /** The symbol the sig bin compares with (the most frequent, smallest on ties). */
  readonly center: number;
  /** Version byte and varints. */
  readonly headerBytes: number;
  /** Range-coded bins, flush included. */
  readonly payloadBytes: number;
}

function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function varintLength(value: number): number {
  let length = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) length++;
  return length;
}

interface Prepared {
  readonly alphabetSize: number;
  readonly center: number;
}

/** Checks the symbols against the alphabet and picks the centre (the mode) in one pass. */
function prepare(symbols: ArrayLike<number>, options: EncodeOptions): Prepared {
  if (symbols.length > MAX_STREAM_SYMBOLS) {
    throw new ArithmeticError("INVALID_ARGUMENT", `${symbols.length} symbols exceed the stream limit ${MAX_STREAM_SYMBOLS}`);
  }
  const limit = options.alphabetSize ?? MAX_ALPHABET_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ALPHABET_SIZE) {
    throw new ArithmeticError("INVALID_ARGUMENT", `alphabetSize must be an integer in 1..${MAX_ALPHABET_SIZE}, got ${limit}`);
  }
  const counts = new Uint32Array(limit);
  let largest = 0;
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    if (!(s >= 0 && s < limit && Number.isInteger(s))) {
      throw new ArithmeticError("INVALID_ARGUMENT", `symbol ${i} is ${s}, outside the alphabet 0..${limit - 1}`);
    }
    counts[s]!++;
    if (s > largest) largest = s;
  }
  const alphabetSize = options.alphabetSize ?? largest + 1;
  let center = 0;
  for (let s = 1; s < alphabetSize; s++) if (counts[s]! > counts[center]!) center = s;
  return { alphabetSize, center };
}

function header(count: number, prepared: Prepared): number[] {
  const out = [STREAM_VERSION];
  writeVarint(out, count);
  if (count > 0) {
    writeVarint(out, prepared.alphabetSize - 1);
    writeVarint(out, prepared.center);
  }
  return out;
}

/** Encodes `symbols` (integers below `alphabetSize`) with context-adaptive binary arithmetic coding. */
export function encodeSymbolsDetailed(symbols: ArrayLike<number>, options: EncodeOptions = {}): ArithmeticEncoding {
  const prepared = prepare(symbols, options);
  const head = header(symbols.length, prepared);
  let payload: Uint8Array = new Uint8Array(0);
  if (symbols.length > 0) {
    const encoder = new RangeEncoder(64 + (symbols.length >>> 1));
    encodeSymbolBins(encoder, new AdaptiveContexts(CONTEXT_COUNT), symbols, prepared.alphabetSize, prepared.center);
    payload = encoder.finish();
  }
  const bytes = new Uint8Array(head.length + payload.length);
  bytes.set(head);
  bytes.set(payload, head.length);
  return { bytes, symbolCount: symbols.length, ...prepared, headerBytes: head.length, payloadBytes: payload.length };
}

/** `encodeSymbolsDetailed(symbols, options).bytes`. */
export function encodeSymbols(symbols: ArrayLike<number>, options: EncodeOptions = {}): Uint8Array {
  return encodeSymbolsDetailed(symbols, options).bytes;
}

/** Bytes the flush adds beyond the bins' information (3 bytes of V, of which about one is information). */
const FLUSH_BYTES = 2;

let costTable: Float64Array | undefined;

/** Adds up -log2 P(bin) instead of coding: the ideal size of the same bins. */
class CostMeter implements BinSink {
  bits = 0;
  private readonly table: Float64Array;
  constructor() {
    costTable ??= Float64Array.from({ length: PROBABILITY_ONE }, (_, p) => (p === 0 ? 0 : -Math.log2(p / PROBABILITY_ONE)));
    this.table = costTable;
  }
  encodeBit(bit: number, p1: number): void {
    this.bits += this.table[bit !== 0 ? p1 : PROBABILITY_ONE - p1]!;
  }
  encodeBypass(): void {
    this.bits += 1;
  }
}

/**
 * Size in bytes that `encodeSymbols(symbols, options)` would produce, from the same model but
 * without the coder (ideal code lengths plus the two flush bytes; the coder's rounding adds at
 * most a few bytes per million bins). For a container choosing fixed-width, Huffman or arithmetic
 * per stream.
 */
export function estimateEncodedBytes(symbols: ArrayLike<number>, options: EncodeOptions = {}): number {
  const prepared = prepare(symbols, options);
  const head = header(symbols.length, prepared).length;
  if (symbols.length === 0) return head;
  const meter = new CostMeter();
  encodeSymbolBins(meter, new AdaptiveContexts(CONTEXT_COUNT), symbols, prepared.alphabetSize, prepared.center);
  return head + Math.ceil(meter.bits / 8) + FLUSH_BYTES;
}

export interface DecodeOptions {
  /** Reject streams declaring more symbols than this (default 2^31 - 1); bounds the output allocation. */
  readonly maxCount?: number;
  /** Reject streams over a larger alphabet than this (default 65,536), e.g. 2^bits for b-bit codes. */
  readonly maxAlphabetSize?: number;
  /** Names the stream in error messages (default "arithmetic stream"). */
  readonly what?: string;
}

/** What a stream declares before its payload. */
export interface StreamHeader {
  readonly symbolCount: number;
  /** 0 when the stream is empty. */
  readonly alphabetSize: number;
  readonly center: number;
  /** Byte offset (from the start given to readStreamHeader) where the payload begins. */
  readonly payloadOffset: number;
}

function readVarint(bytes: Uint8Array, start: number, end: number, field: string, what: string): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    if (start + i >= end) throw new ArithmeticError("TRUNCATED", `${what}: ends inside the ${field}`);
    const b = bytes[start + i]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) {
      if (i > 0 && b === 0) throw new ArithmeticError("CORRUPT", `${what}: ${field} is not minimally encoded`);
      return { value, next: start + i + 1 };
    }
  }
  throw new ArithmeticError("CORRUPT", `${what}: ${field} takes more than 5 bytes`);
}

/**
 * Reads and checks a stream's header starting at `bytes[start]` (the stream may run to `end`,
 * default the array's end). The count is checked against the caller's limit and against the
 * bytes after the header (MAX_SYMBOLS_PER_PAYLOAD_BYTE) before anything is allocated.
 */
export function readStreamHeader(bytes: Uint8Array, options: DecodeOptions = {}, start = 0, end = bytes.length): StreamHeader {
  const what = options.what ?? "arithmetic stream";
  if (start >= end) throw new ArithmeticError("TRUNCATED", `${what}: empty`);
  if (bytes[start] !== STREAM_VERSION) {
    throw new ArithmeticError("UNSUPPORTED_VERSION", `${what}: version byte is ${bytes[start]}, expected ${STREAM_VERSION}`);
  }
  const count = readVarint(bytes, start + 1, end, "symbol count", what);
  const symbolCount = count.value;
  const maxCount = Math.min(options.maxCount ?? MAX_STREAM_SYMBOLS, MAX_STREAM_SYMBOLS);
  if (symbolCount > maxCount) {
    throw new ArithmeticError("COUNT_TOO_LARGE", `${what}: declares ${symbolCount} symbols, more than the allowed ${maxCount}`);
  }
  if (symbolCount === 0) return { symbolCount, alphabetSize: 0, center: 0, payloadOffset: count.next - start };
  const alphabet = readVarint(bytes, count.next, end, "alphabet size", what);
  const alphabetSize = alphabet.value + 1;
  const maxAlphabetSize = Math.min(options.maxAlphabetSize ?? MAX_ALPHABET_SIZE, MAX_ALPHABET_SIZE);
  if (alphabetSize > maxAlphabetSize) {
    throw new ArithmeticError("CORRUPT", `${what}: alphabet of ${alphabetSize} symbols, more than the allowed ${maxAlphabetSize}`);
  }
  const centre = readVarint(bytes, alphabet.next, end, "centre symbol", what);
  if (centre.value >= alphabetSize) {
    throw new ArithmeticError("CORRUPT", `${what}: centre ${centre.value} is outside the alphabet of ${alphabetSize}`);
  }
  const available = end - centre.next;
  if (available < 3) throw new ArithmeticError("TRUNCATED", `${what}: ${symbolCount} symbols declared but the payload is missing`);
  const capacity = MAX_SYMBOLS_PER_PAYLOAD_BYTE * (available - 2);
  if (symbolCount > capacity) {
    throw new ArithmeticError(
      "COUNT_TOO_LARGE",
      `${what}: declares ${symbolCount} symbols but ${available} payload bytes hold at most ${capacity}`,
    );
  }
  return { symbolCount, alphabetSize, center: centre.value, payloadOffset: centre.next - start };
}

/** A decode of a stream that may be followed by other bytes. */
export interface DecodedStream {
  readonly symbols: Uint32Array;
  /** Bytes the stream occupied from the start offset. */
  readonly bytesRead: number;
}

function decodeAt(bytes: Uint8Array, start: number, end: number, out: SymbolArray | undefined, options: DecodeOptions) {
  const what = options.what ?? "arithmetic stream";
  const outLimit = out === undefined ? MAX_STREAM_SYMBOLS : out.length;
  const head = readStreamHeader(bytes, { ...options, maxCount: Math.min(options.maxCount ?? outLimit, outLimit) }, start, end);
  const target = out ?? new Uint32Array(head.symbolCount);
  const symbolLimit = target instanceof Uint8Array ? 256 : target instanceof Uint16Array ? 65_536 : Infinity;
  if (head.alphabetSize > symbolLimit) {
    throw new ArithmeticError("INVALID_ARGUMENT", `${what}: an alphabet of ${head.alphabetSize} does not fit the output array`);
  }
  if (head.symbolCount === 0) return { symbols: target, count: 0, bytesRead: head.payloadOffset };
  const decoder = new RangeDecoder(bytes, start + head.payloadOffset, end, what);
  const contexts = new AdaptiveContexts(CONTEXT_COUNT);
  decodeSymbolBins(decoder, contexts, target, head.symbolCount, head.alphabetSize, head.center, what);
  decoder.finish();
  return { symbols: target, count: head.symbolCount, bytesRead: decoder.streamEnd - start };
}

/**
 * Decodes a stream that fills `bytes` exactly. Every malformed input gives an ArithmeticError:
 * TRUNCATED, COUNT_TOO_LARGE, TRAILING_DATA, UNSUPPORTED_VERSION, CORRUPT.
 */
export function decodeSymbols(bytes: Uint8Array, options: DecodeOptions = {}): Uint32Array {
  const decoded = decodeAt(bytes, 0, bytes.length, undefined, options);
  checkEnd(decoded.bytesRead, bytes.length, options);
  return decoded.symbols as Uint32Array;
}

/** Decodes into a caller's array (Uint8Array for alphabets up to 256, ...); returns the symbol count. */
export function decodeSymbolsInto(bytes: Uint8Array, out: SymbolArray, options: DecodeOptions = {}): number {
  const decoded = decodeAt(bytes, 0, bytes.length, out, options);
  checkEnd(decoded.bytesRead, bytes.length, options);
  return decoded.count;
}

/** Decodes the stream starting at `bytes[offset]`, which may be followed by anything; says where it ended. */
export function decodeSymbolsFrom(bytes: Uint8Array, offset = 0, options: DecodeOptions = {}): DecodedStream {
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
    throw new ArithmeticError("INVALID_ARGUMENT", `offset ${offset} is outside 0..${bytes.length}`);
  }
  const decoded = decodeAt(bytes, offset, bytes.length, undefined, options);
  return { symbols: decoded.symbols as Uint32Array, bytesRead: decoded.bytesRead };
}

function checkEnd(bytesRead: number, length: number, options: DecodeOptions): void {
  if (bytesRead < length) {
    throw new ArithmeticError("TRAILING_DATA", `${options.what ?? "arithmetic stream"}: ${length - bytesRead} byte(s) follow the stream`);
  }
}
