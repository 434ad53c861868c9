/**
 * The binary header of format version 2 (issue 17 item 2): the same records as the JSON header, in a
 * compact form. Offsets are not stored (sections tile the data region, so each starts where the
 * previous ended), nor is anything the other fields determine (a dense section's length, a fixed
 * stream's length and bits, a stream's symbol count); strings are stored once in a table; the
 * metadata is a tagged binary JSON value. The body may be arithmetic-coded as a whole when that is
 * smaller. Decoding rebuilds the JSON-shaped header, which then goes through the same
 * `validateHeader` as a JSON header: one set of rules for both forms. FORMAT.md has the bytes.
 * This module decodes (it is all a reader bundles); binary-header-writer.ts encodes.
 */
import { ArithmeticError, decodeSymbolsInto, readStreamHeader } from "@dcnpi/arithmetic";
import { packedByteLength } from "./bit-packing.js";
import { BYTES_PER_ELEMENT, FORMAT_VERSION_2, PREAMBLE_BYTES } from "./container-constants.js";
import type { ContainerHeader, DenseDType, EntryRecord, StreamEncoding, StreamSectionRecord } from "./container-schema.js";
import { SparseFormatError } from "./errors.js";
import { HEADER_DICTIONARY } from "./header-dictionary.js";
import { limitExceeded, type ReadLimits } from "./read-limits.js";

/** The binary header's own version byte (a change of layout bumps it; readers reject others). */
export const BINARY_HEADER_VERSION = 1;
/**
 * Body coding byte: 0 = stored; flag bit 0 = arithmetic-coded; flag bit 1 = compact (the string
 * table in dictionary form, tags Decimal and SameKeys allowed).
 */
export const BODY_STORED = 0;
export const BODY_ARITHMETIC = 1;
export const BODY_COMPACT = 2;

export const KINDS = ["sparse", "quantized", "dense"] as const;
export const DTYPES: readonly DenseDType[] = ["float32", "int32", "uint8"];
const ENCODINGS: readonly StreamEncoding[] = ["fixed", "huffman", "arithmetic", "arithmetic-context"];
export const INFO_KEYS = ["layer", "layerClass", "role"] as const;
/** Entry kind byte, bit 5: the codebook section (sparse, quantized) or the data (dense) is packed. */
export const PACKED_SECTION_FLAG = 0x20;
const MAX_RANK = 8;
/** Nesting the decoder follows by recursion at most, whatever `maxMetadataDepth` says (the call stack). */
const MAX_DECODE_DEPTH = 4096;

/** The tag byte of a metadata value. */
export const Tag = {
  Null: 0,
  False: 1,
  True: 2,
  Uint: 3,
  NegInt: 4,
  Float64: 5,
  String: 6,
  Array: 7,
  Object: 8,
  Float32: 9,
  /** Compact bodies only: LEB128 zigzag(m), u8 k (1..22); the number Number("me-k"). */
  Decimal: 10,
  /** Compact bodies only: LEB128 i, then values for the keys of the i-th distinct key list an object (tag 8) declared. */
  SameKeys: 11,
} as const;

function invalid(where: string, message: string, cause?: unknown): SparseFormatError {
  return new SparseFormatError("INVALID_HEADER", `${where}: binary header ${message}`, cause === undefined ? undefined : { cause });
}

class ByteReader {
  #at = 0;
  readonly #utf8 = new TextDecoder("utf-8", { fatal: true });
  constructor(
    readonly bytes: Uint8Array,
    readonly where: string,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.#at;
  }

  fail(message: string): never {
    throw invalid(this.where, `${message} (at body byte ${this.#at})`);
  }

  byte(what: string): number {
    if (this.#at >= this.bytes.length) this.fail(`ends inside ${what}`);
    return this.bytes[this.#at++]!;
  }

  /** Unsigned LEB128: minimal, at most 2^53 − 1. */
  uint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const b = this.byte(what);
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) this.fail(`${what}: non-minimal varint`);
        if (!Number.isSafeInteger(value)) this.fail(`${what}: varint beyond 2^53 - 1`);
        return value;
      }
      scale *= 0x80;
      if (i >= 7) this.fail(`${what}: varint longer than 8 bytes`);
    }
  }

  /** A count of items that take at least `minBytes` each: checked against the bytes left before anything is built. */
  count(what: string, minBytes: number): number {
    const n = this.uint(what);
    if (n * minBytes > this.remaining) this.fail(`${what} ${n} cannot fit the ${this.remaining} bytes left`);
    return n;
  }

  #take(n: number, what: string): DataView {
    if (n > this.remaining) this.fail(`ends inside ${what}`);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.#at, n);
    this.#at += n;
    return view;
  }

  u32(what: string): number {
    return this.#take(4, what).getUint32(0, true);
  }

  f32(what: string): number {
    return this.#take(4, what).getFloat32(0, true);
  }

  f64(what: string): number {
    return this.#take(8, what).getFloat64(0, true);
  }

  utf8(n: number, what: string): string {
    const view = this.#take(n, what);
    try {
      return this.#utf8.decode(new Uint8Array(view.buffer, view.byteOffset, n));
    } catch (error) {
      throw invalid(this.where, `${what} is not valid UTF-8`, error);
    }
  }
}

