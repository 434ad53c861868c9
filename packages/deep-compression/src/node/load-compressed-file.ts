import type { LayersModel } from "@tensorflow/tfjs-layers";
import type { ReadOptions } from "@dcnpi/sparse-format";
import { readContainer } from "@dcnpi/sparse-format/node";
import { assemble, buildCompressedModel, type CompressedWeights } from "../load-compressed.js";

/**
 * Decodes a `.dcnpi` file to dense weights (file errors surface as typed `SparseFormatError`s).
 * `options` are sparse-format's read limits (`DEFAULT_READ_LIMITS` unless overridden).
 */
export async function readCompressedWeights(path: string, options: ReadOptions = {}): Promise<CompressedWeights> {
  return assemble(await readContainer(path, options), path);
}

/**
 * Loads a compressed model file as a tfjs LayersModel whose weights equal the fine-tuned quantized
 * weights bit for bit, so its predictions match the model `compress` left behind.
 */
export async function loadCompressed(path: string, options: ReadOptions = {}): Promise<LayersModel> {
  return buildCompressedModel(await readCompressedWeights(path, options), options, path);
}
