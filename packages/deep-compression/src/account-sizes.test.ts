import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@dcnpi/tensor";
import { accountSizes } from "./account-sizes.js";
import { compress } from "./compress.js";
import { readTargetWeights } from "./compression-target.js";
import { compressedMetadata } from "./compressed-metadata.js";
import { encode } from "./encode.js";
import { fineTuneCentroids } from "./fine-tune-centroids.js";
import { packContainer } from "./pack-container.js";
import { parsePlan } from "./plan.js";
import { planWeights, pruneTargetsOf } from "./plan-weights.js";
import { prune } from "./prune.js";
import { quantize } from "./quantize.js";
import type { TrainFunction } from "./stage-options.js";
import { stageTestNet, stageTestPlan } from "./stage-test-net.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const trainer =
  (loss: () => tf.Scalar): TrainFunction =>
  async (_target, context) => {
    const optimizer = tf.train.sgd(0.05);
    for (let i = 0; i < context.epochs; i++) context.minimize(optimizer, loss);
    optimizer.dispose();
  };

describe("the stages composed by hand", () => {
  it("write the very bytes compress writes, and accountSizes gives its per-weight report", async () => {
    const reference = stageTestNet(51);
    const expected = await compress(reference.target, stageTestPlan, { rng: Rng.fromSeed(9), train: trainer(reference.loss) });
    reference.dispose();

    const net = stageTestNet(51);
    const rng = Rng.fromSeed(9);
    const train = trainer(net.loss);
    const plan = parsePlan(stageTestPlan);
    const before = tf.memory().numTensors;
    const { compressed, notes } = planWeights(readTargetWeights(net.target), plan);
    const masks = await prune(net.target, pruneTargetsOf(compressed), { rng, train, cycles: 2, epochsPerCycle: 5 });
    const { quantized, kmeans } = quantize(net.target, compressed, { rng: rng.fork("quantize"), masks });
    const tuned = await fineTuneCentroids(net.target, quantized, { rng, train, epochs: 5 });
    const weights = readTargetWeights(net.target);
    const { layers, denseTensors, storedAxes } = encode(weights, tuned.quantized, compressed);
    const pipeline = { metricName: "metric", metrics: [], retrained: true, notes };
    const metadata = compressedMetadata({ weightOrder: weights.names(), plan, storedAxes, pipeline });
    const { bytes, inspection } = await packContainer({ layers, denseTensors, metadata });
    expect(tf.memory().numTensors).toBe(before);
    expect(Buffer.from(bytes!).equals(Buffer.from(expected.bytes!))).toBe(true);

    const sizes = accountSizes(inspection, { names: weights.names(), quantized: tuned.quantized, masks, decisions: compressed, kmeans });
    expect(sizes.layers).toEqual(expected.report.layers);
    expect(sizes.totals).toEqual(expected.report.totals);
    expect(sizes.layers.map((l) => l.store)).toEqual(["sparse", "dense", "quantized"]);
    net.dispose();
  });
});
