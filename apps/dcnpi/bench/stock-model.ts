/**
 * A model.json + shards loaded the way a user's page would: stock TensorFlow.js (`tf.loadGraphModel`
 * / `tf.loadLayersModel` on the files' bytes), nothing of ours in between. The benches compare the
 * original files with what `dcnpi decompress` wrote through it.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { loadGraphModel, type GraphModel } from "@tensorflow/tfjs-converter";
import { loadLayersModel, type LayersModel } from "@tensorflow/tfjs-layers";

export type StockModel = { readonly kind: "graph"; readonly model: GraphModel } | { readonly kind: "layers"; readonly model: LayersModel };

export async function loadStockModel(modelJson: string): Promise<StockModel> {
  const json = JSON.parse(readFileSync(modelJson, "utf8")) as {
    format?: string;
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(modelJson), p))));
  const all = Buffer.concat(shards);
  const artifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.length),
    ...(json.format === undefined ? {} : { format: json.format }),
  };
  return json.format === "graph-model"
    ? { kind: "graph", model: await loadGraphModel(tf.io.fromMemory(artifacts)) }
    : { kind: "layers", model: await loadLayersModel(tf.io.fromMemory(artifacts)) };
}
