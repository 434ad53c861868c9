import { AdaptiveContexts, MIN_PROBABILITY, PROBABILITY_ONE } from "./adaptive-contexts.js";
import { ArithmeticError } from "./errors.js";
import {
  MIN_P16,
  MAX_CONTEXT_CLASSES,
  TREE_MAX_ALPHABET,
  balancedShape,
  checkClasses,
  chooseTreeModel,
  classByte,
  decodeTree,
  encodeTree,
  lengthTableBytes,
  modelByte,
  parseClassByte,
  parseModelByte,
  readLengthTable,
  shapeFromLengths,
  treeBits,
  writeLengthTable,
  type ContextClasses,
  type TreeChoiceRule,
  type TreeModel,
  type TreeShape,
} from "./bit-tree.js";
import { RangeDecoder, RangeEncoder } from "./range-coder.js";
import { wasmTreeLoop } from "./tree-loop-hook.js";
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
 *   byte 0     format version: 2 for alphabets <= 256 (bit-tree binarisation, bit-tree.ts),
 *              1 for larger ones (sig/sign/unary/Exp-Golomb, symbol-binarisation.ts)
 *   LEB128     symbol count n (at most 2^31 - 1), minimal
 *   if n > 0:
 *     LEB128   alphabet size - 1 (alphabet <= 65,536; <= 256 in version 2), minimal
 *     LEB128   centre m < alphabet size (the stream's mode), minimal
 *     byte     version 2 only: the model byte (bits 0-3 rate shift 4..8, bit 4 conditioned on
 *              "previous symbol was m", bit 5 shaped tree, bit 6 class-coded, bit 7 0)
 *     byte     class-coded only: (side classes - 1) << 4 | (previous classes - 1), product <= 16
 *     table    shaped only: 4-bit code lengths
 *     payload  range-coded bins (>= 3 bytes); its end is found by decoding
 */
/** The version written for alphabets up to 256. */
export const STREAM_VERSION = 2;
/** The version written for alphabets above 256 (and read for any alphabet). */
export const STREAM_VERSION_V1 = 1;
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
/** Version 1: upper bound on symbols per payload byte beyond the first two; a declared count above it is COUNT_TOO_LARGE at once. */
export const MAX_SYMBOLS_PER_PAYLOAD_BYTE = Math.ceil(8 / -Math.log2(MAX_BIN_FRACTION));
/*
 * Version 2: every bin's likelier outcome keeps at most 1 - 32/2^16 + 32/2^23 of the range (>= 2^23)
 * (states stay in [2^-11, 1 - 2^-11], see bit-tree.ts), so B payload bytes hold at most
 * 11,401 (B - 2) bins, and a symbol is treeBits(alphabet) >= 1 bins.
 */
const MAX_TREE_BIN_FRACTION = 1 - MIN_P16 / 2 ** 16 + MIN_P16 / 2 ** 23;
/** Version 2: upper bound on bins per payload byte beyond the first two. */
export const MAX_TREE_BINS_PER_PAYLOAD_BYTE = Math.ceil(8 / -Math.log2(MAX_TREE_BIN_FRACTION));

/** Most symbols `payloadBytes` bytes of a stream of this version and alphabet can hold. */
export function maxSymbolsForPayload(
  version: number,
  alphabetSize: number,
  payloadBytes: number,
  minBins = treeBits(alphabetSize),
): number {
  if (payloadBytes < 3) return 0;
  return version === STREAM_VERSION_V1
    ? MAX_SYMBOLS_PER_PAYLOAD_BYTE * (payloadBytes - 2)
    : Math.floor((MAX_TREE_BINS_PER_PAYLOAD_BYTE * (payloadBytes - 2)) / minBins);
}

export interface EncodeOptions {
  /** Symbols must be below this (1..65,536; default: largest symbol + 1). Stored in the header. */
  readonly alphabetSize?: number;
  /**
   * Code a class-coded stream (alphabets <= 256): one tree per context class, symbol i's class given
   * by `classes` (see ContextClasses); the decoder must be given the same definition.
   */
  readonly classes?: ContextClasses;
}

/** An encoded stream and where its bytes went. */
export interface ArithmeticEncoding {
  readonly bytes: Uint8Array;
  readonly symbolCount: number;
  readonly alphabetSize: number;
  /** The format version written: 2 for alphabets up to 256, 1 above. */
  readonly version: number;
  /** The stream's mode (smallest on ties): the sig bin's reference (v1), the conditioning symbol (v2). */
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
  readonly classes?: ContextClasses;
}

/** What the header says beyond Prepared: the version and, for version 2, the model. */
interface Coding {
  readonly version: number;
  readonly model?: TreeModel;
  readonly shape?: TreeShape;
  /** Ideal payload bits of the chosen model (version 2). */
  readonly modelBits?: number;
}

function chooseCoding(symbols: ArrayLike<number>, prepared: Prepared, version?: number, tree: TreeChoiceRule = "auto"): Coding {
  if (symbols.length === 0) return { version: version ?? STREAM_VERSION };
  if (version === STREAM_VERSION_V1 || prepared.alphabetSize > TREE_MAX_ALPHABET) return { version: STREAM_VERSION_V1 };
  const chosen = chooseTreeModel(symbols, prepared.alphabetSize, prepared.center, tree, prepared.classes);
  return { version: STREAM_VERSION, model: chosen.model, shape: chosen.shape, modelBits: chosen.bits };
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
  const classes = options.classes;
  if (classes === undefined) return { alphabetSize, center };
  if (alphabetSize > TREE_MAX_ALPHABET)
    throw new ArithmeticError("INVALID_ARGUMENT", `class-coded streams need an alphabet <= ${TREE_MAX_ALPHABET}, got ${alphabetSize}`);
  const problem = checkClasses(classes, symbols.length, alphabetSize);
  if (problem !== undefined) throw new ArithmeticError("INVALID_ARGUMENT", `classes: ${problem}`);
  return { alphabetSize, center, classes };
}

function header(count: number, prepared: Prepared, coding: Coding): number[] {
  const out = [coding.version];
  writeVarint(out, count);
  if (count > 0) {
    writeVarint(out, prepared.alphabetSize - 1);
    writeVarint(out, prepared.center);
    if (coding.model !== undefined) {
      out.push(modelByte(coding.model));
      if (coding.model.classed === true) out.push(classByte(prepared.classes!));
      if (coding.model.shaped) writeLengthTable(out, coding.shape!.lengths);
    }
  }
  return out;
}

/**
 * Internal (tests): encodes in format version `version` (1 for any alphabet, 2 for alphabets up
 * to 256; default: 2 where it applies).
 */
export function encodeWithVersion(
  symbols: ArrayLike<number>,
  options: EncodeOptions,
  version?: number,
  tree: TreeChoiceRule = "auto",
): ArithmeticEncoding {
  const prepared = prepare(symbols, options);
  if (
    (version !== undefined &&
      version !== STREAM_VERSION_V1 &&
      !(version === STREAM_VERSION && prepared.alphabetSize <= TREE_MAX_ALPHABET)) ||
    (version === STREAM_VERSION_V1 && prepared.classes !== undefined)
  ) {
    throw new ArithmeticError("INVALID_ARGUMENT", `cannot write version ${version} for an alphabet of ${prepared.alphabetSize}`);
  }
  const coding = chooseCoding(symbols, prepared, version, tree);
  const head = header(symbols.length, prepared, coding);
  let payload: Uint8Array = new Uint8Array(0);
  if (symbols.length > 0) {
    const encoder = new RangeEncoder(64 + (symbols.length >>> 1), coding.model !== undefined);
    if (coding.model !== undefined) {
      encodeTree(encoder, symbols, coding.shape!, prepared.center, coding.model, prepared.classes);
    } else {
      encodeSymbolBins(encoder, new AdaptiveContexts(CONTEXT_COUNT), symbols, prepared.alphabetSize, prepared.center);
    }
    payload = encoder.finish();
  }
  const bytes = new Uint8Array(head.length + payload.length);
  bytes.set(head);
  bytes.set(payload, head.length);
  return {
    bytes,
    symbolCount: symbols.length,
    alphabetSize: prepared.alphabetSize,
    version: coding.version,
    center: prepared.center,
    headerBytes: head.length,
    payloadBytes: payload.length,
  };
}

/** Encodes `symbols` (integers below `alphabetSize`) with context-adaptive binary arithmetic coding. */
export function encodeSymbolsDetailed(symbols: ArrayLike<number>, options: EncodeOptions = {}): ArithmeticEncoding {
  return encodeWithVersion(symbols, options);
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
  const coding = chooseCoding(symbols, prepared);
  const head = header(symbols.length, prepared, coding).length;
  if (symbols.length === 0) return head;
  if (coding.modelBits !== undefined) return head + Math.ceil(coding.modelBits / 8) + FLUSH_BYTES;
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
  /**
   * The class definition of a class-coded stream (as given to the encoder). A class-coded stream
   * decoded without it, a plain one with it, or class counts that differ from the stream's are
   * CLASS_MISMATCH. `readStreamHeader` ignores it.
   */
  readonly classes?: ContextClasses;
  /**
   * Which loop decodes a version-2 stream: "auto" (default) the WebAssembly loop where it is loaded
   * (`import "@dcnpi/arithmetic/wasm"`; the Node entries of sparse-format and deep-compression do), WebAssembly
   * exists and the stream has at least 64 symbols (WASM_MIN_SYMBOLS), else the JavaScript loop; "js" or
   * "wasm" to force one (benches, tests; "wasm" without the loop loaded or without WebAssembly is INVALID_ARGUMENT). Both give
   * the same symbols and the same errors. Version-1 streams have only the JavaScript loop.
   */
  readonly decoder?: TreeDecoderChoice;
}

/** The decode loops of version-2 streams (DecodeOptions.decoder). */
export type TreeDecoderChoice = "auto" | "wasm" | "js";

/**
 * Below this many symbols "auto" keeps the JavaScript loop: the WebAssembly call's set-up (model tables
 * copied into its memory) costs about what its loop saves (measured on 6-bit codes, whole decode calls:
 * wasm / JS speed 0.9 at 32 symbols, 1.2 at 64, 1.4 at 256).
 */
const WASM_MIN_SYMBOLS = 64;

/** What a stream declares before its payload. */
export interface StreamHeader {
  /** Format version: 1 or 2. */
  readonly version: number;
  readonly symbolCount: number;
  /** 0 when the stream is empty. */
  readonly alphabetSize: number;
  readonly center: number;
  /** Byte offset (from the start given to readStreamHeader) where the payload begins. */
  readonly payloadOffset: number;
  /** A class-coded stream's class counts (as its class byte declares), else null. */
  readonly classCounts: { readonly sideClasses: number; readonly previousClasses: number } | null;
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

interface ParsedHeader extends StreamHeader {
  /** Version 2's model and tree. */
  readonly model?: TreeModel;
  readonly shape?: TreeShape;
}

function parseHeader(bytes: Uint8Array, options: DecodeOptions, start: number, end: number): ParsedHeader {
  const what = options.what ?? "arithmetic stream";
  if (start >= end) throw new ArithmeticError("TRUNCATED", `${what}: empty`);
  const version = bytes[start]!;
  if (version !== STREAM_VERSION && version !== STREAM_VERSION_V1) {
    throw new ArithmeticError(
      "UNSUPPORTED_VERSION",
      `${what}: version byte is ${version}, expected ${STREAM_VERSION_V1} or ${STREAM_VERSION}`,
    );
  }
  const count = readVarint(bytes, start + 1, end, "symbol count", what);
  const symbolCount = count.value;
  const maxCount = Math.min(options.maxCount ?? MAX_STREAM_SYMBOLS, MAX_STREAM_SYMBOLS);
  if (symbolCount > maxCount) {
    throw new ArithmeticError("COUNT_TOO_LARGE", `${what}: declares ${symbolCount} symbols, more than the allowed ${maxCount}`);
  }
  if (symbolCount === 0) return { version, symbolCount, alphabetSize: 0, center: 0, payloadOffset: count.next - start, classCounts: null };
  const alphabet = readVarint(bytes, count.next, end, "alphabet size", what);
  const alphabetSize = alphabet.value + 1;
  const maxAlphabetSize = Math.min(options.maxAlphabetSize ?? MAX_ALPHABET_SIZE, MAX_ALPHABET_SIZE);
  if (alphabetSize > maxAlphabetSize) {
    throw new ArithmeticError("CORRUPT", `${what}: alphabet of ${alphabetSize} symbols, more than the allowed ${maxAlphabetSize}`);
  }
  if (version === STREAM_VERSION && alphabetSize > TREE_MAX_ALPHABET) {
    throw new ArithmeticError("CORRUPT", `${what}: version ${version} codes alphabets up to ${TREE_MAX_ALPHABET}, not ${alphabetSize}`);
  }
  const centre = readVarint(bytes, alphabet.next, end, "centre symbol", what);
  if (centre.value >= alphabetSize) {
    throw new ArithmeticError("CORRUPT", `${what}: centre ${centre.value} is outside the alphabet of ${alphabetSize}`);
  }
  let payloadStart = centre.next;
  let model: TreeModel | undefined;
  let shape: TreeShape | undefined;
  let classCounts: StreamHeader["classCounts"] = null;
  if (version === STREAM_VERSION) {
    if (payloadStart >= end) throw new ArithmeticError("TRUNCATED", `${what}: ends inside the model byte`);
    model = parseModelByte(bytes[payloadStart]!);
    if (model === undefined)
      throw new ArithmeticError("CORRUPT", `${what}: model byte ${bytes[payloadStart]} is not one an encoder writes`);
    payloadStart++;
    if (model.classed === true) {
      if (payloadStart >= end) throw new ArithmeticError("TRUNCATED", `${what}: ends inside the class byte`);
      classCounts = parseClassByte(bytes[payloadStart]!) ?? null;
      if (classCounts === null)
        throw new ArithmeticError("CORRUPT", `${what}: class byte ${bytes[payloadStart]} declares more than ${MAX_CONTEXT_CLASSES} trees`);
      payloadStart++;
    }
    if (model.shaped) {
      const tableBytes = lengthTableBytes(alphabetSize);
      if (payloadStart + tableBytes > end) throw new ArithmeticError("TRUNCATED", `${what}: ends inside the code-length table`);
      const lengths = readLengthTable(bytes, payloadStart, alphabetSize);
      shape = lengths === undefined ? undefined : shapeFromLengths(lengths);
      if (shape === undefined) throw new ArithmeticError("CORRUPT", `${what}: the code lengths do not form a complete prefix code`);
      payloadStart += tableBytes;
    } else {
      shape = balancedShape(alphabetSize);
    }
  }
  const available = end - payloadStart;
  if (available < 3) throw new ArithmeticError("TRUNCATED", `${what}: ${symbolCount} symbols declared but the payload is missing`);
  const capacity = maxSymbolsForPayload(version, alphabetSize, available, shape?.minBins);
  if (symbolCount > capacity) {
    throw new ArithmeticError(
      "COUNT_TOO_LARGE",
      `${what}: declares ${symbolCount} symbols but ${available} payload bytes hold at most ${capacity}`,
    );
  }
  const head = { version, symbolCount, alphabetSize, center: centre.value, payloadOffset: payloadStart - start, classCounts };
  return model === undefined ? head : { ...head, model, shape: shape! };
}

/**
 * Reads and checks a stream's header starting at `bytes[start]` (the stream may run to `end`,
 * default the array's end). The count is checked against the caller's limit and against the
 * bytes after the header (what the payload can hold at the model's most skewed probability)
 * before anything is allocated.
 */
export function readStreamHeader(bytes: Uint8Array, options: DecodeOptions = {}, start = 0, end = bytes.length): StreamHeader {
  const { version, symbolCount, alphabetSize, center, payloadOffset, classCounts } = parseHeader(bytes, options, start, end);
  return { version, symbolCount, alphabetSize, center, payloadOffset, classCounts };
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
  const head = parseHeader(bytes, { ...options, maxCount: Math.min(options.maxCount ?? outLimit, outLimit) }, start, end);
  const target = out ?? new Uint32Array(head.symbolCount);
  const symbolLimit = target instanceof Uint8Array ? 256 : target instanceof Uint16Array ? 65_536 : Infinity;
  if (head.alphabetSize > symbolLimit) {
    throw new ArithmeticError("INVALID_ARGUMENT", `${what}: an alphabet of ${head.alphabetSize} does not fit the output array`);
  }
  if (head.symbolCount === 0) return { symbols: target, count: 0, bytesRead: head.payloadOffset };
  checkClassUse(head, options.classes, what);
  if (head.model !== undefined) {
    const choice = options.decoder ?? "auto";
    if (choice !== "auto" && choice !== "js" && choice !== "wasm")
      throw new ArithmeticError("INVALID_ARGUMENT", `${what}: decoder must be "auto", "js" or "wasm", got ${String(choice)}`);
    const loop = wasmTreeLoop();
    if (choice === "wasm" && loop === undefined)
      throw new ArithmeticError("INVALID_ARGUMENT", `${what}: the WebAssembly loop is not loaded (import "@dcnpi/arithmetic/wasm")`);
    const wasm = choice === "wasm" || (choice === "auto" && head.symbolCount >= WASM_MIN_SYMBOLS && loop?.available() === true);
    const streamEnd = (wasm ? loop!.decode : decodeTree)(
      bytes,
      start + head.payloadOffset,
      end,
      target,
      head.symbolCount,
      head.alphabetSize,
      head.center,
      head.model,
      head.shape!,
      what,
      options.classes,
    );
    return { symbols: target, count: head.symbolCount, bytesRead: streamEnd - start };
  }
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

/**
 * A class-coded stream must be decoded with a class definition of the same counts that fits it; a plain
 * one without. An empty stream carries no model and decodes either way.
 */
function checkClassUse(head: ParsedHeader, classes: ContextClasses | undefined, what: string): void {
  const counts = head.classCounts;
  if (counts === null) {
    if (classes !== undefined) throw new ArithmeticError("CLASS_MISMATCH", `${what}: is not class-coded, but a class definition was given`);
    return;
  }
  if (classes === undefined) throw new ArithmeticError("CLASS_MISMATCH", `${what}: is class-coded and needs its class definition`);
  if (counts.sideClasses !== classes.sideClasses || counts.previousClasses !== classes.previousClasses) {
    throw new ArithmeticError(
      "CLASS_MISMATCH",
      `${what}: coded with ${counts.sideClasses} x ${counts.previousClasses} classes, ` +
        `the definition given has ${classes.sideClasses} x ${classes.previousClasses}`,
    );
  }
  const problem = checkClasses(classes, head.symbolCount, head.alphabetSize);
  if (problem !== undefined)
    throw new ArithmeticError("CLASS_MISMATCH", `${what}: the class definition does not fit the stream: ${problem}`);
}

function checkEnd(bytesRead: number, length: number, options: DecodeOptions): void {
  if (bytesRead < length) {
    throw new ArithmeticError("TRAILING_DATA", `${options.what ?? "arithmetic stream"}: ${length - bytesRead} byte(s) follow the stream`);
  }
}
