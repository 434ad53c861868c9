import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { initEngine } from "@dcnpi/engine";
import { Rng } from "@dcnpi/tensor";
import { readModelWeights, writeModelWeights } from "@dcnpi/tensor/tfjs";
import { compress } from "./compress.js";
import { distillationTrain, looksLikeProbabilities } from "./distill.js";
import { layersModelPredictor } from "./layers-predictor.js";
import type { CompressionPlanInput } from "./plan.js";
import { mnistBatch, trainedLenet300100 } from "./test-mnist-model.js";
import { compareTop1, predictAll, top1Classes } from "./top1-metric.js";

// The engine's wasm backend with the dcnpi training kernels: cpu takes minutes to train even this MLP.
beforeAll(async () => {
  await initEngine({ log: () => {} });
});

/** Far past what one-shot pruning survives: 3% of ip1, 5% of ip2, 4-bit codes. */
const plan: CompressionPlanInput = {
  version: 1,
  rules: [
    { match: { role: "bias" }, store: "dense" },
    { match: { name: "ip1/kernel" }, store: "compressed", prune: { keepFraction: 0.03 }, weightBits: 4, indexBits: 5 },
    { match: { name: "ip2/kernel" }, store: "compressed", prune: { keepFraction: 0.05 }, weightBits: 4, indexBits: 5 },
    { match: { name: "ip3/kernel" }, store: "compressed", prune: { keepFraction: 0.3 }, weightBits: 4, indexBits: 5 },
  ],
  retrain: { pruneIterations: 2, epochsPerPruneIteration: 1, quantizeEpochs: 1 },
};

describe("distillationTrain", () => {
  it("recovers agreement on unseen digits from 500 unlabeled inputs, where one-shot compression loses it", async () => {
    const model = await trainedLenet300100();
    const original = readModelWeights(model);
    const predict = layersModelPredictor(model, [784]);
    const train = mnistBatch(0, 500);
    const check = mnistBatch(500, 500, true);
    const teacher = await predictAll(predict, train);
    expect(looksLikeProbabilities(teacher.scores, teacher.classes)).toBe(true);
    const reference = top1Classes((await predictAll(predict, check)).scores, check.count);
    const measure = async () => compareTop1(top1Classes((await predictAll(predict, check)).scores, check.count), reference, check.labels);

    await compress(model, plan, { rng: Rng.fromSeed(2) });
    const oneShot = await measure();
    writeModelWeights(model, original);
    const tensorsBefore = tf.memory().numTensors;
    let steps = 0;
    const { report } = await compress(model, plan, {
      rng: Rng.fromSeed(2),
      train: distillationTrain({ inputs: train, teacherScores: teacher.scores, examplesPerEpoch: 3200, onStep: () => steps++ }),
    });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const distilled = await measure();
    expect(report.retrained).toBe(true);
    expect(steps).toBe(3 * 50);
    expect(distilled.agreement).toBeGreaterThan(oneShot.agreement + 0.1);
    expect(distilled.accuracy!).toBeGreaterThan(oneShot.accuracy! + 0.1);
    model.dispose();
  }, 600_000);

  it("takes fewer inputs per step when they are big (13 photos of 224x224x3; 64 of them overflowed the wasm heap)", async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [224, 224, 3], filters: 8, kernelSize: 1, name: "mix" }),
        tfl.layers.globalAveragePooling2d({}),
        tfl.layers.dense({ units: 3, activation: "softmax", name: "out" }),
      ],
    });
    const count = 30;
    const inputs = { count, shape: [224, 224, 3], data: Rng.fromSeed(5).fillUniform(new Float32Array(count * 224 * 224 * 3), 0, 1) };
    const teacher = await predictAll(layersModelPredictor(model, [224, 224, 3]), inputs);
    const sizes: number[] = [];
    const tiny: CompressionPlanInput = {
      version: 1,
      rules: [{ match: { role: "kernel" }, store: "compressed", weightBits: 2 }],
      retrain: { pruneIterations: 1, epochsPerPruneIteration: 0, quantizeEpochs: 1 },
    };
    await compress(model, tiny, {
      rng: Rng.fromSeed(5),
      train: distillationTrain({ inputs, teacherScores: teacher.scores, examplesPerEpoch: 26, onStep: (step, steps) => sizes.push(steps) }),
    });
    expect(sizes.length).toBe(2); // 26 examples in steps of 13
    expect(sizes[0]).toBe(2);
    model.dispose();
  }, 600_000);

  it("with mixup, the original (a separate copy) labels the mixed inputs it trains on; seeded, so the same bytes twice", async () => {
    const model = await trainedLenet300100();
    const teacherModel = await trainedLenet300100();
    const original = readModelWeights(model);
    const predict = layersModelPredictor(model, [784]);
    const train = mnistBatch(0, 500);
    const check = mnistBatch(500, 500, true);
    const teacher = await predictAll(predict, train);
    const reference = top1Classes((await predictAll(predict, check)).scores, check.count);
    const measure = async () => compareTop1(top1Classes((await predictAll(predict, check)).scores, check.count), reference, check.labels);
    await compress(model, plan, { rng: Rng.fromSeed(2) });
    const oneShot = await measure();
    const teacherPredict = layersModelPredictor(teacherModel, [784]);
    const seen: Float32Array[] = [];
    const run = async () => {
      writeModelWeights(model, original);
      return compress(model, plan, {
        rng: Rng.fromSeed(2),
        train: distillationTrain({
          inputs: train,
          teacherScores: teacher.scores,
          examplesPerEpoch: 3200,
          mixup: {
            teacher: (inputs, count) => {
              if (seen.length < 3) seen.push(inputs.slice(0, 784));
              return teacherPredict(inputs, count);
            },
          },
        }),
      });
    };
    const first = await run();
    const distilled = await measure();
    const second = await run();
    expect(Buffer.from(second.bytes!).equals(Buffer.from(first.bytes!))).toBe(true);
    // The teacher saw mixtures: no row it labelled is one of the 500 inputs.
    for (const row of seen) {
      const isInput = Array.from({ length: train.count }, (_, i) => i).some((i) =>
        train.data.subarray(i * 784, i * 784 + 784).every((v, k) => v === row[k]),
      );
      expect(isInput).toBe(false);
    }
    expect(distilled.agreement).toBeGreaterThan(oneShot.agreement + 0.1);
    model.dispose();
    teacherModel.dispose();
  }, 600_000);
});
