// A TensorFlow.js IOHandler over a `.dcnpi`: `tf.loadLayersModel(dcnpiModel(url))`, the way tfjs's own
// `tf.io.http(url)` / `tf.io.browserFiles` are used. Browser-safe: fetch, streams and Blob only.
import type * as tf from "@tensorflow/tfjs-core";
import {
  ContainerReader,
  DEFAULT_READ_LIMITS,
  memorySource,
  type ByteSource,
  type ContainerContentsRead,
  type DecodedLayer,
  type DenseTensor,
  type ReadOptions,
} from "@dcnpi/sparse-format";
import { asGraphModelSpec, graphModelArtifacts } from "./graph-model-artifacts.js";
import { assemble, topologyOf } from "./load-compressed.js";
import { describeSource, sourceBytes, type DcnpiModelSource } from "./model-source-bytes.js";
import { weightArtifacts } from "./tfjs-model.js";
import { checkTopologyWeights } from "./topology-check.js";

export interface DcnpiModelOptions extends ReadOptions {
  /**
   * Progress as a fraction 0..1, never decreasing, ending at exactly 1 (like tfjs's http loader). The
   * download (or reading a File) is the first 90% when its size is known; decoding entries the last 10%.
   */
  readonly onProgress?: ((fraction: number) => void) | undefined;
  /** The fetch to use for a URL or Request (default: the global `fetch`). */
  readonly fetchFunc?: typeof fetch | undefined;
  /** Passed to fetch with a URL or Request (headers, credentials, signal, ...). */
  readonly requestInit?: RequestInit | undefined;
  /** Bytes a source may have; more is LIMIT_EXCEEDED before decoding (default: maxTotalBytes + maxHeaderBytes of the read limits). */
  readonly maxFileBytes?: number | undefined;
}

/** Share of the progress bar the bytes' arrival takes; decoding takes the rest. */
const DOWNLOAD_SHARE = 0.9;

/** `onProgress` called only with increasing fractions, clamped to 0..1. */
export function monotoneProgress(onProgress: ((fraction: number) => void) | undefined): (fraction: number) => void {
  let last = -1;
  return (fraction) => {
    if (onProgress === undefined) return;
    const clamped = Math.min(1, Math.max(0, fraction));
    if (clamped <= last) return;
    last = clamped;
    onProgress(clamped);
  };
}

function limitsOf(options: DcnpiModelOptions): ReadOptions {
  const limits: Record<string, number> = {};
  for (const key of Object.keys(DEFAULT_READ_LIMITS)) {
    const value = (options as Record<string, unknown>)[key];
    if (typeof value === "number") limits[key] = value;
  }
  return limits;
}

/** Fields of a stored model.json that tfjs's loaders read, passed through when the file's metadata carries them. */
const PASSED_THROUGH = [
  "generatedBy",
  "convertedBy",
  "signature",
  "userDefinedMetadata",
  "modelInitializer",
  "initializerSignature",
  "trainingConfig",
];

/**
 * Decodes every entry of an open container, one at a time (`onEntry` after each, with the fraction of
 * section bytes done), then assembles tfjs `ModelArtifacts`: the stored topology and format, and one
 * weight spec and buffer per weight in the model's order.
 */
