import type { LayersModel } from "@tensorflow/tfjs-layers";
import { readContainer, parseContainer, toDense, type ContainerContentsRead } from "@dcnpi/sparse-format";
import type { WeightMap } from "@dcnpi/tensor";
import { orderedWeights } from "./compress.js";
import { parseCompressedMetadata, type CompressedMetadata } from "./compressed-metadata.js";
import { CompressionError } from "./errors.js";
import { inverseAxes, permuteAxes } from "./index-order.js";
import { buildLayersModel } from "./tfjs-model-files.js";

export interface CompressedWeights {
  /** Every weight in the original model's order: decoded layers are codebook[codes], dense ones as stored. */
  readonly weights: WeightMap;
  readonly metadata: CompressedMetadata;
}

function assemble(contents: ContainerContentsRead, source: string): CompressedWeights {
  const metadata = parseCompressedMetadata(contents.metadata, source);
  const byName = new Map<string, { shape: readonly number[]; data: Float32Array | Int32Array | Uint8Array; info: object }>();
  for (const layer of contents.layers) {
    const axes = metadata.storedAxes?.[layer.name];
    if (axes === undefined) {
      byName.set(layer.name, { shape: layer.shape, data: toDense(layer), info: layer.info });
      continue;
    }
    // Stored output-major (Caffe order): transpose back to the model's layout.
    const back = permuteAxes(toDense(layer), layer.shape, inverseAxes(axes), `${source}: ${layer.name}`);
    byName.set(layer.name, { shape: back.shape, data: back.data, info: layer.info });
  }
  for (const dense of contents.denseTensors) byName.set(dense.name, { shape: dense.shape, data: dense.data, info: dense.info });
  for (const name of byName.keys()) {
    if (!metadata.weightOrder.includes(name))
      throw new CompressionError("WEIGHT_MISMATCH", `${source}: entry "${name}" is not in the model's weight order`);
  }
  return { weights: orderedWeights(metadata.weightOrder, byName), metadata };
}

/** Decodes a `.dcnpi` file to dense weights (file errors surface as typed `SparseFormatError`s). */
export async function readCompressedWeights(path: string): Promise<CompressedWeights> {
  return assemble(await readContainer(path), path);
}

/** The same, from bytes in memory. */
export async function parseCompressedWeights(bytes: Uint8Array, source = "container"): Promise<CompressedWeights> {
  return assemble(await parseContainer(bytes), source);
}

export function topologyOf(metadata: CompressedMetadata, source: string): Record<string, unknown> {
  if (metadata.modelTopology === undefined) {
    throw new CompressionError(
      "UNSUPPORTED_MODEL",
      `${source}: holds compressed weights but no tfjs layers topology (it was not made from a LayersModel)`,
    );
  }
  return metadata.modelTopology;
}

/**
 * Loads a compressed model as a tfjs LayersModel whose weights equal the fine-tuned quantized
 * weights bit for bit, so its predictions match the model `compress` left behind.
 */
export async function loadCompressed(path: string): Promise<LayersModel> {
  const { weights, metadata } = await readCompressedWeights(path);
  return buildLayersModel(topologyOf(metadata, path), weights);
}
