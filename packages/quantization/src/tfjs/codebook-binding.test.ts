import { readModelWeights } from "@dcnpi/tensor/tfjs";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestBackend } from "./test-backend.js";
import { aggregateCentroidGradients } from "../centroid-gradients.js";
import { dequantize, quantizeWeightMap, type QuantizedWeight } from "../quantize.js";
import { bindCodebooks } from "./codebook-binding.js";
import { convData, convModel } from "./test-models.js";

beforeAll(async () => {
  await useTestBackend();
});

function bits(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** The model's weights must be codebook[codes], bit for bit. */
function expectWeightsFromCodebooks(model: tfl.LayersModel, quantized: Map<string, QuantizedWeight>): void {
  const weights = readModelWeights(model);
  for (const [name, q] of quantized) expect(bits(weights.get(name).data as Float32Array)).toEqual(bits(dequantize(q)));
}

const lossOf = (model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor) =>
  tf.tidy(() => tf.losses.softmaxCrossEntropy(y, model.predict(x) as tf.Tensor).dataSync()[0]!);

/** Same matrices as figure-3.test.ts (DC Figure 3, via shared/papers/deep-compression.md §2.4). */
const figure = {
  codes: Uint8Array.from([3, 0, 2, 1, 1, 1, 0, 3, 0, 3, 1, 0, 3, 1, 2, 2]),
  gradients: Float32Array.from([-0.03, -0.01, 0.03, 0.02, -0.01, 0.01, -0.02, 0.12, -0.01, 0.02, 0.04, 0.01, -0.07, -0.02, 0.01, -0.02]),
};

describe("centroid fine-tuning in TensorFlow.js", () => {
  it("reproduces DC Figure 3 with a raw variable, unsortedSegmentSum and SGD at learning rate 1", () => {
    const w = tf.variable(tf.zeros([4, 4]), true, "figure3/w");
    const g = tf.tensor2d(figure.gradients, [4, 4]);
    const quantized = new Map([
      ["figure3/w", { shape: [4, 4], bits: 2, codebook: Float32Array.from([-1, 0, 1.5, 2]), codes: figure.codes, masked: false }],
    ]);
    const binding = bindCodebooks([w], quantized);
    // dL/dW = G exactly for L = sum(W * G).
    const optimizer = tf.train.sgd(1);
    binding.minimize(optimizer, () => tf.sum(tf.mul(w, g)) as tf.Scalar);
    const tuned = binding.read().get("figure3/w")!;
    [-0.97, -0.04, 1.48, 1.96].forEach((c, j) => expect(tuned.codebook[j]).toBeCloseTo(c, 6));
    expect(bits(w.dataSync() as Float32Array)).toEqual(bits(dequantize(tuned)));
    binding.dispose();
    optimizer.dispose();
    tf.dispose([w, g]);
  });

  it("binds named variables by their weight names", () => {
    const w = tf.variable(tf.zeros([4, 4]), true, "figure3/w#3");
    const quantized = new Map([
      ["figure3/w", { shape: [4, 4], bits: 2, codebook: Float32Array.from([-1, 0, 1.5, 2]), codes: figure.codes, masked: false }],
    ]);
    const binding = bindCodebooks({ variables: [w], names: { [w.name]: "figure3/w" } }, quantized);
    expect([...binding.read().keys()]).toEqual(["figure3/w"]);
    expect(bits(w.dataSync() as Float32Array)).toEqual(bits(dequantize(quantized.get("figure3/w")!)));
    binding.dispose();
    w.dispose();
  });

  it("aggregates like the host rule, sum and mean", () => {
    for (const aggregation of ["sum", "mean"] as const) {
      const q: QuantizedWeight = { shape: [16], bits: 2, codebook: Float32Array.from([0, -1, 1.5, 2]), codes: figure.codes, masked: true };
      const w = tf.variable(tf.zeros([16]));
      const binding = bindCodebooks([w], new Map([[w.name, q]]), { aggregation });
      const grads = tf.tidy(() => ({ [w.name]: tf.tensor1d(figure.gradients) }));
      const centroid = binding.centroidGradients(grads);
      const [tensor] = Object.values(centroid);
      const host = aggregateCentroidGradients(q, figure.gradients, aggregation);
      [...tensor!.dataSync()].forEach((v, j) => expect(v).toBeCloseTo(host[j]!, 6));
      expect(tensor!.dataSync()[0]).toBe(0);
      tf.dispose([w, ...Object.values(grads), ...Object.values(centroid)]);
      binding.dispose();
    }
  });

  it("fine-tunes the centroids of a real model through model.fit: loss drops, codes and pruned zeros stay, weights = codebook[codes]", async () => {
    const model = convModel();
    const { x, y } = convData(128, "fine-tune");
    model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy" });
    await model.fit(x, y, { epochs: 8, batchSize: 32, verbose: 0 });
    const dense = lossOf(model, x, y);
    // Prune half of fc1 by hand (every other weight) to exercise the reserved zero.
    const weights = readModelWeights(model);
    const fc1Mask = new Uint8Array(weights.get("fc1/kernel").data.length).map((_, i) => (i % 2 === 0 ? 1 : 0));
    const quantized = quantizeWeightMap(
      weights,
      { "conv/kernel": { bits: 2 }, "fc1/kernel": { bits: 2 }, "fc2/kernel": { bits: 2 } },
      { masks: new Map([["fc1/kernel", fc1Mask]]) },
    );
    const binding = bindCodebooks(model, quantized);
    expectWeightsFromCodebooks(model, quantized);
    const afterQuantization = lossOf(model, x, y);
    expect(afterQuantization).toBeGreaterThan(dense);
    const optimizer = tf.train.adam(0.005);
    model.compile({ optimizer: binding.wrapOptimizer(optimizer), loss: "categoricalCrossentropy" });
    await model.fit(x, y, { epochs: 5, batchSize: 32, verbose: 0, shuffle: false });
    const tuned = binding.read();
    const afterFineTuning = lossOf(model, x, y);
    expect(afterFineTuning).toBeLessThan(afterQuantization);
    expectWeightsFromCodebooks(model, tuned);
    for (const [name, q] of tuned) {
      expect(q.codes).toEqual(quantized.get(name)!.codes);
      expect(q.codebook).not.toEqual(quantized.get(name)!.codebook);
    }
    expect(Object.is(tuned.get("fc1/kernel")!.codebook[0], 0)).toBe(true);
    const fc1 = readModelWeights(model).get("fc1/kernel").data;
    fc1Mask.forEach((m, i) => m === 0 && expect(Object.is(fc1[i], 0)).toBe(true));
    binding.dispose();
    optimizer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  it("releases every tensor it made when disposed", () => {
    const model = convModel();
    const quantized = quantizeWeightMap(readModelWeights(model), { "fc1/kernel": { bits: 3 }, "conv/kernel": { bits: 4 } });
    const before = tf.memory().numTensors;
    bindCodebooks(model, quantized).dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("freezes the other weights when asked and does not leak tensors", async () => {
    const model = convModel();
    const { x, y } = convData(64, "freeze");
    const quantized = quantizeWeightMap(readModelWeights(model), { "fc1/kernel": { bits: 3 } });
    const binding = bindCodebooks(model, quantized);
    const optimizer = binding.wrapOptimizer(tf.train.momentum(0.05, 0.9), { otherWeights: "freeze" });
    model.compile({ optimizer, loss: "categoricalCrossentropy" });
    const biasBefore = readModelWeights(model).get("fc1/bias").data.slice();
    const convBefore = readModelWeights(model).get("conv/kernel").data.slice();
    await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
    const count = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    expect(tf.memory().numTensors).toBe(count);
    expect(readModelWeights(model).get("fc1/bias").data).toEqual(biasBefore);
    expect(readModelWeights(model).get("conv/kernel").data).toEqual(convBefore);
    expectWeightsFromCodebooks(model, binding.read());
    const beforeDispose = tf.memory().numTensors;
    binding.dispose();
    expect(tf.memory().numTensors).toBe(beforeDispose - 4);
    optimizer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  it("rejects quantized weights that do not match the model", () => {
    const model = convModel();
    const wrong = new Map([
      ["fc1/kernel", { shape: [3], bits: 1, codebook: new Float32Array(2), codes: new Uint8Array(3), masked: false }],
    ]);
    expect(() => bindCodebooks(model, wrong)).toThrow(/"fc1\/kernel" is \[144,16\] in the model, \[3\] quantized/);
    expect(() => bindCodebooks(model, new Map([["nope", wrong.get("fc1/kernel")!]]))).toThrow(/no weight "nope"/);
    model.dispose();
  });
});
