import { toLittleEndianBytes, type DenseData } from "./byte-order.js";
import { encodeBinaryHeader } from "./binary-header-writer.js";
import {
  FLAG_BINARY_HEADER,
  FORMAT_VERSION,
  FORMAT_VERSION_2,
  MAGIC,
  PREAMBLE_BYTES,
  TRAILER_BYTES,
  TRAILER_MAGIC,
  type FormatVersion,
} from "./container-constants.js";
import type { ContainerHeader, EntryRecord } from "./container-schema.js";
import { validateHeader } from "./container-validate.js";
import { NO_READ_LIMITS } from "./read-limits.js";
import { crc32 } from "@dcnpi/base";
import { SparseFormatError } from "./errors.js";
import type { EncodedLayer, EncodedStream, EntryInfo } from "./layer-codec.js";
import { elementCount } from "./shape.js";
import { packFloat32 } from "./float-packing.js";

/** A tensor stored as is (biases, BatchNorm statistics, LSTM biases, layers left uncompressed). */
export interface DenseTensorInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: DenseData;
  readonly info?: EntryInfo;
}

export interface ContainerContents {
  /** Compressed layers, from `encodeLayer`, written first, in this order. */
  readonly layers?: readonly EncodedLayer[];
  /** Tensors stored losslessly, written after the layers, in this order. */
  readonly denseTensors?: readonly DenseTensorInput[];
  /** Free-form JSON (a tfjs `modelTopology`, the pipeline's report, ...); stored in the header. */
  readonly metadata?: unknown;
  /** Container version and header form (default: version 1, JSON header: the paper-faithful file). */
  readonly format?: ContainerFormat;
}

/** How the container itself is written (issue 17). */
export interface ContainerFormat {
  /** 1 (default) or 2; layers must be encoded for the same version (`LayerInput.formatVersion`). */
  readonly version?: FormatVersion;
  /** `json` (default) or `binary` (FORMAT.md, "Binary header"); binary needs version 2. */
  readonly header?: HeaderForm;
  /**
   * `float32` (default): dense float32 tensors as they are. `packed` (version 2): each one in the lossless
   * packed form (FORMAT.md, "Packed float32 tensors") where that is smaller.
   */
  readonly dense?: DenseForm;
}

export type DenseForm = "float32" | "packed";

/** The two forms of the container header. */
export type HeaderForm = "json" | "binary";

export interface ContainerSummary {
  readonly fileBytes: number;
  readonly header: ContainerHeader;
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

/** A `ContainerFormat` with its defaults filled in and checked. */
export interface ResolvedFormat {
  readonly version: FormatVersion;
  readonly header: HeaderForm;
  readonly dense: DenseForm;
}

export function resolveFormat(format: ContainerFormat | undefined): ResolvedFormat {
  const version = format?.version ?? FORMAT_VERSION;
  const header = format?.header ?? "json";
  if (version !== FORMAT_VERSION && version !== FORMAT_VERSION_2)
    throw new SparseFormatError("INVALID_ARGUMENT", `container format version must be 1 or 2, got ${String(version)}`);
  if (header !== "json" && header !== "binary")
    throw new SparseFormatError("INVALID_ARGUMENT", `container header must be "json" or "binary", got ${String(header)}`);
  if (header === "binary" && version !== FORMAT_VERSION_2)
    throw new SparseFormatError("INVALID_ARGUMENT", "a binary header needs container format version 2");
  const dense = format?.dense ?? "float32";
  if (dense !== "float32" && dense !== "packed")
    throw new SparseFormatError("INVALID_ARGUMENT", `container dense form must be "float32" or "packed", got ${String(dense)}`);
  if (dense === "packed" && version !== FORMAT_VERSION_2)
    throw new SparseFormatError("INVALID_ARGUMENT", "packed dense tensors need container format version 2");
  return { version, header, dense };
}

/** The 16 bytes every container starts with (shared with the file writer in `./node`). */
export function preamble(format: ResolvedFormat): Uint8Array {
  const out = new Uint8Array(PREAMBLE_BYTES);
  out.set(MAGIC, 0);
  out.set(u32(format.version), 8);
  out.set(u32(format.header === "binary" ? FLAG_BINARY_HEADER : 0), 12); // flags: none defined in version 1
  return out;
}

function streamRecord(stream: EncodedStream, offset: number) {
  return {
    offset,
    length: stream.bytes.length,
    crc32: crc32(stream.bytes),
    encoding: stream.encoding,
    symbolCount: stream.symbolCount,
    payloadBits: stream.payloadBits,
  };
}

function infoRecord(info: EntryInfo | undefined): EntryInfo {
  const out: { layer?: string; layerClass?: string; role?: string } = {};
  if (info?.layer !== undefined) out.layer = info.layer;
  if (info?.layerClass !== undefined) out.layerClass = info.layerClass;
  if (info?.role !== undefined) out.role = info.role;
  return out;
}

/**
 * Lays entries out one after another and builds the header as it goes. Pure and synchronous: the
 * file writer (`./node`) and `serializeContainer` both drive it, so they produce identical bytes.
 * Exported for that file writer only (not from the package).
 */
export class ContainerLayout {
  #offset = PREAMBLE_BYTES;
  readonly #entries: EntryRecord[] = [];
  readonly #names = new Set<string>();

  constructor(readonly format: ResolvedFormat) {}

