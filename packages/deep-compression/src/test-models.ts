/**
 * Small models with every layer kind the pipeline must handle, for this package's tests only (not
 * exported; apps/dcnpi's test builds its own model). Weights are drawn from our Rng so tests are deterministic on every backend.
 */
import * as tfl from "@tensorflow/tfjs-layers";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { Rng, tensor, WeightMap } from "@dcnpi/tensor";
import { readModelWeights, writeModelWeights } from "@dcnpi/tensor/tfjs";

/** Conv2D → DepthwiseConv2D → BatchNormalization → Dense on 8x8x3 images, 4 classes. */
export function buildConvTestModel(): LayersModel {
  const model = tfl.sequential({ name: "conv_test" });
  model.add(tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 6, kernelSize: 3, name: "conv1", activation: "relu" }));
  model.add(tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: "dw1" }));
  model.add(tfl.layers.batchNormalization({ name: "bn1" }));
  model.add(tfl.layers.flatten({ name: "flat" }));
  model.add(tfl.layers.dense({ units: 4, name: "fc1", activation: "softmax" }));
  return model;
}

/** Embedding → LSTM → Dense over sequences of 5 tokens from a vocabulary of 20. */
export function buildSequenceTestModel(): LayersModel {
  const model = tfl.sequential({ name: "seq_test" });
  model.add(tfl.layers.embedding({ inputDim: 20, outputDim: 8, inputLength: 5, name: "embed" }));
  model.add(tfl.layers.lstm({ units: 12, name: "lstm1" }));
  model.add(tfl.layers.dense({ units: 3, name: "fc_out", activation: "softmax" }));
  return model;
}

/** Overwrites every weight with seeded values (BatchNorm variances kept positive). */
export function randomizeWeights(model: LayersModel, rng: Rng): void {
  const current = readModelWeights(model);
  const next = new WeightMap();
  for (const { name, tensor: t, info } of current) {
    const data = new Float32Array(t.data.length);
    const positive = info.role === "moving_variance" || info.role === "gamma";
    for (let i = 0; i < data.length; i++) data[i] = positive ? 0.5 + rng.float() : rng.normal(0, 0.3);
    next.add(name, tensor(t.shape, data), info);
  }
  writeModelWeights(model, next);
}