function stringRef(reader: ByteReader, strings: readonly string[], what: string): string {
  const i = reader.uint(what);
  if (i >= strings.length) reader.fail(`${what}: string ${i} of a table of ${strings.length}`);
  return strings[i]!;
}

/** What decoding a metadata value needs besides the bytes. */
interface ValueReader {
  readonly reader: ByteReader;
  readonly strings: readonly string[];
  readonly limits: ReadLimits;
  /** Compact body: tags Decimal and SameKeys allowed; the key lists of complete objects, in order. */
  readonly compact: boolean;
  readonly keyLists: (readonly string[])[];
  /** The string indices of each key list, joined by ",", to its number (bounded by the bytes read). */
  readonly keyListIds: Map<string, number>;
}

function decodeValue(v: ValueReader, depth: number): unknown {
  const { reader, strings, limits } = v;
  const tag = reader.byte("a metadata value");
  switch (tag) {
    case Tag.Null:
      return null;
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.Uint:
      return reader.uint("an integer");
    case Tag.NegInt:
      return -reader.uint("an integer") - 1;
    case Tag.Float32:
      return reader.f32("a float32");
    case Tag.Float64: {
      const value = reader.f64("a float64");
      if (!Number.isFinite(value)) reader.fail(`holds ${value}, which JSON cannot`);
      return value;
    }
    case Tag.String:
      return stringRef(reader, strings, "a string value");
  }
  if (v.compact && tag === Tag.Decimal) {
    const zigzag = reader.uint("a decimal");
    const scale = reader.byte("a decimal's scale");
    if (scale < 1 || scale > 22) reader.fail(`decimal scale ${scale} outside 1..22`);
    const mantissa = zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    return Number(`${mantissa}e-${scale}`);
  }
  const sameKeys = v.compact && tag === Tag.SameKeys;
  if (tag !== Tag.Array && tag !== Tag.Object && !sameKeys) reader.fail(`unknown metadata tag ${tag}`);
  // The JSON path counts the metadata value itself as depth 1 and fails beyond maxMetadataDepth.
  if (depth > limits.maxMetadataDepth)
    throw limitExceeded(
      `${reader.where}: header metadata`,
      limits.maxMetadataDepth + 1,
      "maxMetadataDepth",
      limits.maxMetadataDepth,
      "or more levels of nesting",
    );
  if (depth > MAX_DECODE_DEPTH) reader.fail(`metadata nests deeper than ${MAX_DECODE_DEPTH}`);
  if (tag === Tag.Array) {
    const n = reader.count("array length", 1);
    const items: unknown[] = [];
    for (let i = 0; i < n; i++) items.push(decodeValue(v, depth + 1));
    return items;
  }
  const record: Record<string, unknown> = {};
  const member = (key: string) =>
    // defineProperty, not assignment: a key "__proto__" is an own property in JSON.parse's output too.
    Object.defineProperty(record, key, { value: decodeValue(v, depth + 1), enumerable: true, writable: true, configurable: true });
  if (sameKeys) {
    const i = reader.uint("a key list");
    const keys = v.keyLists[i];
    if (keys === undefined) return reader.fail(`key list ${i} of ${v.keyLists.length}`);
    // Each value takes at least a byte: a list longer than the bytes left fails before anything is built.
    if (keys.length > reader.remaining) reader.fail(`key list of ${keys.length} keys cannot fit the ${reader.remaining} bytes left`);
    for (const key of keys) member(key);
    return record;
  }
  const n = reader.count("object size", 2);
  const keys: string[] = [];
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = reader.uint("an object key");
    const key = strings[id];
    if (key === undefined) return reader.fail(`an object key: string ${id} of a table of ${strings.length}`);
    if (Object.hasOwn(record, key)) reader.fail(`object key "${key.slice(0, 64)}" appears twice`);
    keys.push(key);
    ids.push(id);
    member(key);
  }
  // Numbered when complete, as the writer numbers them; the same list again gets no new number.
  const id = ids.join(",");
  if (v.compact && n > 0 && !v.keyListIds.has(id)) {
    v.keyListIds.set(id, v.keyLists.length);
    v.keyLists.push(keys);
  }
  return record;
}

