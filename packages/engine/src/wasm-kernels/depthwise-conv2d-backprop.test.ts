import * as tf from "@tensorflow/tfjs-core";
import { describe, it } from "vitest";
import { expectSameOnBothBackends, randomTensor } from "../../test/compare-backends.js";

describe("DepthwiseConv2dNativeBackpropFilter / BackpropInput on wasm", () => {
  const cases: {
    x: [number, number, number, number];
    filter: [number, number, number, number];
    strides: number | [number, number];
    pad: "valid" | "same";
  }[] = [
    { x: [2, 8, 8, 3], filter: [3, 3, 3, 1], strides: 1, pad: "same" },
    { x: [3, 9, 7, 4], filter: [3, 2, 4, 2], strides: 2, pad: "valid" },
    { x: [1, 10, 10, 2], filter: [5, 5, 2, 3], strides: [2, 1], pad: "same" },
  ];
  for (const c of cases) {
    it(`gradients of depthwiseConv2d x [${c.x}] filter [${c.filter}] strides ${JSON.stringify(c.strides)} ${c.pad}`, async () => {
      await expectSameOnBothBackends(() => {
        const x = randomTensor(`dx${c.x}`, c.x);
        const filter = randomTensor(`df${c.filter}`, c.filter);
        const probe = tf.tidy(() => tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, c.strides, c.pad));
        const weights = randomTensor(`dy${probe.shape}`, probe.shape);
        return tf.grads((xx: tf.Tensor, ff: tf.Tensor) =>
          tf.sum(tf.mul(tf.depthwiseConv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.strides, c.pad), weights)),
        )([x, filter]);
      });
    });
  }
});
