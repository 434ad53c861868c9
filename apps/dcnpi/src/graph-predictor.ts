/**
 * Measuring a graph model on the user's inputs (`dcnpi compress graph/model.json --data ...`): the
 * model is built by stock tfjs-converter from the compression target's current weights, exactly as
 * `tf.loadGraphModel` will build it from the decompressed file. Graph models cannot be retrained, so
 * this is all `--data` needs for them: the metric for the budget search and the final check.
 */
import {
  CompressionError,
  graphModelArtifacts,
  readTargetWeights,
  type CompressionTarget,
  type GraphModelSpec,
  type PredictBatch,
} from "@dcnpi/deep-compression";
import { loadGraphModel, type GraphModel } from "@tensorflow/tfjs-converter";
import * as tf from "@tensorflow/tfjs-core";

/** The graph as stock TensorFlow.js runs it, with the target's weights as they are now. */
export function graphFromTarget(target: CompressionTarget, spec: GraphModelSpec): Promise<GraphModel> {
  return loadGraphModel(tf.io.fromMemory(graphModelArtifacts(readTargetWeights(target), spec)));
}

/** The per-example input shape of a graph model with one input and one output (null where not fixed). */
export function graphInputShape(graph: GraphModel, source: string): (number | null)[] {
  const inputs = graph.inputs;
  if (inputs.length !== 1 || graph.outputs.length !== 1)
    throw new CompressionError(
      "UNSUPPORTED_MODEL",
      `${source}: measuring needs exactly one input and one output, the graph has ${inputs.length} and ${graph.outputs.length}`,
    );
  const shape = inputs[0]!.shape;
  if (shape === undefined) throw new CompressionError("UNSUPPORTED_MODEL", `${source}: the graph's input has no shape`);
  return shape.slice(1).map((d) => (d < 0 ? null : d));
}

/** `PredictBatch` for a graph model: its one output for `count` inputs, leaking no tensors. */
export function graphModelPredictor(graph: GraphModel, shape: readonly number[]): PredictBatch {
  return (inputs, count) => {
    const out = tf.tidy(() => graph.execute(tf.tensor(inputs, [count, ...shape])) as tf.Tensor);
    try {
      return out.dataSync() as Float32Array;
    } finally {
      out.dispose();
    }
  };
}
