import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { expectSameOnBothBackends, randomTensor } from "../../test/compare-backends.js";

describe("Sum on wasm", () => {
  it("over leading axes (bias gradients), with keepDims, and the cases left to the stock kernel", async () => {
    const results = await expectSameOnBothBackends(() => {
      const x = randomTensor("s", [6, 5, 4, 7]);
      return [
        tf.sum(x, [0, 1, 2]),
        tf.sum(x, [0]),
        tf.sum(x, [1, 0], true),
        tf.sum(x, [2, 3]),
        tf.sum(x),
        tf.sum(x, [0, 2]),
        tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], "int32"), 0),
      ];
    });
    expect(results.map((r) => r.shape)).toEqual([[7], [5, 4, 7], [1, 1, 4, 7], [6, 5], [], [5, 7], [2]]);
  });

  it("the bias gradient of a conv layer", async () => {
    await expectSameOnBothBackends(() => {
      const bias = randomTensor("b", [20]);
      const y = randomTensor("y", [16, 12, 12, 20]);
      return tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.add(y, b), y)))(bias);
    });
  });
});