function decodeStreamRecord(reader: ByteReader, symbolCount: number, bits: number, offset: number, what: string): StreamSectionRecord {
  const code = reader.byte(`${what} encoding`);
  const encoding = ENCODINGS[code];
  if (encoding === undefined) reader.fail(`${what}: unknown stream encoding ${code}`);
  const length = encoding === "fixed" ? packedByteLength(symbolCount, bits) : reader.uint(`${what} length`);
  const payloadBits = encoding === "fixed" ? symbolCount * bits : encoding === "huffman" ? reader.uint(`${what} payload bits`) : length * 8;
  const crc32 = reader.u32(`${what} CRC`);
  return { offset, length, crc32, encoding, symbolCount, payloadBits };
}

function bitsByte(reader: ByteReader, what: string): number {
  const bits = reader.byte(what);
  if (bits < 1 || bits > 16) reader.fail(`${what} ${bits} outside 1..16`);
  return bits;
}

function decodeEntry(reader: ByteReader, strings: readonly string[], cursor: { offset: number }, index: number): EntryRecord {
  const what = `entry ${index}`;
  const flags = reader.byte(`${what} kind`);
  const kind = KINDS[flags & 3];
  const packedSection = (flags & PACKED_SECTION_FLAG) !== 0;
  if (kind === undefined || flags >> 6 !== 0) reader.fail(`${what}: kind byte 0x${flags.toString(16)} is not defined`);
  const name = stringRef(reader, strings, `${what} name`);
  const info: { layer?: string; layerClass?: string; role?: string } = {};
  INFO_KEYS.forEach((key, i) => {
    if ((flags & (4 << i)) !== 0) info[key] = stringRef(reader, strings, `${what} info.${key}`);
  });
  const rank = reader.byte(`${what} rank`);
  if (rank > MAX_RANK) reader.fail(`${what}: rank ${rank} above ${MAX_RANK}`);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(reader.uint(`${what} shape`));
  // Products of hostile dimensions may be huge or unsafe: validateHeader rejects them (limits, schema).
  const elements = shape.reduce((a, b) => a * b, 1);
  const section = (length: number) => {
    const offset = cursor.offset;
    cursor.offset += length;
    return offset;
  };
  if (kind === "dense") {
    const dtype = DTYPES[reader.byte(`${what} dtype`)];
    if (dtype === undefined) reader.fail(`${what}: unknown dtype`);
    // Bit 5 of a dense entry: its data is packed (float-packing.ts), so its length is stored.
    const length = packedSection ? reader.uint(`${what} packed data length`) : elements * BYTES_PER_ELEMENT[dtype];
    const crc32 = reader.u32(`${what} data CRC`);
    const packed = packedSection ? { encoding: "packed" as const } : {};
    return { kind, name, shape, info, dtype, sections: { data: { offset: section(length), length, crc32, ...packed } } };
  }
  const weightBits = bitsByte(reader, `${what} weight bits`);
  const indexBits = kind === "sparse" ? bitsByte(reader, `${what} index bits`) : 0;
  const codebookSize = reader.uint(`${what} codebook size`) + 1;
  if (codebookSize > 65_536) reader.fail(`${what}: codebook of ${codebookSize} centroids`);
  const codebookLength = packedSection ? reader.uint(`${what} packed codebook length`) : codebookSize * 4;
  const codebookCrc = reader.u32(`${what} codebook CRC`);
  const codebook = {
    offset: section(codebookLength),
    length: codebookLength,
    crc32: codebookCrc,
    ...(packedSection ? { encoding: "packed" as const } : {}),
  };
  if (kind === "quantized") {
    const weights = decodeStreamRecord(reader, elements, weightBits, cursor.offset, `${what} weights`);
    section(weights.length);
    return { kind, name, shape, info, weightBits, codebookSize, sections: { codebook, weights } };
  }
  const nonzeroCount = reader.uint(`${what} non-zero count`);
  const fillerCount = reader.uint(`${what} filler count`);
  const symbols = nonzeroCount + fillerCount;
  const weights = decodeStreamRecord(reader, symbols, weightBits, cursor.offset, `${what} weights`);
  section(weights.length);
  const indices = decodeStreamRecord(reader, symbols, indexBits, cursor.offset, `${what} indices`);
  section(indices.length);
  return {
    kind,
    name,
    shape,
    info,
    weightBits,
    indexBits,
    codebookSize,
    nonzeroCount,
    fillerCount,
    sections: { codebook, weights, indices },
  };
}

