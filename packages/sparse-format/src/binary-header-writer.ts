/**
 * Encodes the binary header of format version 2 (binary-header.ts decodes it and describes the
 * layout; FORMAT.md has the bytes). Separate from the decoder so a reader does not bundle the
 * arithmetic encoder.
 */
import { encodeSymbols } from "@dcnpi/arithmetic";
import {
  BINARY_HEADER_VERSION,
  BODY_ARITHMETIC,
  BODY_COMPACT,
  DTYPES,
  INFO_KEYS,
  KINDS,
  PACKED_SECTION_FLAG,
  Tag,
} from "./binary-header.js";
import { HEADER_DICTIONARY } from "./header-dictionary.js";
import type { ContainerHeader, EntryRecord, StreamEncoding, StreamSectionRecord } from "./container-schema.js";

class ByteWriter {
  #bytes = new Uint8Array(256);
  #length = 0;
  readonly #view = () => new DataView(this.#bytes.buffer);

  #room(n: number): void {
    if (this.#length + n <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + n));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }

  byte(value: number): void {
    this.#room(1);
    this.#bytes[this.#length++] = value;
  }

  /** Unsigned LEB128, minimal; values up to 2^53 − 1 (so 8 bytes at most). */
  uint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  u32(value: number): void {
    this.#room(4);
    this.#view().setUint32(this.#length, value, true);
    this.#length += 4;
  }

  f32(value: number): void {
    this.#room(4);
    this.#view().setFloat32(this.#length, value, true);
    this.#length += 4;
  }

  f64(value: number): void {
    this.#room(8);
    this.#view().setFloat64(this.#length, value, true);
    this.#length += 8;
  }

  bytes(value: Uint8Array): void {
    this.#room(value.length);
    this.#bytes.set(value, this.#length);
    this.#length += value.length;
  }

  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

/** Strings in order of first use; each is stored once. */
class StringTable {
  readonly #index = new Map<string, number>();
  readonly strings: string[] = [];

  ref(value: string): number {
    let i = this.#index.get(value);
    if (i === undefined) {
      i = this.strings.length;
      this.#index.set(value, i);
      this.strings.push(value);
    }
    return i;
  }
}

/** How values are written: `compact` (body flag bit 1) adds decimal numbers and repeated key lists. */
interface ValueWriter {
  readonly strings: StringTable;
  readonly compact: boolean;
  /** Key lists of the objects written so far (compact), as string indices joined by ",", to their number. */
  readonly keyLists: Map<string, number>;
}

/** m and k with value = m × 10^−k exactly (as `Number("me-k")` reads it), k in 1..22, or undefined. */
export function decimalOf(value: number): { mantissa: number; scale: number } | undefined {
  for (let scale = 1; scale <= 22; scale++) {
    const mantissa = Math.round(value * 10 ** scale);
    if (!Number.isSafeInteger(mantissa)) return undefined;
    if (Number(`${mantissa}e-${scale}`) === value) return { mantissa, scale };
  }
  return undefined;
}

const uintBytes = (v: number) => (v < 0x80 ? 1 : Math.ceil(Math.log2(v + 1) / 7));

function encodeValue(value: unknown, out: ByteWriter, w: ValueWriter): void {
  if (value === null) return out.byte(Tag.Null);
  if (value === false) return out.byte(Tag.False);
  if (value === true) return out.byte(Tag.True);
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
      out.byte(value >= 0 ? Tag.Uint : Tag.NegInt);
      return out.uint(value >= 0 ? value : -value - 1);
    }
    const float32 = Math.fround(value) === value && !Object.is(value, -0);
    const decimal = w.compact && !Object.is(value, -0) ? decimalOf(value) : undefined;
    if (decimal !== undefined) {
      const zigzag = decimal.mantissa >= 0 ? 2 * decimal.mantissa : -2 * decimal.mantissa - 1;
      if (Number.isSafeInteger(zigzag) && uintBytes(zigzag) + 1 < (float32 ? 4 : 8)) {
        out.byte(Tag.Decimal);
        out.uint(zigzag);
        return out.byte(decimal.scale);
      }
    }
    if (float32) {
      out.byte(Tag.Float32);
      return out.f32(value);
    }
    out.byte(Tag.Float64);
    return out.f64(value);
  }
  if (typeof value === "string") {
    out.byte(Tag.String);
    return out.uint(w.strings.ref(value));
  }
  if (Array.isArray(value)) {
    out.byte(Tag.Array);
    out.uint(value.length);
    for (const item of value) encodeValue(item, out, w);
    return;
  }
  // A plain object, as JSON.parse made it (the writer round-trips metadata through JSON first).
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // Identified by string indices, as the reader does (a key may hold any character, "," and NUL too).
  const list = w.compact ? keys.map((key) => w.strings.ref(key)).join(",") : "";
  const seen = w.compact && keys.length > 0 ? w.keyLists.get(list) : undefined;
  if (seen !== undefined) {
    // The same keys, in the same order, as an earlier object: only its values follow.
    out.byte(Tag.SameKeys);
    out.uint(seen);
    for (const key of keys) encodeValue(record[key], out, w);
    return;
  }
  out.byte(Tag.Object);
  out.uint(keys.length);
  for (const key of keys) {
    out.uint(w.strings.ref(key));
    encodeValue(record[key], out, w);
  }
  // Numbered when complete (after the objects inside it), as the reader numbers them.
  if (w.compact && keys.length > 0 && !w.keyLists.has(list)) w.keyLists.set(list, w.keyLists.size);
}

