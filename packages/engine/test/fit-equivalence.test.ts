import { initializeWeights } from "@dcnpi/model-zoo";
import { Rng } from "@dcnpi/tensor";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { describe, expect, it } from "vitest";
import { randomValues, useBackend } from "./compare-backends.js";

/**
 * End to end: a small conv net trained with the real tfjs-layers `fit` gives the same losses and
 * weights on cpu (the reference) and on wasm with the dcnpi kernels, from identical initial weights.
 * This exercises FusedConv2D's gradient (Conv2DBackpropFilter + Conv2DBackpropInput), MaxPoolGrad,
 * the bias-gradient Sum, and the transposed matmuls of the dense layers inside the optimizer loop.
 */
function buildNet(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ name: "c1", inputShape: [14, 14, 1], filters: 6, kernelSize: 5, kernelInitializer: "zeros" }),
      tfl.layers.maxPooling2d({ name: "p1", poolSize: 2, strides: 2 }),
      tfl.layers.conv2d({ name: "c2", filters: 8, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: "zeros" }),
      tfl.layers.maxPooling2d({ name: "p2", poolSize: 2, strides: 2 }),
      tfl.layers.flatten({ name: "f" }),
      tfl.layers.dense({ name: "d1", units: 24, activation: "relu", kernelInitializer: "zeros" }),
      tfl.layers.dense({ name: "d2", units: 5, activation: "softmax", kernelInitializer: "zeros" }),
    ],
  });
  initializeWeights(model, Rng.fromSeed("fit-equivalence"));
  return model;
}

const EXAMPLES = 64;
const images = randomValues("fit-x", EXAMPLES * 14 * 14, 0, 1);
const labels = Array.from(randomValues("fit-y", EXAMPLES, 0, 5), (v) => Math.floor(v));

async function train(backend: "cpu" | "wasm"): Promise<{ losses: number[]; weights: Float32Array[]; tensorsPerEpoch: number[] }> {
  await useBackend(backend);
  const model = buildNet();
  model.compile({ optimizer: tf.train.momentum(0.05, 0.9), loss: "categoricalCrossentropy" });
  const x = tf.tensor4d(images, [EXAMPLES, 14, 14, 1]);
  const y = tf.oneHot(tf.tensor1d(labels, "int32"), 5);
  const tensorsPerEpoch: number[] = [];
  const history = await model.fit(x, y, {
    epochs: 3,
    batchSize: 16,
    shuffle: false,
    verbose: 0,
    callbacks: { onEpochEnd: async () => void tensorsPerEpoch.push(tf.memory().numTensors) },
  });
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  tf.dispose([x, y]);
  model.dispose();
  return { losses: history.history["loss"] as number[], weights, tensorsPerEpoch };
}

describe("model.fit on wasm with the dcnpi kernels", () => {
  it("matches cpu: same losses to ~5 digits and the same trained weights, leaking no tensors", async () => {
    const cpu = await train("cpu");
    const wasm = await train("wasm");
    expect(wasm.losses).toHaveLength(3);
    wasm.losses.forEach((loss, i) => expect(Math.abs(loss - cpu.losses[i]!) / cpu.losses[i]!).toBeLessThan(2e-5));
    // The loss must actually move, or the comparison means little.
    expect(wasm.losses[2]!).toBeLessThan(wasm.losses[0]!);
    wasm.weights.forEach((w, i) => {
      const reference = cpu.weights[i]!;
      expect(w.length).toBe(reference.length);
      for (let j = 0; j < w.length; j++) expect(Math.abs(w[j]! - reference[j]!)).toBeLessThan(1e-4);
    });
    // Steady state: the tensor count does not grow from epoch to epoch.
    expect(new Set(wasm.tensorsPerEpoch.slice(1)).size).toBe(1);
    expect(new Set(cpu.tensorsPerEpoch.slice(1)).size).toBe(1);
  });
});
