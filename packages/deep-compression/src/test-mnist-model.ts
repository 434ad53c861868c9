/**
 * For this package's tests only: LeNet-300-100 (model-zoo) trained briefly on real MNIST with the
 * deterministic loop, and real MNIST test digits as example inputs.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { loadMnist } from "@dcnpi/datasets";
import { buildLenet300100, trainClassifier } from "@dcnpi/model-zoo";
import { Rng } from "@dcnpi/tensor";
import type { ExampleBatch } from "./top1-metric.js";

/** LeNet-300-100 after one epoch over the first `trainCount` training digits (Adam 1e-3, batch 64). */
export async function trainedLenet300100(trainCount = 6000): Promise<LayersModel> {
  const train = loadMnist({ split: "train", limit: trainCount });
  const model = buildLenet300100(Rng.fromSeed(5));
  const optimizer = tf.train.adam(1e-3);
  await trainClassifier(model, train, { epochs: 1, batchSize: 64, rng: Rng.fromSeed(6), optimizer });
  optimizer.dispose();
  return model;
}

/** Test digits `start .. start+count` as a flat [784] batch, with labels when asked. */
export function mnistBatch(start: number, count: number, withLabels = false): ExampleBatch {
  const test = loadMnist({ split: "test", limit: start + count });
  return {
    count,
    shape: [784],
    data: test.images.slice(start * 784, (start + count) * 784),
    labels: withLabels ? Int32Array.from(test.labels.subarray(start, start + count)) : undefined,
  };
}
