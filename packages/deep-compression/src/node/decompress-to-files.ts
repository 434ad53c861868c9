import type { ReadOptions } from "@dcnpi/sparse-format";
import { parseGraphModelSpec } from "../graph-model.js";
import { topologyOf } from "../load-compressed.js";
import { writeGraphModelFiles } from "./graph-model-files.js";
import { readCompressedWeights } from "./load-compressed-file.js";
import { writeModelFiles } from "./tfjs-model-files.js";

/**
 * Writes a standard model.json + weights.bin that stock TensorFlow.js loads: `tf.loadLayersModel`
 * for a file made from a layers model, `tf.loadGraphModel` for one made from a graph model.
 * `options` overrides the container's read limits (`@dcnpi/sparse-format`'s `ReadLimits`).
 */
export async function decompressToModelFiles(
  path: string,
  outputDir: string,
  options: ReadOptions = {},
): Promise<{ modelJsonPath: string; weightsPath: string }> {
  const { weights, metadata } = await readCompressedWeights(path, options);
  if (metadata.graphModel !== undefined) return writeGraphModelFiles(outputDir, weights, parseGraphModelSpec(metadata.graphModel, path));
  return writeModelFiles(outputDir, topologyOf(metadata, path), weights);
}
