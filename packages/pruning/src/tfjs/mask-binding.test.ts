import { Rng } from "@dcnpi/tensor";
import { readModelWeights } from "@dcnpi/tensor/tfjs";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestBackend } from "./test-backend.js";
import { computeMasks } from "../compute-mask.js";
import { MaskSet } from "../mask-set.js";
import { polynomialDecaySchedule } from "../schedules.js";
import { bindMasks } from "./mask-binding.js";
import { prunableWeightNames } from "./prunable-weights.js";
import { convData, convModel, sequenceData, sequenceModel } from "./test-models.js";

beforeAll(async () => {
  await useTestBackend();
});

/** Half of every prunable weight pruned by magnitude. */
function halfMasks(model: tfl.LayersModel): MaskSet {
  const names = prunableWeightNames(model);
  return computeMasks(readModelWeights(model), Object.fromEntries(names.map((n) => [n, { sparsity: 0.5 }]))).masks;
}

/** Checks every pruned entry is exactly +0.0 and returns how many kept entries moved from `before`. */
function checkZeros(model: tfl.LayersModel, masks: MaskSet, before?: Map<string, Float32Array>): number {
  const weights = readModelWeights(model);
  let moved = 0;
  let nonZero = 0;
  for (const { name, mask } of masks) {
    const data = weights.get(name).data as Float32Array;
    mask.forEach((m, i) => {
      if (m === 0 && !Object.is(data[i], 0)) nonZero++;
      if (m === 1 && before !== undefined && data[i] !== before.get(name)![i]) moved++;
    });
  }
  expect(nonZero).toBe(0);
  return moved;
}

function snapshot(model: tfl.LayersModel): Map<string, Float32Array> {
  return new Map([...readModelWeights(model)].map((w) => [w.name, w.tensor.data as Float32Array]));
}

const optimizers = {
  momentum: () => tf.train.momentum(0.05, 0.9),
  adam: () => tf.train.adam(0.01),
} as const;

describe("masked retraining with model.fit", () => {
  for (const [kind, makeModel, makeData] of [
    ["Conv2D/DepthwiseConv2D/Dense", convModel, convData],
    ["Embedding/LSTM/GRU/SimpleRNN/Dense", sequenceModel, sequenceData],
  ] as const) {
    for (const [optimizerName, makeOptimizer] of Object.entries(optimizers)) {
      it(`keeps pruned ${kind} weights at exactly 0.0 through fit with ${optimizerName}`, async () => {
        const model = makeModel();
        const { x, y } = makeData(64, `fit-${kind}`);
        // Train dense first so the optimizer carries momentum / Adam moments for every weight.
        const optimizer = makeOptimizer();
        model.compile({ optimizer, loss: "categoricalCrossentropy" });
        await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, shuffle: false });
        const masks = halfMasks(model);
        const binding = bindMasks(model, masks);
        model.compile({ optimizer: binding.wrapOptimizer(optimizer), loss: "categoricalCrossentropy" });
        const before = snapshot(model);
        const history = await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, shuffle: false });
        expect(history.history["loss"]!.length).toBe(3);
        const moved = checkZeros(model, masks, before);
        expect(moved).toBeGreaterThan(0);
        const { weights, record } = binding.strip();
        expect(MaskSet.fromRecord(JSON.parse(JSON.stringify(record))).names()).toEqual(masks.names());
        expect(weights.names()).toEqual(readModelWeights(model).names());
        binding.dispose();
        tf.dispose([x, y]);
        optimizer.dispose();
        model.dispose();
      });
    }
  }

  it("needs the re-application: masked gradients alone let Adam's old moments move pruned weights", async () => {
    const model = convModel();
    const { x, y } = convData(64, "control");
    const optimizer: tf.Optimizer = tf.train.adam(0.01);
    model.compile({ optimizer, loss: "categoricalCrossentropy" });
    await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    const masks = halfMasks(model);
    const binding = bindMasks(model, masks);
    // Control: gradient masking only, through a hand-rolled step that skips re-application.
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = () => tf.losses.softmaxCrossEntropy(y, model.predict(x) as tf.Tensor) as tf.Scalar;
    const { value, grads } = optimizer.computeGradients(loss, variables);
    const masked = binding.maskGradients(grads);
    optimizer.applyGradients(masked);
    tf.dispose([value, grads, ...Object.values(masked)]);
    const conv = readModelWeights(model).get("conv/kernel").data;
    const resurrected = [...masks.get("conv/kernel")!].filter((m, i) => m === 0 && conv[i] !== 0).length;
    expect(resurrected).toBeGreaterThan(0);
    // The binding's own step re-applies the masks.
    binding.minimize(optimizer, loss, false, variables);
    checkZeros(model, masks);
    binding.dispose();
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });

  it("keeps zeros with only the callback and an unwrapped optimizer", async () => {
    const model = sequenceModel();
    const { x, y } = sequenceData(48, "callback");
    const optimizer = tf.train.momentum(0.05, 0.9);
    model.compile({ optimizer, loss: "categoricalCrossentropy" });
    const masks = halfMasks(model);
    const binding = bindMasks(model, masks);
    await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, callbacks: [binding.callback()] });
    checkZeros(model, masks);
    binding.dispose();
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });

  it("prunes on a polynomial-decay schedule during fit, composing masks, and reaches the final sparsity", async () => {
    const model = convModel();
    const { x, y } = convData(64, "schedule");
    const names = prunableWeightNames(model);
    const binding = bindMasks(model, new MaskSet(), { weights: names });
    const optimizer = tf.train.adam(0.01);
    model.compile({ optimizer: binding.wrapOptimizer(optimizer), loss: "categoricalCrossentropy" });
    const events: [number, number][] = [];
    let previous = binding.masks();
    const callback = binding.callback({
      schedule: polynomialDecaySchedule({ initialSparsity: 0.2, finalSparsity: 0.8, beginStep: 2, endStep: 10, frequency: 3 }),
      onPrune: (step, layers) => {
        events.push([step, layers[0]!.sparsity]);
        const now = binding.masks();
        for (const { name, mask } of previous) mask.forEach((m, i) => m === 0 && expect(now.get(name)![i]).toBe(0));
        previous = now;
      },
    });
    await model.fit(x, y, { epochs: 4, batchSize: 16, verbose: 0, shuffle: false, callbacks: [callback] });
    expect(events.map(([s]) => s)).toEqual([2, 5, 8, 10]);
    expect(events[0]![1]).toBeCloseTo(0.2, 1);
    // Exact counts: the nearest integer to 0.8 n, halves rounding toward keeping.
    for (const s of binding.masks().stats()) expect(s.prunedCount).toBe(Math.ceil(0.8 * s.size - 0.5));
    checkZeros(model, binding.masks());
    binding.dispose();
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });

  it("does not leak tensors across fit with the wrapped optimizer", async () => {
    const model = convModel();
    const { x, y } = convData(32, "leak");
    const binding = bindMasks(model, halfMasks(model));
    const optimizer = binding.wrapOptimizer(tf.train.adam(0.01));
    model.compile({ optimizer, loss: "categoricalCrossentropy" });
    await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
    const after1 = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
    expect(tf.memory().numTensors).toBe(after1);
    const beforeDispose = tf.memory().numTensors;
    binding.dispose();
    expect(tf.memory().numTensors).toBe(beforeDispose - 3);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });
});

