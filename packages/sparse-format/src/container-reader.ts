import { fromLittleEndianBytes, type DenseData } from "./byte-order.js";
import { memorySource, type ByteSource } from "./byte-source.js";
import { decodeBinaryHeader } from "./binary-header.js";
import {
  FLAG_BINARY_HEADER,
  FORMAT_VERSION,
  FORMAT_VERSION_2,
  MAGIC,
  PREAMBLE_BYTES,
  TRAILER_BYTES,
  TRAILER_MAGIC,
} from "./container-constants.js";
import type { ContainerHeader, DenseDType, DenseEntryRecord, EntryRecord, SectionRecord } from "./container-schema.js";
import { validateHeader } from "./container-validate.js";
import { limitExceeded, resolveReadLimits, type ReadLimits } from "./read-limits.js";
import { crc32 } from "@dcnpi/base";
import { unpackCodebook } from "./codebook-packing.js";
import { unpackFloat32 } from "./float-packing.js";
import { SparseFormatError } from "./errors.js";
import type { EntryInfo } from "./layer-codec.js";
import { decodeLayerStreams, type DecodedLayer, type LayerStreams } from "./layer-decode.js";

/** A tensor read back exactly as it was written. */
export interface DenseTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DenseDType;
  readonly data: DenseData;
  readonly info: EntryInfo;
}

/** Everything in a container, decoded. */
export interface ContainerContentsRead {
  /** Every entry name in file order (layers and dense tensors interleaved as they were written). */
  readonly order: string[];
  readonly layers: DecodedLayer[];
  readonly denseTensors: DenseTensor[];
  readonly metadata: unknown;
}

/** Reader options: any of the `ReadLimits`, overriding `DEFAULT_READ_LIMITS`. */
export interface ReadOptions extends Partial<ReadLimits> {}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function u32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

/**
 * An open container: the header is read and checked on open; sections are read (and their CRCs
 * checked) only when an entry is asked for, so one layer of a large file costs one layer of reads.
 */
export class ContainerReader {
  readonly header: ContainerHeader;
  /** Total bytes of the file. */
  readonly fileBytes: number;
  /** Bytes of the header as stored (JSON, or binary in format version 2). */
  readonly headerBytes: number;
  /** How the header is stored: JSON, or the compact binary form (format version 2). */
  readonly headerForm: "json" | "binary";
  readonly #source: ByteSource;
  readonly #byName: Map<string, EntryRecord>;
  /** Bytes of the data region read ahead from a file, so small sections do not each cost a read call. */
  #window: { offset: number; bytes: Uint8Array } | null = null;
  /** Only `readAll` reads ahead (it wants every section); reading one entry reads exactly its sections. */
  #readingAll = false;

  private constructor(source: ByteSource, header: ContainerHeader, headerBytes: number, headerForm: "json" | "binary") {
    this.#source = source;
    this.header = header;
    this.fileBytes = source.size;
    this.headerBytes = headerBytes;
    this.headerForm = headerForm;
    this.#byName = new Map();
    for (const entry of header.entries) this.#byName.set(entry.name, entry);
  }

