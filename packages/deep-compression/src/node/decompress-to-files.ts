import { topologyOf } from "../load-compressed.js";
import { readCompressedWeights } from "./load-compressed-file.js";
import { writeModelFiles } from "./tfjs-model-files.js";

/** Writes a standard model.json + weights.bin that stock TensorFlow.js loads. */
export async function decompressToModelFiles(path: string, outputDir: string): Promise<{ modelJsonPath: string; weightsPath: string }> {
  const { weights, metadata } = await readCompressedWeights(path);
  return writeModelFiles(outputDir, topologyOf(metadata, path), weights);
}
