/**
 * Integration check on real MNIST (opt-in: DCNPI_SLOW_TESTS=1): LeNet-300-100 trained for one epoch,
 * pruned in two masked prune/retrain rounds to the paper's densities (ip1 8%, ip2 9%, ip3 26%;
 * DC Table 2), quantized to 6 bits (63 centroids + the pruned zero) with linear initialisation, and
 * the centroids fine-tuned for one epoch. The full reproduction is the pipeline issue's; this checks
 * that the two packages compose and keep accuracy.
 */
import { loadMnist, MNIST_PIXELS } from "@dcnpi/datasets";
import { initEngine } from "@dcnpi/engine";
import { computeMasks, MaskSet } from "@dcnpi/pruning";
import { bindMasks } from "@dcnpi/pruning/tfjs";
import { readModelWeights } from "@dcnpi/tensor/tfjs";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { dequantize, quantizeWeightMap } from "../quantize.js";
import { bindCodebooks } from "./codebook-binding.js";

const DENSITIES = { "ip1/kernel": 0.08, "ip2/kernel": 0.09, "ip3/kernel": 0.26 } as const;

function lenet300100(): tfl.LayersModel {
  const model = tfl.sequential();
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  model.add(tfl.layers.dense({ inputShape: [MNIST_PIXELS], units: 300, activation: "relu", name: "ip1", kernelInitializer: init(1) }));
  model.add(tfl.layers.dense({ units: 100, activation: "relu", name: "ip2", kernelInitializer: init(2) }));
  model.add(tfl.layers.dense({ units: 10, activation: "softmax", name: "ip3", kernelInitializer: init(3) }));
  return model;
}

function errorRate(model: tfl.LayersModel, x: tf.Tensor, labels: tf.Tensor): number {
  return tf.tidy(() => {
    const predicted = tf.argMax(model.predict(x, { batchSize: 1000 }) as tf.Tensor, 1);
    return 100 * (1 - tf.mean(tf.cast(tf.equal(predicted, labels), "float32")).dataSync()[0]!);
  });
}

let backend = "";
let data: { xTrain: tf.Tensor; yTrain: tf.Tensor; xTest: tf.Tensor; labelsTest: tf.Tensor };

beforeAll(async () => {
  backend = (await initEngine()).backend;
  const train = loadMnist({ split: "train" });
  const test = loadMnist({ split: "test" });
  data = tf.tidy(() => ({
    xTrain: tf.tensor2d(train.images, [train.count, MNIST_PIXELS]),
    yTrain: tf.oneHot(tf.tensor1d(Int32Array.from(train.labels), "int32"), 10),
    xTest: tf.tensor2d(test.images, [test.count, MNIST_PIXELS]),
    labelsTest: tf.tensor1d(Int32Array.from(test.labels), "int32"),
  }));
});

describe("LeNet-300-100 on real MNIST", () => {
  it("prunes to 8%/9%/26% with masked retraining and quantizes to 6 bits with centroid fine-tuning, keeping accuracy", async () => {
    const { xTrain, yTrain, xTest, labelsTest } = data;
    const model = lenet300100();
    const fit = (optimizer: tf.Optimizer) => {
      model.compile({ optimizer, loss: "categoricalCrossentropy" });
      return model.fit(xTrain, yTrain, { epochs: 1, batchSize: 100, shuffle: false, verbose: 0 });
    };
    const denseOptimizer = tf.train.adam(1e-3);
    await fit(denseOptimizer);
    const denseError = errorRate(model, xTest, labelsTest);

    // Two prune/retrain rounds; the second composes with the first (pruned weights stay pruned).
    const binding = bindMasks(model, new MaskSet(), { weights: Object.keys(DENSITIES) });
    const retrainOptimizer = tf.train.adam(3e-4);
    const rounds = [
      Object.fromEntries(Object.entries(DENSITIES).map(([n, d]) => [n, { keepFraction: Math.sqrt(d) }])),
      Object.fromEntries(Object.entries(DENSITIES).map(([n, d]) => [n, { keepFraction: d }])),
    ];
    for (const round of rounds) {
      binding.prune(round);
      await fit(binding.wrapOptimizer(retrainOptimizer));
    }
    const prunedError = errorRate(model, xTest, labelsTest);
    const { weights: prunedWeights } = binding.strip();
    const masks = binding.masks();
    for (const s of masks.stats()) expect(s.keptCount).toBe(Math.round(DENSITIES[s.name as keyof typeof DENSITIES] * s.size));
    binding.dispose();

    // 6-bit weight sharing on the survivors, then centroid fine-tuning (biases keep training).
    const quantized = quantizeWeightMap(prunedWeights, Object.fromEntries(Object.keys(DENSITIES).map((n) => [n, { bits: 6 }])), { masks });
    const codebooks = bindCodebooks(model, quantized);
    const quantizedError = errorRate(model, xTest, labelsTest);
    const centroidOptimizer = tf.train.adam(1e-4);
    await fit(codebooks.wrapOptimizer(centroidOptimizer));
    const finalError = errorRate(model, xTest, labelsTest);

    const tuned = codebooks.read();
    const weights = readModelWeights(model);
    for (const [name, q] of tuned) {
      const actual = weights.get(name).data as Float32Array;
      expect(new Uint32Array(actual.buffer)).toEqual(new Uint32Array(dequantize(q).buffer));
      masks.get(name)!.forEach((m, i) => m === 0 && expect(Object.is(actual[i], 0)).toBe(true));
    }
    console.log(
      `LeNet-300-100 (${backend}) test error: dense ${denseError.toFixed(2)}%, pruned+retrained ${prunedError.toFixed(2)}%, ` +
        `6-bit quantized ${quantizedError.toFixed(2)}%, centroids fine-tuned ${finalError.toFixed(2)}%`,
    );
    expect(prunedError).toBeLessThan(denseError + 0.3);
    expect(finalError).toBeLessThan(denseError + 0.3);
    expect(finalError).toBeLessThan(prunedError + 0.2);
    codebooks.dispose();
    for (const optimizer of [denseOptimizer, retrainOptimizer, centroidOptimizer]) optimizer.dispose();
    model.dispose();
  }, 600_000);
});