describe("masked training of raw variables (NPI-style)", () => {
  it("keeps zeros through a hand-written Adam loop and still learns", () => {
    const rng = Rng.fromSeed("raw");
    const w1 = tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(8 * 16), 0, 0.3), [8, 16]), true, "npi/w1");
    const w2 = tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(16 * 2), 0, 0.3), [16, 2]), true, "npi/w2");
    const x = tf.tensor2d(rng.fillNormal(new Float32Array(64 * 8)), [64, 8]);
    const target = tf.tidy(() => tf.concat([tf.sum(x, 1, true), tf.neg(tf.slice(x, [0, 0], [64, 1]))], 1));
    const loss = () => tf.tidy(() => tf.losses.meanSquaredError(target, tf.matMul(tf.relu(tf.matMul(x, w1)), w2)) as tf.Scalar);
    const masks = new MaskSet()
      .set(
        "npi/w1",
        [8, 16],
        new Uint8Array(128).map((_, i) => (i % 3 === 0 ? 0 : 1)),
      )
      .set(
        "npi/w2",
        [16, 2],
        new Uint8Array(32).map((_, i) => (i < 8 ? 0 : 1)),
      );
    const binding = bindMasks([w1, w2], masks);
    const optimizer = tf.train.adam(0.02);
    const start = tf.memory().numTensors;
    const first = binding.minimize(optimizer, loss, true, [w1, w2])!;
    const firstLoss = first.dataSync()[0]!;
    first.dispose();
    for (let step = 0; step < 150; step++) binding.minimize(optimizer, loss, false, [w1, w2]);
    const last = loss();
    expect(last.dataSync()[0]!).toBeLessThan(firstLoss / 2);
    last.dispose();
    // Adam's two moment variables per weight are created on the first step; nothing else grows.
    expect(tf.memory().numTensors).toBe(start + 4);
    for (const [variable, name] of [
      [w1, "npi/w1"],
      [w2, "npi/w2"],
    ] as const) {
      const data = variable.dataSync();
      masks.get(name)!.forEach((m, i) => m === 0 && expect(Object.is(data[i], 0)).toBe(true));
    }
    const { weights } = binding.strip();
    expect(weights.names()).toEqual(["npi/w1", "npi/w2"]);
    binding.dispose();
    optimizer.dispose();
    tf.dispose([w1, w2, x, target]);
  });

  it("binds named variables by their weight names, not their engine-global variable names", () => {
    const w = tf.variable(tf.tensor2d([1, -2, 3, -4], [2, 2]), true, "net/w#12");
    const binding = bindMasks(
      { variables: [w], names: { [w.name]: "net/w" } },
      new MaskSet().set("net/w", [2, 2], Uint8Array.from([1, 0, 0, 1])),
    );
    expect(binding.names()).toEqual(["net/w"]);
    expect(Array.from(w.dataSync())).toEqual([1, 0, 0, -4]);
    const { weights } = binding.strip();
    expect(weights.names()).toEqual(["net/w"]);
    binding.dispose();
    w.dispose();
  });

  it("rejects masks that name no variable or have the wrong size", () => {
    const w = tf.variable(tf.zeros([2, 2]), true, "only/w");
    expect(() => bindMasks([w], new MaskSet().set("other", [4], new Uint8Array(4)))).toThrow(/no weight "other" \(has: only\/w\)/);
    expect(() => bindMasks([w], new MaskSet().set("only/w", [3], new Uint8Array(3)))).toThrow(/mask has 3 entries/);
    w.dispose();
  });
});