/** The body, stored or arithmetic-decoded (its size bounded by `maxHeaderBytes` before allocation), and its flags. */
function headerBody(bytes: Uint8Array, where: string, limits: ReadLimits): { body: Uint8Array; compact: boolean } {
  if (bytes.length < 2) throw invalid(where, `of ${bytes.length} bytes is shorter than its 2-byte prefix`);
  if (bytes[0] !== BINARY_HEADER_VERSION)
    throw new SparseFormatError(
      "UNSUPPORTED_VERSION",
      `${where}: binary header version ${bytes[0]}, this reader knows ${BINARY_HEADER_VERSION}`,
    );
  const coding = bytes[1]!;
  if ((coding & ~(BODY_ARITHMETIC | BODY_COMPACT)) !== 0) throw invalid(where, `body coding ${coding} is not defined`);
  const compact = (coding & BODY_COMPACT) !== 0;
  const payload = bytes.subarray(2);
  if ((coding & BODY_ARITHMETIC) === 0) return { body: payload, compact };
  const options = { maxCount: limits.maxHeaderBytes, maxAlphabetSize: 256, what: `${where}: binary header body` };
  try {
    const head = readStreamHeader(payload, options);
    const body = new Uint8Array(head.symbolCount);
    decodeSymbolsInto(payload, body, options);
    return { body, compact };
  } catch (error) {
    if (error instanceof ArithmeticError) {
      if (error.code === "COUNT_TOO_LARGE" && /allowed/.test(error.message))
        throw new SparseFormatError("LIMIT_EXCEEDED", `${error.message} (read limit maxHeaderBytes = ${limits.maxHeaderBytes})`, {
          cause: error,
        });
      throw invalid(where, `body: ${error.message} (${error.code})`, error);
    }
    throw error;
  }
}

/** The string table, plain or in dictionary form (binary-header-writer.ts's `writeStrings`). */
function readStrings(reader: ByteReader, dictionary: boolean): string[] {
  const count = reader.count("string count", 1);
  const strings: string[] = [];
  let previous = -1;
  for (let i = 0; i < count; i++) {
    const code = dictionary ? reader.uint(`string ${i}`) : 0;
    if (code === 0) {
      strings.push(reader.utf8(reader.uint("string length"), `string ${i}`));
      continue;
    }
    // 1 + zigzag(delta) from the previous reference's index + 1.
    const zigzag = code - 1;
    const index = previous + 1 + (zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2);
    if (index < 0 || index >= HEADER_DICTIONARY.length)
      reader.fail(`string ${i}: dictionary index ${index} outside 0..${HEADER_DICTIONARY.length - 1}`);
    strings.push(HEADER_DICTIONARY[index]!);
    previous = index;
  }
  return strings;
}

/**
 * Decodes a binary header into the JSON header's shape (version 2), rebuilding offsets and derived
 * fields; `validateHeader` then checks it like any header. Every count is checked against the bytes
 * left before anything is built from it; any malformation is INVALID_HEADER (or UNSUPPORTED_VERSION,
 * LIMIT_EXCEEDED).
 */
export function decodeBinaryHeader(bytes: Uint8Array, where: string, limits: ReadLimits): ContainerHeader {
  const { body, compact } = headerBody(bytes, where, limits);
  const reader = new ByteReader(body, where);
  const strings = readStrings(reader, compact);
  const entryCount = reader.count("entry count", 8);
  if (entryCount > limits.maxEntries) throw limitExceeded(`${where}: header`, entryCount, "maxEntries", limits.maxEntries, "entries");
  const cursor = { offset: PREAMBLE_BYTES };
  const entries: EntryRecord[] = [];
  for (let i = 0; i < entryCount; i++) entries.push(decodeEntry(reader, strings, cursor, i));
  const metadata = decodeValue({ reader, strings, limits, compact, keyLists: [], keyListIds: new Map() }, 1);
  if (reader.remaining !== 0) reader.fail(`has ${reader.remaining} bytes after the metadata`);
  return { format: "dcnpi", version: FORMAT_VERSION_2, entries, metadata };
}