export async function decodeModelArtifacts(
  reader: ContainerReader,
  options: DcnpiModelOptions,
  where: string,
  onEntry: (fraction: number) => void = () => undefined,
): Promise<tf.io.ModelArtifacts> {
  const sectionBytes = (entry: ContainerReader["entries"][number]) =>
    Object.values(entry.sections).reduce((sum, section) => sum + (section?.length ?? 0), 0);
  const totalBytes = reader.entries.reduce((sum, entry) => sum + sectionBytes(entry), 0);
  const layers: DecodedLayer[] = [];
  const denseTensors: DenseTensor[] = [];
  let doneBytes = 0;
  for (const entry of reader.entries) {
    if (entry.kind === "dense") denseTensors.push(await reader.readDenseTensor(entry.name));
    else layers.push(await reader.readLayer(entry.name));
    doneBytes += sectionBytes(entry);
    onEntry(totalBytes === 0 ? 1 : doneBytes / totalBytes);
  }
  const contents: ContainerContentsRead = { order: reader.entries.map((e) => e.name), layers, denseTensors, metadata: reader.metadata };
  const { weights, metadata } = assemble(contents, where);
  // A graph model: the artifacts `decompress` writes (its spec kept in the file), for tf.loadGraphModel.
  if (metadata.graphModel !== undefined) return graphModelArtifacts(weights, asGraphModelSpec(metadata.graphModel, where));
  const topology = topologyOf(metadata, where);
  const raw = reader.metadata as Record<string, unknown>;
  const format = typeof raw["format"] === "string" ? raw["format"] : "layers-model";
  // tfjs-layers runs every initialiser before it sets weights: check the topology against the file first.
  // Graph models build no variables from their topology, so there is nothing to check there.
  if (format === "layers-model") checkTopologyWeights(topology, weights, { ...DEFAULT_READ_LIMITS, ...limitsOf(options) }, where);
  const artifacts: Record<string, unknown> = { modelTopology: topology, format, ...weightArtifacts(weights) };
  for (const key of PASSED_THROUGH) if (raw[key] !== undefined) artifacts[key] = raw[key];
  return artifacts as tf.io.ModelArtifacts;
}

/** `decodeModelArtifacts` over a byte source, closing it afterwards; progress from `start` to 1. */
export async function loadArtifactsFrom(
  source: ByteSource,
  options: DcnpiModelOptions,
  progress: (fraction: number) => void,
  start: number,
): Promise<tf.io.ModelArtifacts> {
  try {
    const reader = await ContainerReader.open(source, limitsOf(options));
    const artifacts = await decodeModelArtifacts(reader, options, source.description, (f) => progress(start + (1 - start) * f));
    progress(1);
    return artifacts;
  } finally {
    await source.close();
  }
}

/** The default download bound: nothing larger can decode within the read limits' bytes and header. */
export function maxFileBytesOf(options: DcnpiModelOptions): number {
  if (options.maxFileBytes !== undefined) return options.maxFileBytes;
  const limits = { ...DEFAULT_READ_LIMITS, ...limitsOf(options) };
  return limits.maxTotalBytes + limits.maxHeaderBytes;
}

/**
 * A TensorFlow.js `IOHandler` that loads a `.dcnpi` compressed model: `tf.loadLayersModel(dcnpiModel(source))`
 * (or `tf.loadGraphModel` for a compressed graph model). `source` is a URL (fetched), a `Request`, a
 * fetch `Response`, a `File`/`Blob`, an `ArrayBuffer` or a `Uint8Array`. The weights tfjs gets are
 * codebook[codes] exactly, as `loadCompressed` gives in Node. Bad bytes reject with the same typed
 * errors as in Node (`SparseFormatError` codes `TRUNCATED`, `CRC_MISMATCH`, ..., `CompressionError`).
 */
export function dcnpiModel(source: DcnpiModelSource, options: DcnpiModelOptions = {}): tf.io.IOHandler {
  return {
    load: async () => {
      const progress = monotoneProgress(options.onProgress);
      progress(0);
      const bytes = await sourceBytes(source, {
        fetchFunc: options.fetchFunc,
        requestInit: options.requestInit,
        maxFileBytes: maxFileBytesOf(options),
        onBytes: (received, total) => {
          if (total !== undefined && total > 0) progress(DOWNLOAD_SHARE * Math.min(1, received / total));
        },
      });
      progress(DOWNLOAD_SHARE);
      return loadArtifactsFrom(memorySource(bytes, describeSource(source)), options, progress, DOWNLOAD_SHARE);
    },
  };
}
