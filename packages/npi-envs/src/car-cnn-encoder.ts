import * as tf from "@tensorflow/tfjs-core";
import type { EncoderSpec } from "@dcnpi/npi-core";
import { NpiEnvError } from "./errors.js";

/** Sizes of the car task's CNN encoder (all ours: the paper gives no channel counts or widths). */
export interface CarCnnOptions {
  /** Side of the square image in pixels (divisible by 8: three stride-2 stages). */
  readonly imageSize: number;
  /** Length of the non-image tail of an observation (the target-pose pad). */
  readonly padSize: number;
  /** Output channels of the three stride-2 convolutions (ours: 16, 32, 32). */
  readonly channels?: readonly [number, number, number];
  /** Width of the hidden ReLU layer of the MLP after the CNN (ours: 128). */
  readonly hiddenSize?: number;
}

/**
 * The car task's state encoder (paper eq. 11, §4.1): a CNN over the rendered image, its features
 * concatenated with the target-pose pad and the one-hot arguments, then an MLP to the state size.
 *
 * The paper's CNN has "three rounds of stride-2 convolution + pooling"; ours is three 3×3 convolutions
 * with stride 2 and ReLU (no separate pooling: the stride does the downsampling, and max-pool
 * gradients are one more kernel the wasm backend would have to run). Trained from scratch with the
 * rest of the model, as in the paper.
 *
 * The observation is one flat vector: `imageSize² × 3` pixel values in [0, 1] (row-major, r g b),
 * then `padSize` pad values. Keeping it flat lets the core's observation pool store it like any other.
 */
export function carCnnEncoder(options: CarCnnOptions): EncoderSpec {
  const { imageSize, padSize } = options;
  if (!Number.isInteger(imageSize) || imageSize < 8 || imageSize % 8 !== 0) {
    throw new NpiEnvError("INVALID_OPTION", `car CNN encoder: imageSize must be a multiple of 8, got ${imageSize}`);
  }
  if (!Number.isInteger(padSize) || padSize < 0) {
    throw new NpiEnvError("INVALID_OPTION", `car CNN encoder: padSize must be a non-negative integer, got ${padSize}`);
  }
  const channels = options.channels ?? [16, 32, 32];
  const hiddenSize = options.hiddenSize ?? 128;
  if (channels.length !== 3 || channels.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new NpiEnvError("INVALID_OPTION", `car CNN encoder: channels must be three positive integers, got ${JSON.stringify(channels)}`);
  }
  const pixels = imageSize * imageSize * 3;
  return {
    kind: "custom",
    create(context) {
      const expected = pixels + padSize;
      const observed = context.observationShape.reduce((a, b) => a * b, 1);
      if (observed !== expected) {
        const layout = `${imageSize}×${imageSize}×3 + ${padSize}`;
        throw new NpiEnvError("SHAPE_MISMATCH", `car CNN encoder: observations of ${observed} values, expected ${layout} = ${expected}`);
      }
      const convs = channels.map((out, i) => {
        const inChannels = i === 0 ? 3 : channels[i - 1]!;
        // He-uniform: fan-in of a 3×3 convolution is 9 × input channels.
        const kernel = context.parameter(
          `conv${i}/kernel`,
          [3, 3, inChannels, out],
          { uniform: Math.sqrt(6 / (9 * inChannels)) },
          { layerClass: "Conv2D", role: "kernel" },
        );
        const bias = context.parameter(`conv${i}/bias`, [out], "zeros", { layerClass: "Conv2D", role: "bias" });
        return { kernel, bias };
      });
      const featureSize = (imageSize / 8) * (imageSize / 8) * channels[2]!;
      const inputSize = featureSize + padSize + 3 * context.argumentDepth;
      const hidden = {
        kernel: context.parameter(
          "hidden/kernel",
          [inputSize, hiddenSize],
          { uniform: Math.sqrt(6 / inputSize) },
          { layerClass: "Dense", role: "kernel" },
        ),
        bias: context.parameter("hidden/bias", [hiddenSize], "zeros", { layerClass: "Dense", role: "bias" }),
      };
      const output = {
        kernel: context.parameter(
          "output/kernel",
          [hiddenSize, context.outputSize],
          { uniform: Math.sqrt(3 / hiddenSize) },
          { layerClass: "Dense", role: "kernel" },
        ),
        bias: context.parameter("output/bias", [context.outputSize], "zeros", { layerClass: "Dense", role: "bias" }),
      };
      return {
        encode(observations, args) {
          const rows = observations.shape[0]!;
          const flat = tf.reshape(observations, [rows, expected]) as tf.Tensor2D;
          let x = tf.reshape(tf.slice(flat, [0, 0], [rows, pixels]), [rows, imageSize, imageSize, 3]) as tf.Tensor4D;
          for (const conv of convs) x = tf.relu(tf.add(tf.conv2d(x, conv.kernel as tf.Tensor4D, 2, "same"), conv.bias)) as tf.Tensor4D;
          const parts: tf.Tensor2D[] = [tf.reshape(x, [rows, featureSize]) as tf.Tensor2D];
          if (padSize > 0) parts.push(tf.slice(flat, [0, pixels], [rows, padSize]));
          parts.push(context.encodeArguments(args));
          const h = tf.relu(context.linear(tf.concat(parts, 1) as tf.Tensor2D, hidden.kernel, hidden.bias));
          return context.linear(h, output.kernel, output.bias);
        },
      };
    },
  };
}
