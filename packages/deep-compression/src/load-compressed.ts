import type { LayersModel } from "@tensorflow/tfjs-layers";
import {
  DEFAULT_READ_LIMITS,
  SparseFormatError,
  parseContainer,
  toDense,
  type ContainerContentsRead,
  type ReadOptions,
} from "@dcnpi/sparse-format";
import type { WeightMap } from "@dcnpi/tensor";
import { orderedWeights } from "./compress.js";
import { parseCompressedMetadata, type CompressedMetadata } from "./compressed-metadata.js";
import { CompressionError } from "./errors.js";
import { inverseAxes, permuteAxes } from "./index-order.js";
import { buildLayersModel } from "./tfjs-model.js";
import { checkTopologyWeights } from "./topology-check.js";

export interface CompressedWeights {
  /** Every weight in the original model's order: decoded layers are codebook[codes], dense ones as stored. */
  readonly weights: WeightMap;
  readonly metadata: CompressedMetadata;
}

/** A weight stored as a permuted view of itself goes back to its own shape (metadata `weightShapes`). */
function viewedShape(metadata: CompressedMetadata, name: string, shape: readonly number[], source: string): readonly number[] {
  const own = metadata.weightShapes?.[name];
  if (own === undefined) return shape;
  const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  if (count(own) !== count(shape))
    throw new CompressionError(
      "WEIGHT_MISMATCH",
      `${source}: ${name} is stored as [${shape.join(",")}], its shape [${own.join(",")}] differs in size`,
    );
  return own;
}

/** The decoded entries as the model's weights, in its order (shared with the file loader in `./node`). */
export function assemble(contents: ContainerContentsRead, source: string): CompressedWeights {
  const metadata = parseCompressedMetadata(contents.metadata, source);
  const byName = new Map<string, { shape: readonly number[]; data: Float32Array | Int32Array | Uint8Array; info: object }>();
  for (const layer of contents.layers) {
    const axes = metadata.storedAxes?.[layer.name];
    if (axes === undefined) {
      byName.set(layer.name, { shape: layer.shape, data: toDense(layer), info: layer.info });
      continue;
    }
    // Stored output-major (Caffe order): transpose back to the model's layout (or to the view it was walked as).
    const back = permuteAxes(toDense(layer), layer.shape, inverseAxes(axes), `${source}: ${layer.name}`);
    byName.set(layer.name, { shape: viewedShape(metadata, layer.name, back.shape, source), data: back.data, info: layer.info });
  }
  // The records themselves (no copy per entry: 100,000 entries, issue 16 item 7).
  for (const dense of contents.denseTensors) byName.set(dense.name, dense);
  // A Set: loading stays linear in the number of entries (issue 16 item 7).
  const inOrder = new Set(metadata.weightOrder);
  for (const name of byName.keys()) {
    if (!inOrder.has(name)) throw new CompressionError("WEIGHT_MISMATCH", `${source}: entry "${name}" is not in the model's weight order`);
  }
  return { weights: orderedWeights(metadata.weightOrder, byName), metadata };
}

/**
 * Decodes a `.dcnpi` container in memory to dense weights (bad bytes surface as typed `SparseFormatError`s).
 * `options` are sparse-format's read limits (`DEFAULT_READ_LIMITS` unless overridden).
 */
export async function parseCompressedWeights(
  bytes: Uint8Array,
  source = "container",
  options: ReadOptions = {},
): Promise<CompressedWeights> {
  return assemble(await parseContainer(bytes, options), source);
}

export function topologyOf(metadata: CompressedMetadata, source: string): Record<string, unknown> {
  if (metadata.graphModel !== undefined) {
    throw new CompressionError(
      "UNSUPPORTED_MODEL",
      `${source}: holds a graph model, not a layers model: decompress it (decompressToModelFiles) and load it with tf.loadGraphModel`,
    );
  }
  if (metadata.modelTopology === undefined) {
    throw new CompressionError(
      "UNSUPPORTED_MODEL",
      `${source}: holds compressed weights but no tfjs layers topology (it was not made from a LayersModel)`,
    );
  }
  return metadata.modelTopology;
}

/**
 * A tfjs LayersModel from decoded weights whose values equal the fine-tuned quantized weights bit for
 * bit, so its predictions match the model `compress` left behind. `source` names the file in errors.
 */
export async function buildCompressedModel(compressed: CompressedWeights, options: ReadOptions, source: string): Promise<LayersModel> {
  const { weights, metadata } = compressed;
  const topology = topologyOf(metadata, source);
  // Before tfjs builds anything: its initialisers run first and would allocate whatever the topology says.
  checkTopologyWeights(topology, weights, { ...DEFAULT_READ_LIMITS, ...definedLimits(options) }, source);
  try {
    return await buildLayersModel(topology, weights);
  } catch (error) {
    if (error instanceof CompressionError || error instanceof SparseFormatError) throw error;
    throw new CompressionError(
      "UNSUPPORTED_MODEL",
      `${source}: TensorFlow.js cannot build this model (${(error as Error)?.message ?? String(error)})`,
      {
        cause: error,
      },
    );
  }
}

function definedLimits(options: ReadOptions): ReadOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
