import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { expectSameOnBothBackends, randomTensor } from "../../test/compare-backends.js";

interface ConvCase {
  readonly x: [number, number, number, number];
  readonly filter: [number, number, number, number];
  readonly strides: number | [number, number];
  readonly pad: "valid" | "same";
}

// Valid and same padding, strides 1, 2 and [2, 1], 1/3/20 input channels, rectangular filters,
// batches > 1, and the two LeNet-5 layers.
const CASES: ConvCase[] = [
  { x: [2, 7, 7, 1], filter: [3, 3, 1, 4], strides: 1, pad: "valid" },
  { x: [3, 9, 8, 3], filter: [3, 2, 3, 5], strides: 2, pad: "same" },
  { x: [2, 10, 9, 20], filter: [5, 3, 20, 6], strides: [2, 1], pad: "valid" },
  { x: [4, 6, 11, 3], filter: [2, 4, 3, 9], strides: [1, 2], pad: "same" },
  { x: [1, 5, 5, 2], filter: [5, 5, 2, 3], strides: 1, pad: "same" },
  { x: [3, 28, 28, 1], filter: [5, 5, 1, 20], strides: 1, pad: "valid" },
  // 9 x 8 x 8 = 576 output positions: more than one block of d(cols) rows and of packed A panels.
  { x: [9, 12, 12, 20], filter: [5, 5, 20, 50], strides: 1, pad: "valid" },
];

const label = (c: ConvCase) => `x [${c.x}] filter [${c.filter}] strides ${JSON.stringify(c.strides)} ${c.pad}`;

describe("Conv2DBackpropFilter and Conv2DBackpropInput on wasm", () => {
  for (const c of CASES) {
    it(`gradients of conv2d: ${label(c)}`, async () => {
      const [dx, dw] = await expectSameOnBothBackends(() => {
        const x = randomTensor(`x${c.x}`, c.x);
        const filter = randomTensor(`w${c.filter}`, c.filter);
        const probe = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, c.strides, c.pad));
        const weights = randomTensor(`y${probe.shape}`, probe.shape);
        return tf.grads((xx: tf.Tensor, ff: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.strides, c.pad), weights)),
        )([x, filter]);
      });
      expect(dx!.shape).toEqual(c.x);
      expect(dw!.shape).toEqual(c.filter);
    });
  }

  it("gradients of a fused conv2d with bias (the tfjs-layers path)", async () => {
    await expectSameOnBothBackends(() => {
      const x = randomTensor("fx", [3, 10, 10, 4]);
      const filter = randomTensor("ff", [3, 3, 4, 6]);
      const bias = randomTensor("fb", [6]);
      return tf.grads((xx: tf.Tensor, ff: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ff as tf.Tensor4D, strides: 1, pad: "same", bias: bb }))),
      )([x, filter, bias]);
    });
  });

  it("conv2dTranspose (whose forward pass is Conv2DBackpropInput)", async () => {
    await expectSameOnBothBackends(() =>
      tf.conv2dTranspose(
        randomTensor("tx", [2, 4, 5, 6]) as tf.Tensor4D,
        randomTensor("tf", [3, 3, 2, 6]) as tf.Tensor4D,
        [2, 8, 10, 2],
        2,
        "same",
      ),
    );
  });
});
