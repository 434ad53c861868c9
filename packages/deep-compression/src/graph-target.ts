/**
 * A graph model as something the stages work on, and back: its float32/int32 weights become named
 * `tf.Variable`s (a `VariablesTarget`, weight names = the graph's constant-node names, info = the op
 * that consumes each), its GraphDef and signature the `GraphModelSpec` the `.dcnpi` file keeps, its
 * `string`/`bool` constants raw bytes in that spec. `graphModelArtifacts` turns decoded weights and
 * the spec into the `ModelArtifacts` stock `tf.loadGraphModel` takes (what `decompress` writes).
 */
import * as tf from "@tensorflow/tfjs-core";
import { decodeBase64, encodeBase64 } from "@dcnpi/base";
import type { WeightMap } from "@dcnpi/tensor";
import type { VariablesTarget } from "./compression-target.js";
import { CompressionError } from "./errors.js";
export { graphModelArtifacts } from "./graph-model-artifacts.js";
import { checkGraphOps, graphTopologySchema, graphWeightInfo, parseGraphModelSpec, type GraphModelSpec } from "./graph-model.js";

/** What `readModelFiles` gives for a graph model (the fields used here). */
export interface GraphModelInput {
  readonly modelJsonPath: string;
  readonly modelJson: Record<string, unknown>;
  readonly weights: WeightMap;
  readonly rawWeights: readonly { name: string; shape: readonly number[]; dtype: "string" | "bool"; bytes: Uint8Array }[];
}

export interface GraphCompressionTarget {
  /** The numeric weights as variables, in manifest order; pass to `compress` (one-shot: no `train`). */
  readonly target: VariablesTarget;
  /** Pass to `compress` as `options.graphModel`: the file then decompresses to a graph model. */
  readonly graphModel: GraphModelSpec;
  /** Disposes the variables. */
  dispose(): void;
}

let instance = 0;

/**
 * Checks the graph (every op one TensorFlow.js runs; `UNSUPPORTED_MODEL` naming node and op) and makes
 * its weights a `VariablesTarget`. Plans see each weight's consuming `op`, `layerClass` and `role`
 * (`graphWeightInfo`), so `{ match: { op: "_FusedConv2D" } }` and the paper's `Conv2D`/`Dense` rules both apply.
 */
export function graphCompressionTarget(input: GraphModelInput): GraphCompressionTarget {
  const { modelJson, modelJsonPath: source } = input;
  const topology = graphTopologySchema.safeParse(modelJson["modelTopology"]);
  if (!topology.success) {
    const issue = topology.error.issues[0]!;
    throw new CompressionError("UNSUPPORTED_MODEL", `${source}: modelTopology.${issue.path.join(".")}: ${issue.message}`);
  }
  checkGraphOps(topology.data, source);
  const constants = new Set(topology.data.node.filter((n) => n.op === "Const").map((n) => n.name));
  const names = [...input.weights.names(), ...input.rawWeights.map((w) => w.name)];
  for (const name of names) {
    if (!constants.has(name)) throw new CompressionError("MODEL_FILE", `${source}: weight "${name}" is not a Const node of the graph`);
  }
  const spec = parseGraphModelSpec(
    {
      format: "graph-model",
      ...pick(modelJson, ["generatedBy", "convertedBy"]),
      modelTopology: modelJson["modelTopology"],
      ...pick(modelJson, ["signature", "userDefinedMetadata", "modelInitializer", "initializerSignature"]),
      ...(input.rawWeights.length === 0
        ? {}
        : {
            rawWeights: input.rawWeights.map((w) => ({ name: w.name, shape: [...w.shape], dtype: w.dtype, base64: encodeBase64(w.bytes) })),
          }),
    },
    source,
  );
  const infos = graphWeightInfo(topology.data, input.weights.names());
  const tag = `dcnpi-graph${instance++}`;
  const variables: tf.Variable[] = [];
  const variableNames: Record<string, string> = {};
  const info: Record<string, typeof infos extends Map<string, infer I> ? I : never> = {};
  try {
    for (const { name, tensor } of input.weights) {
      const dtype = tensor.dtype === "float32" ? "float32" : "int32";
      // tfjs variable names are global to the engine: a per-target prefix keeps two loads apart.
      const variable = tf.tidy(() => tf.variable(tf.tensor(tensor.data, [...tensor.shape], dtype), false, `${tag}/${name}`));
      variables.push(variable);
      variableNames[variable.name] = name;
      info[variable.name] = infos.get(name) ?? {};
    }
  } catch (error) {
    tf.dispose(variables);
    throw error;
  }
  return { target: { variables, names: variableNames, info }, graphModel: spec, dispose: () => tf.dispose(variables) };
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}