const ENCODING_CODE: Record<StreamEncoding, number> = { fixed: 0, huffman: 1, arithmetic: 2, "arithmetic-context": 3 };

function encodeStreamRecord(stream: StreamSectionRecord, out: ByteWriter): void {
  out.byte(ENCODING_CODE[stream.encoding]);
  if (stream.encoding !== "fixed") out.uint(stream.length);
  if (stream.encoding === "huffman") out.uint(stream.payloadBits);
  out.u32(stream.crc32);
}

function encodeEntry(entry: EntryRecord, out: ByteWriter, strings: StringTable): void {
  let flags = KINDS.indexOf(entry.kind);
  INFO_KEYS.forEach((key, i) => {
    if (entry.info[key] !== undefined) flags |= 4 << i;
  });
  if ((entry.kind === "dense" ? entry.sections.data : entry.sections.codebook).encoding === "packed") flags |= PACKED_SECTION_FLAG;
  out.byte(flags);
  out.uint(strings.ref(entry.name));
  for (const key of INFO_KEYS) if (entry.info[key] !== undefined) out.uint(strings.ref(entry.info[key]));
  out.byte(entry.shape.length);
  for (const d of entry.shape) out.uint(d);
  if (entry.kind === "dense") {
    out.byte(DTYPES.indexOf(entry.dtype));
    if (entry.sections.data.encoding === "packed") out.uint(entry.sections.data.length);
    return out.u32(entry.sections.data.crc32);
  }
  out.byte(entry.weightBits);
  if (entry.kind === "sparse") out.byte(entry.indexBits);
  out.uint(entry.codebookSize - 1);
  // A float32 codebook's length follows from its size; a packed one's is stored.
  if (entry.sections.codebook.encoding === "packed") out.uint(entry.sections.codebook.length);
  out.u32(entry.sections.codebook.crc32);
  if (entry.kind === "sparse") {
    out.uint(entry.nonzeroCount);
    out.uint(entry.fillerCount);
  }
  encodeStreamRecord(entry.sections.weights, out);
  if (entry.kind === "sparse") encodeStreamRecord(entry.sections.indices, out);
}

const dictionaryIndex = new Map(HEADER_DICTIONARY.map((value, i) => [value, i]));

/**
 * The string table. Plain: each string's length and bytes. Dictionary form: each string either a
 * dictionary reference, LEB128 1 + zigzag(index − (previous reference's index + 1)), or a literal,
 * 0 then its length and bytes.
 */
function writeStrings(strings: readonly string[], dictionary: boolean, out: ByteWriter): void {
  const encoder = new TextEncoder();
  out.uint(strings.length);
  let previous = -1;
  for (const s of strings) {
    const index = dictionary ? dictionaryIndex.get(s) : undefined;
    if (index !== undefined) {
      const delta = index - (previous + 1);
      out.uint(1 + (delta >= 0 ? 2 * delta : -2 * delta - 1));
      previous = index;
      continue;
    }
    if (dictionary) out.byte(0);
    const utf8 = encoder.encode(s);
    out.uint(utf8.length);
    out.bytes(utf8);
  }
}

/**
 * The binary form of a version-2 header that `validateHeader` accepted (the writer checks first, so
 * the fields left out here are the ones validation proved derivable). Of the four bodies (plain or
 * compact, stored or arithmetic-coded) the smallest is written; on ties the one with fewer flags,
 * which older readers also read.
 */
export function encodeBinaryHeader(header: ContainerHeader, codeBody = true): Uint8Array {
  let best: { coding: number; payload: Uint8Array } | undefined;
  for (const compact of [false, true]) {
    const strings = new StringTable();
    const records = new ByteWriter();
    records.uint(header.entries.length);
    for (const entry of header.entries) encodeEntry(entry, records, strings);
    encodeValue(header.metadata ?? null, records, { strings, compact, keyLists: new Map() });
    const body = new ByteWriter();
    writeStrings(strings.strings, compact, body);
    body.bytes(records.finish());
    const stored = body.finish();
    const flags = compact ? BODY_COMPACT : 0;
    // `codeBody: false` (tests re-sealing thousands of files) skips trying the arithmetic-coded form.
    const coded = stored.length === 0 || !codeBody ? null : encodeSymbols(stored, { alphabetSize: 256 });
    const candidates: { coding: number; payload: Uint8Array }[] = [{ coding: flags, payload: stored }];
    if (coded !== null) candidates.push({ coding: flags | BODY_ARITHMETIC, payload: coded });
    for (const c of candidates) if (best === undefined || c.payload.length < best.payload.length) best = c;
  }
  const out = new Uint8Array(2 + best!.payload.length);
  out[0] = BINARY_HEADER_VERSION;
  out[1] = best!.coding;
  out.set(best!.payload, 2);
  return out;
}
