/**
 * Pins the exact container bytes and report of `compress` on small seeded models with retraining.
 * Written before the stages were split out of `compress`, so any refactor that changes one bit of
 * the file (a fork label, a stage order, a float sum) fails here rather than in a long repro run.
 */
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops";
import { createHash } from "node:crypto";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@dcnpi/tensor";
import { compress, type CompressResult, type TrainContext } from "./compress.js";
import type { CompressionTarget } from "./compression-target.js";
import { stageTestNet, stageTestPlan } from "./stage-test-net.js";
import { defaultPlan } from "./plan.js";
import { buildConvTestModel, buildSequenceTestModel, randomizeWeights } from "./test-models.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

/** Everything but the timings, which are the only part of a result that may differ between runs. */
function fingerprint(result: CompressResult) {
  const { seconds: _seconds, ...report } = result.report;
  const quantized = [...result.quantized].map(([name, q]) => [name, q.bits, q.masked, Array.from(q.codebook), Array.from(q.codes)]);
  const masks = result.masks.names().map((name) => [name, Array.from(result.masks.get(name)!)]);
  return { bytes: sha256(result.bytes!), report: sha256(JSON.stringify(report)), stages: sha256(JSON.stringify({ quantized, masks })) };
}

async function layersRun(
  build: () => tfl.LayersModel,
  seed: number,
  input: (rng: Rng) => tf.Tensor,
  classes: number,
  planOverride: object = {},
) {
  const model = build();
  randomizeWeights(model, Rng.fromSeed(seed));
  const rng = Rng.fromSeed(seed + 100);
  const xs = input(rng);
  const labels = Int32Array.from({ length: 32 }, () => rng.int(classes));
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), classes).toFloat());
  const train = async (target: CompressionTarget, context: TrainContext) => {
    const m = target as tfl.LayersModel;
    const optimizer = context.wrapOptimizer(tf.train.adam(0.01));
    m.compile({ optimizer, loss: "categoricalCrossentropy" });
    await m.fit(xs, ys, { epochs: context.epochs, batchSize: 16, shuffle: false, verbose: 0 });
    optimizer.dispose();
  };
  const evaluate = async (target: CompressionTarget) =>
    tf.tidy(() => tf.losses.softmaxCrossEntropy(ys, (target as tfl.LayersModel).predict(xs) as tf.Tensor).dataSync()[0]!);
  const plan = { ...defaultPlan, retrain: { pruneIterations: 2, epochsPerPruneIteration: 2, quantizeEpochs: 2 }, ...planOverride };
  const result = await compress(model, plan, { rng: Rng.fromSeed(seed), train, evaluate, metricName: "loss", metadata: { seed } });
  tf.dispose([xs, ys]);
  model.dispose();
  return fingerprint(result);
}

async function variablesRun(seed: number) {
  const { target, loss, dispose } = stageTestNet(seed, "pin");
  const plan = stageTestPlan;
  const result = await compress(target, plan, {
    rng: Rng.fromSeed(seed),
    train: async (_t, context) => {
      const optimizer = tf.train.sgd(0.05);
      const noise = context.rng.float();
      for (let i = 0; i < context.epochs; i++)
        context.minimize(optimizer, () => tf.tidy(() => tf.mul(loss(), 1 + noise * 1e-3)) as tf.Scalar);
      optimizer.dispose();
    },
    evaluate: async () => tf.tidy(() => loss().dataSync()[0]!),
  });
  dispose();
  return fingerprint(result);
}

describe("compress bytes are pinned", () => {
  it("conv model with retraining, caffe index order", async () => {
    const caffe = { rules: defaultPlan.rules.map((r) => (r.store === "compressed" ? { ...r, indexOrder: "caffe" as const } : r)) };
    const print = await layersRun(
      buildConvTestModel,
      11,
      (rng) => tf.tensor4d(rng.fillUniform(new Float32Array(32 * 8 * 8 * 3)), [32, 8, 8, 3]),
      4,
      caffe,
    );
    expect(print).toEqual({
      bytes: "dc68f535cd914f305d87b0c69dd8471cc58fd64483f2bbfeb30f39c11cd7faa8",
      report: "974b9e13dca5ad6be28079fbb4beb7afafb9bcf0c49435525973df0110df4777",
      stages: "a04c1869c68ffb1191063b1fe98a2309c738b98a8fde67e567d97592d6b7d6bc",
    });
  });

  it("sequence model with retraining", async () => {
    const print = await layersRun(
      buildSequenceTestModel,
      12,
      (rng) =>
        tf.tensor2d(
          Int32Array.from({ length: 32 * 5 }, () => rng.int(20)),
          [32, 5],
          "int32",
        ),
      3,
    );
    expect(print).toEqual({
      bytes: "89a86bf49a92975ac05c36b3b01cf78c33b4cdabe60b235430f7a7875ed6e40e",
      report: "fffaf09b3026bb9876bda4b79cc5588f38a8534ee5ceab7d16add6c1251e1d43",
      stages: "3953e4c43ae53aac5ab1024dbadf709def8dc3ebe5d7a47d171b460e0dac74ef",
    });
  });

  it("raw variables with weight names, trained through context.minimize and context.rng", async () => {
    expect(await variablesRun(13)).toEqual({
      bytes: "7e8ed2408f9d4a6521a5c4c234eaeee025075fe51d8fd65c539e334fa9eed6b3",
      report: "e3850dc8d34fd946080aff6e755392e071a60b878c5ac521c325d19d150b0ffe",
      stages: "5ee794a4dd5185ca2b472f3a7d6fc7b4154e95df4110a3c507d5096776d711e1",
    });
  });
});
