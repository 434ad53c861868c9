/**
 * A graph model written as model.json + weights.bin (float32 and int32 weights, raw string/bool
 * constants as they were), all or nothing like `writeModelFiles`: the folder is written under a
 * temporary name and renamed into place. Stock `tf.loadGraphModel` loads it.
 */
import { join } from "node:path";
import { writeDirectoryAtomic } from "@dcnpi/base/node";
import type { WeightMap } from "@dcnpi/tensor";
import type { GraphModelSpec } from "../graph-model.js";
import { graphModelArtifacts } from "../graph-target.js";

export function writeGraphModelFiles(
  dir: string,
  weights: WeightMap,
  graphModel: GraphModelSpec,
): { modelJsonPath: string; weightsPath: string } {
  const { weightSpecs, weightData, ...artifacts } = graphModelArtifacts(weights, graphModel);
  const data = new Uint8Array(weightData.reduce((sum, b) => sum + b.byteLength, 0));
  let offset = 0;
  for (const buffer of weightData) {
    data.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  const { format, generatedBy, convertedBy, modelTopology, ...rest } = artifacts;
  const json = `${JSON.stringify({
    format,
    generatedBy,
    convertedBy: convertedBy ?? null,
    modelTopology,
    ...rest,
    weightsManifest: [{ paths: ["weights.bin"], weights: weightSpecs }],
  })}\n`;
  const written = writeDirectoryAtomic(dir, { "weights.bin": data, "model.json": json });
  return { modelJsonPath: join(written, "model.json"), weightsPath: join(written, "weights.bin") };
}
