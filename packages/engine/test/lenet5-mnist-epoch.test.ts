import { loadMnist } from "@dcnpi/datasets";
import { buildLenet5, evaluateClassifier, trainClassifier } from "@dcnpi/model-zoo";
import { Rng } from "@dcnpi/tensor";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { initEngine } from "../src/index.js";

/**
 * The engine's end-to-end promise: one epoch of the Caffe LeNet-5 on the real 60k MNIST training set
 * (batch 64, SGD + momentum) through the default engine reaches at least 97% test accuracy. About
 * 1-2 minutes on wasm with the dcnpi kernels. On the cpu backend the same epoch takes about six
 * hours, so there the test fails at once and says so instead of running.
 */
describe("one epoch of LeNet-5 on MNIST through the default engine", () => {
  it("reaches >= 97% test accuracy", { timeout: 15 * 60_000 }, async () => {
    const engine = await initEngine();
    if (engine.backend === "cpu") {
      throw new Error(
        "the default engine chose the pure-JS cpu backend (DCNPI_BACKEND=cpu, or wasm failed to load): " +
          "one LeNet-5 epoch would take about 6 hours there, so this test refuses to run",
      );
    }
    const train = loadMnist({ split: "train" });
    const test = loadMnist({ split: "test" });
    const rng = Rng.fromSeed("engine/lenet5-one-epoch");
    const model = buildLenet5(rng.fork("weights"));
    const tensorCounts: number[] = [];
    const started = Date.now();
    const result = await trainClassifier(model, train, {
      epochs: 1,
      batchSize: 64,
      learningRate: 0.01,
      momentum: 0.9,
      rng: rng.fork("shuffle"),
      onProgress: () => void tensorCounts.push(tf.memory().numTensors),
    });
    const seconds = (Date.now() - started) / 1000;
    const evaluation = evaluateClassifier(model, test);
    console.log(
      `LeNet-5, 1 epoch on ${engine.backend}${engine.wasmKernels !== null ? ` (${engine.wasmKernels} dcnpi kernels)` : ""}: ` +
        `${seconds.toFixed(1)} s, train loss ${result.epochs[0]!.meanLoss.toFixed(4)}, ` +
        `test accuracy ${(evaluation.accuracy * 100).toFixed(2)}%, test loss ${evaluation.loss.toFixed(4)}`,
    );
    expect(result.steps).toBe(938);
    expect(evaluation.count).toBe(10_000);
    expect(evaluation.accuracy).toBeGreaterThanOrEqual(0.97);
    // No leak: after the first steps (which create the optimizer state) the tensor count is flat.
    expect(Math.max(...tensorCounts.slice(2))).toBe(Math.min(...tensorCounts.slice(2)));
    model.dispose();
  });
});
