import { loadMnist } from "@dcnpi/datasets";
import { Rng } from "@dcnpi/tensor";
import "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { ModelZooError } from "./errors.js";
import { evaluateClassifier } from "./evaluate-classifier.js";
import { buildLenet300100, buildLenet5 } from "./lenet.js";
import { trainClassifier } from "./train-classifier.js";

// Stock wasm is enough for LeNet-300-100 (no convolution gradients involved).
beforeAll(async () => {
  await tf.setBackend("wasm");
});

const train = loadMnist({ split: "train", limit: 6000 });
const test = loadMnist({ split: "test", limit: 2000 });

describe("trainClassifier + evaluateClassifier on real MNIST", () => {
  it("one pass over 6000 training digits takes LeNet-300-100 from chance to > 80% test accuracy", async () => {
    const model = buildLenet300100(Rng.fromSeed("zoo-test"));
    const before = evaluateClassifier(model, test, { batchSize: 500 });
    expect(before.accuracy).toBeLessThan(0.25);
    const counts: number[] = [];
    const result = await trainClassifier(model, train, {
      epochs: 1,
      batchSize: 64,
      rng: Rng.fromSeed("zoo-shuffle"),
      onProgress: () => void counts.push(tf.memory().numTensors),
    });
    expect(result.steps).toBe(Math.ceil(6000 / 64));
    const after = evaluateClassifier(model, test, { batchSize: 500 });
    expect(after.count).toBe(2000);
    expect(after.accuracy).toBeGreaterThan(0.8);
    expect(after.errorRate).toBeCloseTo(1 - after.accuracy, 12);
    expect(after.loss).toBeLessThan(before.loss);
    expect(result.epochs[0]!.meanLoss).toBeLessThan(before.loss);
    // After the first step has created the optimizer state, no step leaves a tensor behind.
    expect(Math.max(...counts.slice(1))).toBe(Math.min(...counts.slice(1)));
    const evaluated = tf.memory().numTensors;
    evaluateClassifier(model, test);
    expect(tf.memory().numTensors).toBe(evaluated);
    model.dispose();
  });

  it("is deterministic: the same seeds give the same losses, batch by batch", async () => {
    const run = async () => {
      const losses: number[] = [];
      const model = buildLenet300100(Rng.fromSeed("zoo-det"));
      const small = { count: 640, images: train.images.subarray(0, 640 * 784), labels: train.labels.subarray(0, 640) };
      await trainClassifier(model, small, {
        epochs: 2,
        batchSize: 64,
        rng: Rng.fromSeed("zoo-det-shuffle"),
        onProgress: (p) => losses.push(p.loss),
      });
      model.dispose();
      return losses;
    };
    const first = await run();
    expect(first).toHaveLength(20);
    expect(await run()).toEqual(first);
  });

  it("checks its inputs", async () => {
    const model = buildLenet5(Rng.fromSeed(1));
    const wrong = { count: 10, images: new Float32Array(10 * 100), labels: new Uint8Array(10) };
    expect(() => evaluateClassifier(model, wrong)).toThrow(ModelZooError);
    expect(() => evaluateClassifier(model, wrong)).toThrow(/takes \[28,28,1\] per example \(784 floats\)/);
    await expect(trainClassifier(model, train, { epochs: 1, batchSize: 0, rng: Rng.fromSeed(1) })).rejects.toMatchObject({
      code: "INVALID_OPTION",
    });
    model.dispose();
  });
});
