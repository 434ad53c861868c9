/** A small raw-variables regression net with weight names, for the stage tests. Not exported from the package. */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "@dcnpi/tensor";
import type { VariablesTarget } from "./compression-target.js";

export function stageTestNet(seed: number, prefix = "stage") {
  const rng = Rng.fromSeed(seed);
  const make = (name: string, shape: number[], std: number) =>
    tf.variable(
      tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, std), shape),
      true,
      `${prefix}/${name}#${seed}`,
    );
  const w1 = make("hidden/kernel", [6, 24], 0.4);
  const b1 = make("hidden/bias", [24], 0.1);
  const w2 = make("output/kernel", [24, 2], 0.4);
  const target: VariablesTarget = {
    variables: [w1, b1, w2],
    info: {
      [w1.name]: { layer: "hidden", layerClass: "Dense", role: "kernel" },
      [b1.name]: { layer: "hidden", layerClass: "Dense", role: "bias" },
    },
    names: { [w1.name]: "hidden/kernel", [b1.name]: "hidden/bias", [w2.name]: "output/kernel" },
  };
  const x = tf.tensor2d(rng.fillNormal(new Float32Array(64 * 6)), [64, 6]);
  const y = tf.tidy(() => tf.concat([tf.sum(x, 1, true), tf.neg(tf.slice(x, [0, 0], [64, 1]))], 1));
  const loss = () => tf.tidy(() => tf.losses.meanSquaredError(y, tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2)) as tf.Scalar);
  const dispose = () => tf.dispose([w1, b1, w2, x, y]);
  return { target, w1, b1, w2, loss, dispose };
}

export const stageTestPlan = {
  version: 1 as const,
  rules: [
    { match: { role: "bias" }, store: "dense" as const },
    {
      match: { name: "hidden/*" },
      store: "compressed" as const,
      prune: { keepFraction: 0.4 },
      weightBits: 4,
      indexOrder: "caffe" as const,
    },
    { match: { name: "output/kernel" }, store: "compressed" as const, weightBits: 3 },
  ],
  retrain: { pruneIterations: 2, epochsPerPruneIteration: 5, quantizeEpochs: 5 },
};
