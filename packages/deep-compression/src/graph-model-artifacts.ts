/**
 * A graph model as tfjs `ModelArtifacts` from the weights of a `.dcnpi` file and the graph it kept:
 * what `decompress` writes and what the browser's `dcnpiModel` hands `tf.loadGraphModel`. Apart from
 * graph-target.ts (compression side) so the browser decoder does not carry the op list and schemas.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { decodeBase64 } from "@dcnpi/base";
import type { WeightMap } from "@dcnpi/tensor";
import { CompressionError } from "./errors.js";
import type { GraphModelSpec } from "./graph-model-spec.js";

/**
 * The `ModelArtifacts` of a graph model from its decoded weights (float32 as decoded, int32 as stored)
 * and the spec the file kept: what stock `tf.loadGraphModel(tf.io.fromMemory(...))` takes, and what
 * `decompress` writes as model.json + weights.bin. One ArrayBuffer per weight (no concatenated copy).
 */
export function graphModelArtifacts(weights: WeightMap, graphModel: GraphModelSpec): tf.io.ModelArtifacts & { weightData: ArrayBuffer[] } {
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const weightData: ArrayBuffer[] = [];
  for (const { name, tensor } of weights) {
    const values = tensor.dtype === "uint8" ? Int32Array.from(tensor.data) : tensor.data;
    weightSpecs.push({ name, shape: [...tensor.shape], dtype: tensor.dtype === "float32" ? "float32" : "int32" });
    weightData.push(values.slice().buffer as ArrayBuffer);
  }
  for (const raw of graphModel.rawWeights ?? []) {
    weightSpecs.push({ name: raw.name, shape: [...raw.shape], dtype: raw.dtype });
    const bytes = decodeBase64(raw.base64);
    if (bytes === undefined)
      throw new CompressionError("UNSUPPORTED_MODEL", `graph model weight "${raw.name}": stored bytes are not valid base64`);
    weightData.push(bytes.slice().buffer as ArrayBuffer);
  }
  const { rawWeights: _raw, modelTopology, ...rest } = graphModel;
  return { ...rest, modelTopology: modelTopology as object, weightSpecs, weightData } as tf.io.ModelArtifacts & {
    weightData: ArrayBuffer[];
  };
}

/**
 * The cheap structural check of a stored graph (format, a GraphDef with a node list, raw weights a
 * list) for readers that do not carry the full schema; tfjs checks the graph itself when it loads.
 */
export function asGraphModelSpec(raw: Record<string, unknown>, source: string): GraphModelSpec {
  const topology = raw["modelTopology"];
  const ok =
    raw["format"] === "graph-model" &&
    typeof topology === "object" &&
    topology !== null &&
    Array.isArray((topology as Record<string, unknown>)["node"]) &&
    (raw["rawWeights"] === undefined || Array.isArray(raw["rawWeights"]));
  if (!ok)
    throw new CompressionError(
      "UNSUPPORTED_MODEL",
      `${source}: the stored graph model is not a tfjs graph-model (format, modelTopology.node)`,
    );
  return raw as GraphModelSpec;
}
