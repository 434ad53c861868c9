import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@dcnpi/tensor";
import { compress, type TrainContext } from "./compress.js";
import { CompressionError } from "./errors.js";
import { parseCompressedWeights } from "./load-compressed.js";
import type { VariablesTarget } from "./compression-target.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

let created: tf.Variable[] = [];
afterEach(() => {
  tf.dispose(created);
  created = [];
});

/** A two-layer regression net as raw variables whose tfjs names carry a uniqueness suffix (as the NPI's do). */
function rawNet(seed: number, suffix: string) {
  const rng = Rng.fromSeed(seed);
  const make = (name: string, shape: [number, number] | [number], std: number) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const v = tf.variable(tf.tensor(rng.fillNormal(new Float32Array(size), 0, std), shape), true, `net/${name}#${suffix}`);
    created.push(v);
    return v;
  };
  const w1 = make("hidden/kernel", [6, 24], 0.4);
  const b1 = make("hidden/bias", [24], 0.1);
  const w2 = make("output/kernel", [24, 2], 0.4);
  const target: VariablesTarget = {
    variables: [w1, b1, w2],
    info: {
      [w1.name]: { layer: "hidden", layerClass: "Dense", role: "kernel" },
      [b1.name]: { layer: "hidden", layerClass: "Dense", role: "bias" },
      [w2.name]: { layer: "output", layerClass: "Dense", role: "kernel" },
    },
    names: { [w1.name]: "hidden/kernel", [b1.name]: "hidden/bias", [w2.name]: "output/kernel" },
  };
  const x = tf.tensor2d(rng.fillNormal(new Float32Array(64 * 6)), [64, 6]);
  const y = tf.tidy(() => tf.concat([tf.sum(x, 1, true), tf.neg(tf.slice(x, [0, 0], [64, 1]))], 1));
  const loss = () => tf.tidy(() => tf.losses.meanSquaredError(y, tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2)) as tf.Scalar);
  return { target, w1, b1, w2, x, y, loss };
}

const plan = {
  version: 1 as const,
  rules: [
    { match: { role: "bias" }, store: "dense" as const },
    { match: { name: "hidden/*" }, store: "compressed" as const, prune: { keepFraction: 0.4 }, weightBits: 4 },
    { match: { name: "output/kernel" }, store: "compressed" as const, weightBits: 3 },
  ],
  retrain: { pruneIterations: 2, epochsPerPruneIteration: 20, quantizeEpochs: 20 },
};

describe("compress on raw variables with weight names", () => {
  it("uses the names in plans, masks, the report and the file, and trains through context.minimize", async () => {
    const net = rawNet(3, "17");
    const contexts: string[] = [];
    const train = async (_: unknown, context: TrainContext) => {
      contexts.push(`${context.stage}:${context.cycle}`);
      const optimizer = tf.train.adam(0.01);
      for (let step = 0; step < context.epochs; step++) context.minimize(optimizer, net.loss);
      optimizer.dispose();
    };
    const evaluate = async () => tf.tidy(() => net.loss().dataSync()[0]!);
    const { report, bytes, masks, quantized } = await compress(net.target, plan, {
      rng: Rng.fromSeed(1),
      train,
      evaluate,
      metricName: "mse",
    });
    expect(contexts).toEqual(["prune:1", "prune:2", "quantize:1"]);
    expect(report.layers.map((l) => [l.name, l.store])).toEqual([
      ["hidden/kernel", "sparse"],
      ["hidden/bias", "dense"],
      ["output/kernel", "quantized"],
    ]);
    expect(masks.names()).toEqual(["hidden/kernel"]);
    expect([...quantized.keys()].sort()).toEqual(["hidden/kernel", "output/kernel"]);
    // Pruned weights stayed exactly zero through masked retraining and centroid fine-tuning.
    const w1 = net.w1.dataSync();
    masks.get("hidden/kernel")!.forEach((m, i) => m === 0 && expect(Object.is(w1[i], 0)).toBe(true));
    expect(report.layers[0]!.keptCount).toBe(Math.round(0.4 * 144));
    // The file holds the weight names and decodes to exactly what the variables hold.
    const { weights, metadata } = await parseCompressedWeights(bytes!);
    expect(metadata.weightOrder).toEqual(["hidden/kernel", "hidden/bias", "output/kernel"]);
    expect(weights.get("hidden/kernel").data).toEqual(net.w1.dataSync());
    expect(weights.get("hidden/bias").data).toEqual(net.b1.dataSync());
    expect(weights.get("output/kernel").data).toEqual(net.w2.dataSync());
    expect(new Set(net.w2.dataSync()).size).toBeLessThanOrEqual(8);
    tf.dispose([net.x, net.y]);
  });

  it("refuses two variables with the same weight name", async () => {
    const net = rawNet(4, "18");
    const target: VariablesTarget = { ...net.target, names: { [net.w1.name]: "w", [net.w2.name]: "w" } };
    await expect(compress(target, plan, { rng: Rng.fromSeed(1) })).rejects.toThrow(CompressionError);
    await expect(compress(target, plan, { rng: Rng.fromSeed(1) })).rejects.toThrow(/both named "w"/);
    tf.dispose([net.x, net.y]);
  });

  it("without names, weights keep their variable names", async () => {
    const net = rawNet(5, "19");
    const target: VariablesTarget = { variables: net.target.variables, info: net.target.info! };
    const plainPlan = {
      ...plan,
      rules: [
        { match: { role: "bias" }, store: "dense" as const },
        { match: { name: "net/*" }, store: "compressed" as const, weightBits: 4 },
      ],
    };
    const { report } = await compress(target, plainPlan, { rng: Rng.fromSeed(1) });
    expect(report.layers.map((l) => l.name)).toEqual(["net/hidden/kernel#19", "net/hidden/bias#19", "net/output/kernel#19"]);
    tf.dispose([net.x, net.y]);
  });
});
