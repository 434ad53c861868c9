import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { expectSameOnBothBackends, randomTensor } from "../../test/compare-backends.js";

describe("UnsortedSegmentSum on wasm", () => {
  it("1-D and 2-D values with negative and out-of-range ids dropped", async () => {
    const [oneD, twoD] = await expectSameOnBothBackends(() => [
      tf.unsortedSegmentSum(randomTensor("s1", [8]), tf.tensor1d([0, 2, -1, 2, 3, 0, -5, 1], "int32"), 4),
      tf.unsortedSegmentSum(randomTensor("s2", [6, 3]), tf.tensor1d([1, -1, 1, 0, 4, 0], "int32"), 3),
    ]);
    expect(oneD!.shape).toEqual([4]);
    expect(twoD!.shape).toEqual([3, 3]);
  });

  it("exact values, including int32 data", async () => {
    const [floats, ints] = await expectSameOnBothBackends(() => [
      tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4, 5]), tf.tensor1d([0, -1, 0, 1, 2], "int32"), 2),
      tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], "int32"), tf.tensor1d([1, 1, -1], "int32"), 2),
    ]);
    expect(Array.from(floats!.values)).toEqual([4, 4]);
    expect(Array.from(ints!.values)).toEqual([0, 0, 4, 6]);
  });

  it("the gradient of gather (which is an unsorted segment sum)", async () => {
    await expectSameOnBothBackends(() => {
      const params = randomTensor("g", [7, 4]);
      const indices = tf.tensor1d([3, 0, 3, 6, 1, 3], "int32");
      const weights = randomTensor("gw", [6, 4]);
      return tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, indices), weights)))(params);
    });
  });
});
