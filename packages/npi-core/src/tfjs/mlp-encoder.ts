import * as tf from "@tensorflow/tfjs-core";
import type { Encoder, EncoderContext } from "../encoder-spec.js";

/**
 * The scratch-pad encoder (paper eq. 9-10: "an MLP" over the values under the pointers and the
 * arguments). Ours: arguments one-hot encoded (3 × argumentDepth, `context.encodeArguments`) and appended to the flattened
 * observation, `hiddenSizes` ReLU layers (He-uniform), then a linear layer (LeCun-uniform) to the
 * state size.
 */
export function createMlpEncoder(context: EncoderContext, hiddenSizes: readonly number[]): Encoder {
  const inputSize = context.observationShape.reduce((a, b) => a * b, 1) + 3 * context.argumentDepth;
  const layers: { kernel: tf.Variable; bias: tf.Variable; relu: boolean }[] = [];
  let width = inputSize;
  const sizes = [...hiddenSizes, context.outputSize];
  sizes.forEach((units, i) => {
    const last = i === sizes.length - 1;
    const layer = last ? "output" : `hidden${i}`;
    const kernel = context.parameter(
      `${layer}/kernel`,
      [width, units],
      { uniform: Math.sqrt((last ? 3 : 6) / width) },
      { layerClass: "Dense", role: "kernel" },
    );
    const bias = context.parameter(`${layer}/bias`, [units], "zeros", { layerClass: "Dense", role: "bias" });
    layers.push({ kernel, bias, relu: !last });
    width = units;
  });
  return {
    encode(observations, args) {
      const rows = observations.shape[0]!;
      const flat = tf.reshape(observations, [rows, -1]) as tf.Tensor2D;
      let x = tf.concat([flat, context.encodeArguments(args)], 1) as tf.Tensor2D;
      for (const layer of layers) {
        x = context.linear(x, layer.kernel, layer.bias);
        if (layer.relu) x = tf.relu(x);
      }
      return x;
    },
  };
}