  #claim(name: string): void {
    if (typeof name !== "string" || name.length === 0)
      throw new SparseFormatError("INVALID_ARGUMENT", "entry names must be non-empty strings");
    if (this.#names.has(name)) throw new SparseFormatError("INVALID_ARGUMENT", `entry "${name}" is added twice`);
    this.#names.add(name);
  }

  addLayer(layer: EncodedLayer): Uint8Array[] {
    this.#claim(layer.name);
    const layerVersion = layer.formatVersion ?? FORMAT_VERSION;
    if (layerVersion !== this.format.version)
      throw new SparseFormatError(
        "INVALID_ARGUMENT",
        `layer "${layer.name}" was encoded for format version ${layerVersion}, the container is version ${this.format.version} ` +
          "(encodeLayer's formatVersion: version 2 allows arithmetic coding and a binary header)",
      );
    const codebook = layer.packedCodebook ?? toLittleEndianBytes(layer.codebook);
    const codebookRecord = {
      offset: this.#offset,
      length: codebook.length,
      crc32: crc32(codebook),
      ...(layer.packedCodebook === undefined ? {} : { encoding: "packed" as const }),
    };
    this.#offset += codebook.length;
    const weights = streamRecord(layer.weights, this.#offset);
    this.#offset += layer.weights.bytes.length;
    const common = {
      name: layer.name,
      shape: [...layer.shape],
      info: infoRecord(layer.info),
      weightBits: layer.weightBits,
      codebookSize: layer.codebook.length,
    };
    if (layer.kind === "quantized") {
      this.#entries.push({ kind: "quantized", ...common, sections: { codebook: codebookRecord, weights } });
      return [codebook, layer.weights.bytes];
    }
    if (layer.indices === null || layer.indexBits === null)
      throw new SparseFormatError("INVALID_ARGUMENT", `layer "${layer.name}": a sparse layer needs index bits and an index stream`);
    const indices = streamRecord(layer.indices, this.#offset);
    this.#offset += layer.indices.bytes.length;
    this.#entries.push({
      kind: "sparse",
      name: common.name,
      shape: common.shape,
      info: common.info,
      weightBits: common.weightBits,
      indexBits: layer.indexBits,
      codebookSize: common.codebookSize,
      nonzeroCount: layer.nonzeroCount,
      fillerCount: layer.fillerCount,
      sections: { codebook: codebookRecord, weights, indices },
    });
    return [codebook, layer.weights.bytes, layer.indices.bytes];
  }

  addDense(tensor: DenseTensorInput): Uint8Array[] {
    const what = `dense tensor "${tensor.name}"`;
    this.#claim(tensor.name);
    const n = elementCount(tensor.shape, what);
    const dtype =
      tensor.data instanceof Float32Array
        ? "float32"
        : tensor.data instanceof Int32Array
          ? "int32"
          : tensor.data instanceof Uint8Array
            ? "uint8"
            : null;
    if (dtype === null) throw new SparseFormatError("INVALID_ARGUMENT", `${what}: data must be a Float32Array, Int32Array or Uint8Array`);
    if (tensor.data.length !== n)
      throw new SparseFormatError(
        "INVALID_ARGUMENT",
        `${what}: shape [${tensor.shape.join(",")}] needs ${n} elements, got ${tensor.data.length}`,
      );
    const packed = this.format.dense === "packed" && tensor.data instanceof Float32Array ? packFloat32(tensor.data) : null;
    const bytes = packed ?? toLittleEndianBytes(tensor.data);
    this.#entries.push({
      kind: "dense",
      name: tensor.name,
      shape: [...tensor.shape],
      info: infoRecord(tensor.info),
      dtype,
      sections: {
        data: {
          offset: this.#offset,
          length: bytes.length,
          crc32: crc32(bytes),
          ...(packed === null ? {} : { encoding: "packed" as const }),
        },
      },
    });
    this.#offset += bytes.length;
    return [bytes];
  }

  /** The header JSON and the trailer; checks the header the way a reader will. */
  finish(metadata: unknown): { tail: Uint8Array; header: ContainerHeader; fileBytes: number } {
    let metadataJson: unknown;
    try {
      metadataJson = metadata === undefined ? null : JSON.parse(JSON.stringify(metadata));
    } catch (error) {
      throw new SparseFormatError("INVALID_ARGUMENT", `metadata must be JSON-serialisable: ${(error as Error).message}`, { cause: error });
    }
    const header = { format: "dcnpi" as const, version: this.format.version, entries: this.#entries, metadata: metadataJson };
    validateHeader(header, this.#offset, NO_READ_LIMITS);
    const json = this.format.header === "binary" ? encodeBinaryHeader(header) : new TextEncoder().encode(JSON.stringify(header));
    const tail = new Uint8Array(json.length + TRAILER_BYTES);
    tail.set(json, 0);
    tail.set(u32(json.length), json.length);
    tail.set(u32(crc32(json)), json.length + 4);
    tail.set(TRAILER_MAGIC, json.length + 8);
    return { tail, header, fileBytes: this.#offset + tail.length };
  }
}

/** The whole container in memory (the same bytes `writeContainer` puts in a file). */
export function serializeContainer(contents: ContainerContents): Uint8Array {
  const layout = new ContainerLayout(resolveFormat(contents.format));
  const chunks: Uint8Array[] = [preamble(layout.format)];
  for (const layer of contents.layers ?? []) chunks.push(...layout.addLayer(layer));
  for (const tensor of contents.denseTensors ?? []) chunks.push(...layout.addDense(tensor));
  const { tail, fileBytes } = layout.finish(contents.metadata);
  chunks.push(tail);
  const out = new Uint8Array(fileBytes);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
