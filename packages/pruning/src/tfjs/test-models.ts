// Tiny models and data for the tfjs tests (not exported from the package).
import { Rng } from "@dcnpi/tensor";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

/** Conv2D + DepthwiseConv2D + Dense on 8x8 images. */
export function convModel(): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(
    tfl.layers.conv2d({
      inputShape: [8, 8, 1],
      filters: 4,
      kernelSize: 3,
      activation: "relu",
      name: "conv",
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(tfl.layers.depthwiseConv2d({ kernelSize: 3, name: "dw", depthwiseInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
  model.add(tfl.layers.flatten());
  model.add(
    tfl.layers.dense({ units: 3, activation: "softmax", name: "fc", kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
  );
  return model;
}

/** Embedding + LSTM + GRU + SimpleRNN + Dense on token sequences. */
export function sequenceModel(): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(
    tfl.layers.embedding({
      inputDim: 12,
      outputDim: 6,
      inputLength: 5,
      name: "embed",
      embeddingsInitializer: tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 4 }),
    }),
  );
  model.add(
    tfl.layers.lstm({
      units: 5,
      returnSequences: true,
      name: "lstm",
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }),
      recurrentInitializer: tfl.initializers.glorotUniform({ seed: 6 }),
    }),
  );
  model.add(
    tfl.layers.gru({
      units: 4,
      returnSequences: true,
      name: "gru",
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 7 }),
      recurrentInitializer: tfl.initializers.glorotUniform({ seed: 8 }),
    }),
  );
  model.add(
    tfl.layers.simpleRNN({
      units: 4,
      name: "rnn",
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 9 }),
      recurrentInitializer: tfl.initializers.glorotUniform({ seed: 10 }),
    }),
  );
  model.add(
    tfl.layers.dense({ units: 3, activation: "softmax", name: "out", kernelInitializer: tfl.initializers.glorotUniform({ seed: 11 }) }),
  );
  return model;
}

export function convData(count: number, seed: string): { x: tf.Tensor; y: tf.Tensor } {
  const rng = Rng.fromSeed(seed);
  const pixels = rng.fillNormal(new Float32Array(count * 64));
  const labels = Int32Array.from({ length: count }, (_, i) => (pixels[i * 64]! > 0 ? 1 : pixels[i * 64 + 9]! > 0 ? 2 : 0));
  return tf.tidy(() => ({ x: tf.tensor4d(pixels, [count, 8, 8, 1]), y: tf.oneHot(tf.tensor1d(labels, "int32"), 3) }));
}

export function sequenceData(count: number, seed: string): { x: tf.Tensor; y: tf.Tensor } {
  const rng = Rng.fromSeed(seed);
  const tokens = Int32Array.from({ length: count * 5 }, () => rng.int(12));
  const labels = Int32Array.from({ length: count }, (_, i) => tokens[i * 5]! % 3);
  return tf.tidy(() => ({ x: tf.tensor2d(tokens, [count, 5], "int32"), y: tf.oneHot(tf.tensor1d(labels, "int32"), 3) }));
}
