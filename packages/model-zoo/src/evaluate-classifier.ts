import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { BatchAssembler, classCount, exampleShape, type ClassifierData } from "./classifier-data.js";
import { ModelZooError } from "./errors.js";

export interface Evaluation {
  /** Mean categorical cross-entropy of the predicted probabilities (clipped at 1e-7, as Keras does). */
  readonly loss: number;
  /** Fraction of examples whose highest probability (first, on ties) is the label. */
  readonly accuracy: number;
  /** 1 - accuracy: the figure the papers report. */
  readonly errorRate: number;
  readonly count: number;
}

const EPSILON = 1e-7;

/** Loss and accuracy of a softmax classifier over all of `data`, in batches, leaking no tensors. */
export function evaluateClassifier(model: tfl.LayersModel, data: ClassifierData, options: { batchSize?: number } = {}): Evaluation {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ModelZooError("INVALID_OPTION", `batchSize must be a positive integer, got ${batchSize}`);
  const shape = exampleShape(model, data);
  const classes = classCount(model);
  const assembler = new BatchAssembler(data, shape, classes, Math.min(batchSize, data.count));
  let lossSum = 0;
  let correct = 0;
  const indices = new Int32Array(Math.min(batchSize, data.count));
  for (let start = 0; start < data.count; start += batchSize) {
    const size = Math.min(batchSize, data.count - start);
    for (let r = 0; r < size; r++) indices[r] = start + r;
    const { x, y, labels } = assembler.batch(indices, 0, size);
    const probabilities = tf.tidy(() => model.predict(x) as tf.Tensor);
    const p = probabilities.dataSync();
    tf.dispose([x, y, probabilities]);
    for (let r = 0; r < size; r++) {
      const row = r * classes;
      const label = labels[r]!;
      lossSum -= Math.log(Math.min(Math.max(p[row + label]!, EPSILON), 1 - EPSILON));
      let best = 0;
      for (let c = 1; c < classes; c++) if (p[row + c]! > p[row + best]!) best = c;
      if (best === label) correct++;
    }
  }
  const accuracy = correct / data.count;
  return { loss: lossSum / data.count, accuracy, errorRate: 1 - accuracy, count: data.count };
}
