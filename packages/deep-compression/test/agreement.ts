/** How far a compressed model's outputs are from the original's: top-1 agreement and the worst cosine. */
import * as tf from "@tensorflow/tfjs-core";

export function agreement(
  original: tf.Tensor2D,
  compressed: tf.Tensor2D,
): { top1: number; cosine: number; agreeing: number; count: number } {
  return tf.tidy(() => {
    const agreeing = tf.sum(tf.cast(tf.equal(tf.argMax(original, 1), tf.argMax(compressed, 1)), "int32")).dataSync()[0]!;
    const dot = tf.sum(tf.mul(original, compressed), 1);
    const cosines = tf.div(dot, tf.mul(tf.norm(original, 2, 1), tf.norm(compressed, 2, 1)));
    const count = original.shape[0];
    return { top1: agreeing / count, cosine: tf.min(cosines).dataSync()[0]!, agreeing, count };
  });
}
