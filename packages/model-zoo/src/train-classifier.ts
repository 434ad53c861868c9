import type { Rng } from "@dcnpi/tensor";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { BatchAssembler, classCount, exampleShape, type ClassifierData } from "./classifier-data.js";
import { ModelZooError } from "./errors.js";

export interface TrainProgress {
  readonly epoch: number;
  /** Batch index within the epoch. */
  readonly batch: number;
  readonly batchesPerEpoch: number;
  /** Loss of this batch. */
  readonly loss: number;
  /** Examples seen since training started. */
  readonly examplesSeen: number;
}

export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Shuffles the examples at the start of every epoch (forked per epoch). */
  readonly rng: Rng;
  /** The optimizer; default SGD with momentum 0.9 at `learningRate`. */
  readonly optimizer?: tf.Optimizer;
  /** Default 0.01 (the Caffe LeNet solver's base_lr). Ignored when `optimizer` is given. */
  readonly learningRate?: number;
  /** Default 0.9. Ignored when `optimizer` is given. */
  readonly momentum?: number;
  readonly onProgress?: (progress: TrainProgress) => void;
}

export interface EpochSummary {
  readonly epoch: number;
  /** Mean of the batch losses over the epoch, weighted by batch size. */
  readonly meanLoss: number;
  readonly seconds: number;
}

export interface TrainResult {
  readonly epochs: readonly EpochSummary[];
  readonly steps: number;
}

/**
 * Trains a softmax classifier with categorical cross-entropy, one `trainOnBatch` per batch.
 * Deterministic: the example order of epoch e is `rng.fork("epoch-e").permutation(count)` (never
 * Math.random), the last, smaller batch is kept, and nothing else is random. The model is compiled
 * here (so optimizer state starts fresh on every call).
 */
export async function trainClassifier(model: tfl.LayersModel, data: ClassifierData, options: TrainOptions): Promise<TrainResult> {
  const { epochs, batchSize, rng } = options;
  if (!Number.isInteger(epochs) || epochs < 0)
    throw new ModelZooError("INVALID_OPTION", `epochs must be a non-negative integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ModelZooError("INVALID_OPTION", `batchSize must be a positive integer, got ${batchSize}`);
  const learningRate = options.learningRate ?? 0.01;
  const momentum = options.momentum ?? 0.9;
  if (!(learningRate > 0)) throw new ModelZooError("INVALID_OPTION", `learningRate must be positive, got ${learningRate}`);
  const shape = exampleShape(model, data);
  const classes = classCount(model);
  model.compile({ optimizer: options.optimizer ?? tf.train.momentum(learningRate, momentum), loss: "categoricalCrossentropy" });
  const assembler = new BatchAssembler(data, shape, classes, Math.min(batchSize, data.count));
  const batchesPerEpoch = Math.ceil(data.count / batchSize);
  const summaries: EpochSummary[] = [];
  let steps = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const started = process.hrtime.bigint();
    const order = rng.fork(`epoch-${epoch}`).permutation(data.count);
    let lossSum = 0;
    for (let batch = 0; batch < batchesPerEpoch; batch++) {
      const start = batch * batchSize;
      const size = Math.min(batchSize, data.count - start);
      const { x, y } = assembler.batch(order, start, size);
      let loss: number;
      try {
        loss = (await model.trainOnBatch(x, y)) as number;
      } finally {
        tf.dispose([x, y]);
      }
      lossSum += loss * size;
      steps++;
      options.onProgress?.({ epoch, batch, batchesPerEpoch, loss, examplesSeen: epoch * data.count + start + size });
    }
    summaries.push({ epoch, meanLoss: lossSum / data.count, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
  }
  return { epochs: summaries, steps };
}
