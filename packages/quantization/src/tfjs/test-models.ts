// A tiny model and data for the tfjs tests (not exported from the package).
import { Rng } from "@dcnpi/tensor";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

/** Conv2D + Dense on 8x8 images. */
export function convModel(): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(
    tfl.layers.conv2d({
      inputShape: [8, 8, 1],
      filters: 4,
      kernelSize: 3,
      activation: "relu",
      name: "conv",
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(tfl.layers.flatten());
  model.add(
    tfl.layers.dense({ units: 16, activation: "relu", name: "fc1", kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
  );
  model.add(
    tfl.layers.dense({ units: 3, activation: "softmax", name: "fc2", kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
  );
  return model;
}

export function convData(count: number, seed: string): { x: tf.Tensor; y: tf.Tensor } {
  const rng = Rng.fromSeed(seed);
  const pixels = rng.fillNormal(new Float32Array(count * 64));
  const labels = Int32Array.from({ length: count }, (_, i) =>
    pixels[i * 64 + 10]! + pixels[i * 64 + 27]! > 0 ? 1 : pixels[i * 64 + 45]! > 0 ? 2 : 0,
  );
  return tf.tidy(() => ({ x: tf.tensor4d(pixels, [count, 8, 8, 1]), y: tf.oneHot(tf.tensor1d(labels, "int32"), 3) }));
}
