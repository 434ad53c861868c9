import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { CompressionError } from "./errors.js";
import type { PredictBatch } from "./top1-metric.js";

/** The per-example input shape of a layers model (no batch axis; null where it is not fixed). */
export function layersInputShape(model: LayersModel): (number | null)[] {
  const input = model.inputs[0];
  if (input === undefined || model.inputs.length !== 1)
    throw new CompressionError(
      "UNSUPPORTED_MODEL",
      `model ${model.name}: measuring needs exactly one input, it has ${model.inputs.length}`,
    );
  return input.shape.slice(1).map((d) => d ?? null);
}

/** `PredictBatch` for a layers model with one input and one output: its scores, leaking no tensors. */
export function layersModelPredictor(model: LayersModel, shape: readonly number[]): PredictBatch {
  return (inputs, count) => {
    const out = tf.tidy(() => model.predict(tf.tensor(inputs, [count, ...shape])) as tf.Tensor);
    try {
      return out.dataSync() as Float32Array;
    } finally {
      out.dispose();
    }
  };
}
