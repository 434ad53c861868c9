import type { Rng } from "@dcnpi/tensor";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { ModelZooError } from "./errors.js";
import { glorotUniformValues } from "./glorot-uniform.js";

/** Names of the weighted layers, in order (the paper's names, DC Tables 2 and 3). */
export const LENET_300_100_LAYERS = ["ip1", "ip2", "ip3"] as const;
export const LENET_5_LAYERS = ["conv1", "conv2", "ip1", "ip2"] as const;
/** ip1 width of the wide LeNet-5 (not a paper model; see `buildLenet5`): 2,053,080 parameters. */
export const LENET_5_WIDE_IP1_UNITS = 2500;

export interface Lenet5Options {
  /** Units of ip1 (default 500, the paper's). */
  readonly ip1Units?: number;
}

/**
 * Writes glorot-uniform kernels and zero biases into every layer of `model` that has weights; each
 * kernel is drawn from `rng.fork("<layer>/kernel")`, so a layer's values depend only on the seed and
 * its name. Built with zero initialisers first, the model never touches tfjs's own random state.
 */
export function initializeWeights(model: tfl.LayersModel, rng: Rng): void {
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = tf.tidy(() =>
      layer.weights.map((variable) => {
        const shape = variable.shape.map((d) => d ?? 0);
        const role = variable.originalName.slice(variable.originalName.lastIndexOf("/") + 1);
        if (role === "kernel") return tf.tensor(glorotUniformValues(rng.fork(`${layer.name}/kernel`), shape), shape);
        return tf.zeros(shape);
      }),
    );
    layer.setWeights(values);
    tf.dispose(values);
  }
}

const dense = (name: string, units: number, activation: "relu" | "linear", inputShape?: number[]) =>
  tfl.layers.dense({
    name,
    units,
    activation,
    kernelInitializer: "zeros",
    biasInitializer: "zeros",
    ...(inputShape !== undefined ? { inputShape } : {}),
  });

/**
 * LeNet-300-100 (LWC/DC): 784-300-100-10, ReLU on the hidden layers, softmax output.
 * Input: flat [784] pixels. Weighted layers ip1, ip2, ip3 (266,200 weights + 410 biases).
 */
export function buildLenet300100(rng: Rng): tfl.Sequential {
  const model = tfl.sequential({
    name: "lenet_300_100",
    layers: [
      dense("ip1", 300, "relu", [784]),
      dense("ip2", 100, "relu"),
      dense("ip3", 10, "linear"),
      tfl.layers.activation({ name: "prob", activation: "softmax" }),
    ],
  });
  initializeWeights(model, rng);
  return model;
}

/**
 * The Caffe LeNet-5 of LWC/DC (not LeCun 1998's): conv1 20@5x5 valid, max-pool 2/2, conv2 50@5x5,
 * max-pool 2/2, ip1 500 + ReLU, ip2 10, softmax. No ReLU after the convolutions, no dropout.
 * Input NHWC [28, 28, 1]. Weighted layers conv1, conv2, ip1, ip2 (430,500 weights + 580 biases).
 * Deviation: flattening is NHWC (row, column, channel), Caffe flattens (channel, row, column), so
 * ip1's rows are in another order than a Caffe model's (same set of weights).
 *
 * `ip1Units` widens ip1 (default 500, the paper's). Not a paper model: with 2,500 units
 * (`LENET_5_WIDE_IP1_UNITS`) it has 2,053,080 parameters, a convolutional MNIST classifier of more
 * than 2 M parameters that trains in about an hour on one core (the conv layers stay LeNet-5's), for
 * issue 15's browser benchmark of Deep Compression with retraining.
 */
export function buildLenet5(rng: Rng, options: Lenet5Options = {}): tfl.Sequential {
  const ip1Units = options.ip1Units ?? 500;
  if (!Number.isInteger(ip1Units) || ip1Units < 1 || ip1Units > 1_000_000)
    throw new ModelZooError("INVALID_OPTION", `ip1Units must be an integer in [1, 1000000], got ${ip1Units}`);
  const conv = (name: string, filters: number, inputShape?: number[]) =>
    tfl.layers.conv2d({
      name,
      filters,
      kernelSize: 5,
      strides: 1,
      padding: "valid",
      activation: "linear",
      kernelInitializer: "zeros",
      biasInitializer: "zeros",
      ...(inputShape !== undefined ? { inputShape } : {}),
    });
  const pool = (name: string) => tfl.layers.maxPooling2d({ name, poolSize: 2, strides: 2 });
  const model = tfl.sequential({
    name: ip1Units === 500 ? "lenet5" : `lenet5_ip1_${ip1Units}`,
    layers: [
      conv("conv1", 20, [28, 28, 1]),
      pool("pool1"),
      conv("conv2", 50),
      pool("pool2"),
      tfl.layers.flatten({ name: "flatten" }),
      dense("ip1", ip1Units, "relu"),
      dense("ip2", 10, "linear"),
      tfl.layers.activation({ name: "prob", activation: "softmax" }),
    ],
  });
  initializeWeights(model, rng);
  return model;
}
