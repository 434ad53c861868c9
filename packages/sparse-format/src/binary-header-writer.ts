/**
 * Encodes the binary header of format version 2 (binary-header.ts decodes it and describes the
 * layout; FORMAT.md has the bytes). Separate from the decoder so a reader does not bundle the
 * arithmetic encoder.
 */
import { encodeSymbols } from "@dcnpi/arithmetic";
import { BINARY_HEADER_VERSION, BODY_ARITHMETIC, BODY_STORED, DTYPES, INFO_KEYS, KINDS, Tag } from "./binary-header.js";
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

function encodeValue(value: unknown, out: ByteWriter, strings: StringTable): void {
  if (value === null) return out.byte(Tag.Null);
  if (value === false) return out.byte(Tag.False);
  if (value === true) return out.byte(Tag.True);
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
      out.byte(value >= 0 ? Tag.Uint : Tag.NegInt);
      return out.uint(value >= 0 ? value : -value - 1);
    }
    if (Math.fround(value) === value && !Object.is(value, -0)) {
      out.byte(Tag.Float32);
      return out.f32(value);
    }
    out.byte(Tag.Float64);
    return out.f64(value);
  }
  if (typeof value === "string") {
    out.byte(Tag.String);
    return out.uint(strings.ref(value));
  }
  if (Array.isArray(value)) {
    out.byte(Tag.Array);
    out.uint(value.length);
    for (const item of value) encodeValue(item, out, strings);
    return;
  }
  // A plain object, as JSON.parse made it (the writer round-trips metadata through JSON first).
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  out.byte(Tag.Object);
  out.uint(keys.length);
  for (const key of keys) {
    out.uint(strings.ref(key));
    encodeValue(record[key], out, strings);
  }
}

const ENCODING_CODE: Record<StreamEncoding, number> = { fixed: 0, huffman: 1, arithmetic: 2 };

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
  out.byte(flags);
  out.uint(strings.ref(entry.name));
  for (const key of INFO_KEYS) if (entry.info[key] !== undefined) out.uint(strings.ref(entry.info[key]));
  out.byte(entry.shape.length);
  for (const d of entry.shape) out.uint(d);
  if (entry.kind === "dense") {
    out.byte(DTYPES.indexOf(entry.dtype));
    return out.u32(entry.sections.data.crc32);
  }
  out.byte(entry.weightBits);
  if (entry.kind === "sparse") out.byte(entry.indexBits);
  out.uint(entry.codebookSize - 1);
  out.u32(entry.sections.codebook.crc32);
  if (entry.kind === "sparse") {
    out.uint(entry.nonzeroCount);
    out.uint(entry.fillerCount);
  }
  encodeStreamRecord(entry.sections.weights, out);
  if (entry.kind === "sparse") encodeStreamRecord(entry.sections.indices, out);
}

/**
 * The binary form of a version-2 header that `validateHeader` accepted (the writer checks first, so
 * the fields left out here are the ones validation proved derivable).
 */
export function encodeBinaryHeader(header: ContainerHeader, codeBody = true): Uint8Array {
  const strings = new StringTable();
  const records = new ByteWriter();
  records.uint(header.entries.length);
  for (const entry of header.entries) encodeEntry(entry, records, strings);
  encodeValue(header.metadata ?? null, records, strings);
  const body = new ByteWriter();
  const encoder = new TextEncoder();
  body.uint(strings.strings.length);
  for (const s of strings.strings) {
    const utf8 = encoder.encode(s);
    body.uint(utf8.length);
    body.bytes(utf8);
  }
  body.bytes(records.finish());
  const stored = body.finish();
  // `codeBody: false` (tests re-sealing thousands of files) skips trying the arithmetic-coded form.
  const coded = stored.length === 0 || !codeBody ? null : encodeSymbols(stored, { alphabetSize: 256 });
  const useCoded = coded !== null && coded.length < stored.length;
  const payload = useCoded ? coded : stored;
  const out = new Uint8Array(2 + payload.length);
  out[0] = BINARY_HEADER_VERSION;
  out[1] = useCoded ? BODY_ARITHMETIC : BODY_STORED;
  out.set(payload, 2);
  return out;
}