  /** Opens `source`, checking magic, version, trailer, header CRC, schema and section layout. */
  static async open(source: ByteSource, options: ReadOptions = {}): Promise<ContainerReader> {
    const where = source.description;
    const limits = resolveReadLimits(options);
    if (source.size < PREAMBLE_BYTES + TRAILER_BYTES) {
      if (source.size >= MAGIC.length && !equalBytes(await source.read(0, MAGIC.length), MAGIC)) {
        throw new SparseFormatError("BAD_MAGIC", `${where}: not a .dcnpi file (wrong magic bytes)`);
      }
      throw new SparseFormatError(
        "TRUNCATED",
        `${where}: ${source.size} bytes, shorter than the smallest container (${PREAMBLE_BYTES + TRAILER_BYTES})`,
      );
    }
    const head = await source.read(0, PREAMBLE_BYTES);
    if (!equalBytes(head.subarray(0, MAGIC.length), MAGIC))
      throw new SparseFormatError("BAD_MAGIC", `${where}: not a .dcnpi file (wrong magic bytes)`);
    const version = u32(head, 8);
    if (version !== FORMAT_VERSION && version !== FORMAT_VERSION_2)
      throw new SparseFormatError(
        "UNSUPPORTED_VERSION",
        `${where}: format version ${version}, this reader knows ${FORMAT_VERSION} and ${FORMAT_VERSION_2}`,
      );
    const flags = u32(head, 12);
    const knownFlags = version === FORMAT_VERSION_2 ? FLAG_BINARY_HEADER : 0;
    if ((flags & ~knownFlags) !== 0)
      throw new SparseFormatError("UNSUPPORTED_VERSION", `${where}: flags 0x${flags.toString(16)} are not defined in version ${version}`);
    const tail = await source.read(source.size - TRAILER_BYTES, TRAILER_BYTES);
    if (!equalBytes(tail.subarray(8), TRAILER_MAGIC)) {
      throw new SparseFormatError("TRUNCATED", `${where}: does not end with the trailer (file truncated or its end damaged)`);
    }
    const headerLength = u32(tail, 0);
    const headerCrc = u32(tail, 4);
    const headerOffset = source.size - TRAILER_BYTES - headerLength;
    if (headerOffset < PREAMBLE_BYTES) {
      throw new SparseFormatError("TRUNCATED", `${where}: header of ${headerLength} bytes does not fit a file of ${source.size} bytes`);
    }
    if (headerLength > limits.maxHeaderBytes)
      throw limitExceeded(`${where}: JSON header`, headerLength, "maxHeaderBytes", limits.maxHeaderBytes, "bytes");
    const headerBytes = await source.read(headerOffset, headerLength);
    const actualCrc = crc32(headerBytes);
    if (actualCrc !== headerCrc)
      throw new SparseFormatError("CRC_MISMATCH", `${where}: header CRC32 is ${hex(actualCrc)}, the trailer says ${hex(headerCrc)}`);
    if ((flags & FLAG_BINARY_HEADER) !== 0) {
      const header = validateHeader(decodeBinaryHeader(headerBytes, where, limits), headerOffset, limits);
      return new ContainerReader(source, header, headerLength, "binary");
    }
    let json: unknown;
    try {
      // A fatal TextDecoder (not node:buffer) so the reader runs in browsers; bad UTF-8 throws a TypeError.
      json = JSON.parse(UTF8.decode(headerBytes));
    } catch (error) {
      throw new SparseFormatError("INVALID_HEADER", `${where}: header is not valid UTF-8 JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const declared = (json as { version?: unknown } | null)?.version;
    if (declared !== version)
      throw new SparseFormatError("INVALID_HEADER", `${where}: the JSON header says version ${String(declared)}, the preamble ${version}`);
    const header = validateHeader(json, headerOffset, limits);
    return new ContainerReader(source, header, headerLength, "json");
  }

  get metadata(): unknown {
    return this.header.metadata;
  }

  get entries(): readonly EntryRecord[] {
    return this.header.entries;
  }

  async #read(offset: number, length: number): Promise<Uint8Array> {
    return this.#source.readSync !== undefined ? this.#readSync(offset, length) : this.#source.read(offset, length);
  }

  /**
   * `length` bytes at `offset` (inside the data region), from a source that reads synchronously. From a
   * file, a small section comes out of a window of up to WINDOW_BYTES read ahead: 100,000 entries of
   * 4 bytes were 100,000 reads and promise turns (issue 16 item 7).
   */
  #readSync(offset: number, length: number): Uint8Array {
    const readSync = this.#source.readSync!;
    if (!this.#readingAll || this.#source.inMemory === true || length > SMALL_SECTION_BYTES) return readSync(offset, length);
    let window = this.#window;
    if (window === null || offset < window.offset || offset + length > window.offset + window.bytes.length) {
      const dataEnd = this.fileBytes - TRAILER_BYTES - this.headerBytes;
      window = { offset, bytes: readSync(offset, Math.max(length, Math.min(WINDOW_BYTES, dataEnd - offset))) };
      this.#window = window;
    }
    const start = offset - window.offset;
    return window.bytes.subarray(start, start + length);
  }

  entry(name: string): EntryRecord {
    const found = this.#byName.get(name);
    if (found === undefined) {
      const names = [...this.#byName.keys()];
      throw new SparseFormatError(
        "UNKNOWN_ENTRY",
        `no entry "${name}" (has: ${names.slice(0, 12).join(", ")}${names.length > 12 ? ", ..." : ""})`,
      );
    }
    return found;
  }

  async #section(entry: EntryRecord, sectionName: string, section: SectionRecord): Promise<Uint8Array> {
    const bytes = await this.#read(section.offset, section.length);
    const actual = crc32(bytes);
    if (actual !== section.crc32) {
      throw new SparseFormatError(
        "CRC_MISMATCH",
        `entry "${entry.name}" ${sectionName}: CRC32 is ${hex(actual)}, the header says ${hex(section.crc32)}`,
      );
    }
    return bytes;
  }

  /** The raw streams of a compressed layer (CRC-checked, not decoded). */
  async readLayerStreams(name: string): Promise<LayerStreams> {
    const entry = this.entry(name);
    if (entry.kind === "dense") throw new SparseFormatError("UNKNOWN_ENTRY", `entry "${name}" is a dense tensor, not a compressed layer`);
    const codebookBytes = await this.#section(entry, "codebook", entry.sections.codebook);
    const codebook =
      entry.sections.codebook.encoding === "packed"
        ? unpackCodebook(codebookBytes, entry.codebookSize, entry.kind === "sparse", `entry "${name}" codebook`)
        : (fromLittleEndianBytes(codebookBytes, "float32") as Float32Array);
    const w = entry.sections.weights;
    const weights = {
      encoding: w.encoding,
      symbolCount: w.symbolCount,
      payloadBits: w.payloadBits,
      bytes: await this.#section(entry, "weights", w),
    };
    if (entry.kind === "quantized") {
      return {
        kind: "quantized",
        name,
        shape: entry.shape,
        info: entry.info,
        weightBits: entry.weightBits,
        indexBits: null,
        nonzeroCount: entry.shape.reduce((a, b) => a * b, 1),
        fillerCount: 0,
        codebook,
        weights,
        indices: null,
        formatVersion: this.header.version,
      };
    }
    const x = entry.sections.indices;
    const indices = {
      encoding: x.encoding,
      symbolCount: x.symbolCount,
      payloadBits: x.payloadBits,
      bytes: await this.#section(entry, "indices", x),
    };
    return {
      kind: "sparse",
      name,
      shape: entry.shape,
      info: entry.info,
      weightBits: entry.weightBits,
      indexBits: entry.indexBits,
      nonzeroCount: entry.nonzeroCount,
      fillerCount: entry.fillerCount,
      codebook,
      weights,
      indices,
      formatVersion: this.header.version,
    };
  }

  /** Reads and decodes one compressed layer (only its sections are read). */
  async readLayer(name: string): Promise<DecodedLayer> {
    return decodeLayerStreams(await this.readLayerStreams(name));
  }

  /** Reads one dense tensor. */
  async readDenseTensor(name: string): Promise<DenseTensor> {
    const entry = this.entry(name);
    if (entry.kind !== "dense") throw new SparseFormatError("UNKNOWN_ENTRY", `entry "${name}" is a compressed layer, not a dense tensor`);
    return this.#denseTensor(entry, await this.#read(entry.sections.data.offset, entry.sections.data.length));
  }

  #denseTensor(entry: DenseEntryRecord, bytes: Uint8Array): DenseTensor {
    const actual = crc32(bytes);
    if (actual !== entry.sections.data.crc32) {
      throw new SparseFormatError(
        "CRC_MISMATCH",
        `entry "${entry.name}" data: CRC32 is ${hex(actual)}, the header says ${hex(entry.sections.data.crc32)}`,
      );
    }
    const data =
      entry.sections.data.encoding === "packed"
        ? unpackFloat32(
            bytes,
            entry.shape.reduce((a, b) => a * b, 1),
            `entry "${entry.name}" data`,
          )
        : fromLittleEndianBytes(bytes, entry.dtype);
    return { name: entry.name, shape: entry.shape, dtype: entry.dtype, data, info: entry.info };
  }

  /** Reads and decodes every entry. */
  async readAll(): Promise<ContainerContentsRead> {
    const layers: DecodedLayer[] = [];
    const denseTensors: DenseTensor[] = [];
    const sync = this.#source.readSync !== undefined;
    this.#readingAll = true;
    try {
      for (const entry of this.header.entries) {
        if (entry.kind !== "dense") layers.push(await this.readLayer(entry.name));
        // No await per dense entry: 100,000 small entries spent most of their time in promise turns (issue 16 item 7).
        else if (sync) denseTensors.push(this.#denseTensor(entry, this.#readSync(entry.sections.data.offset, entry.sections.data.length)));
        else denseTensors.push(await this.readDenseTensor(entry.name));
      }
    } finally {
      this.#window = null;
      this.#readingAll = false;
    }
    return { order: this.header.entries.map((e) => e.name), layers, denseTensors, metadata: this.header.metadata };
  }

  async close(): Promise<void> {
    await this.#source.close();
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });
const SMALL_SECTION_BYTES = 64 * 1024;
const WINDOW_BYTES = 1024 * 1024;

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

/** Opens a container held in memory. */
export function openContainerBytes(bytes: Uint8Array, options: ReadOptions = {}): Promise<ContainerReader> {
  return ContainerReader.open(memorySource(bytes), options);
}

/** Reads every entry, then closes the reader (also on failure). */
export async function readWhole(reader: ContainerReader): Promise<ContainerContentsRead> {
  try {
    return await reader.readAll();
  } finally {
    await reader.close();
  }
}

/** Reads and decodes a whole container from memory. */
export async function parseContainer(bytes: Uint8Array, options: ReadOptions = {}): Promise<ContainerContentsRead> {
  return readWhole(await openContainerBytes(bytes, options));
}
