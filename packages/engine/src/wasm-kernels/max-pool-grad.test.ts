import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { expectClose, expectSameOnBothBackends, onBothBackends, randomTensor } from "../../test/compare-backends.js";

const poolGrad = (
  x: tf.Tensor,
  size: number | [number, number],
  strides: number | [number, number],
  pad: "valid" | "same",
  dyLabel: string,
) => {
  const probe = tf.tidy(() => tf.maxPool(x as tf.Tensor4D, size, strides, pad));
  const weights = randomTensor(dyLabel, probe.shape);
  probe.dispose();
  return tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, size, strides, pad), weights)))(x);
};

describe("MaxPoolGrad on wasm", () => {
  it("2x2/2 valid (LeNet-5), 3x3/2 overlapping windows, same padding, rectangular", async () => {
    await expectSameOnBothBackends(() => [
      poolGrad(randomTensor("p1", [4, 24, 24, 20]), 2, 2, "valid", "d1"),
      poolGrad(randomTensor("p2", [2, 9, 9, 3]), 3, 2, "valid", "d2"),
      poolGrad(randomTensor("p3", [2, 7, 6, 5]), 3, 2, "same", "d3"),
      poolGrad(randomTensor("p4", [3, 8, 9, 2]), [2, 3], [1, 2], "same", "d4"),
    ]);
  });

  it("ties: the gradient goes to the first maximum of each window, like cpu", async () => {
    const { cpu, wasm } = await onBothBackends(() => {
      // Values from {0, 1}: nearly every window has ties.
      const x = tf.tensor4d(
        Array.from({ length: 2 * 6 * 6 * 2 }, (_, i) => ((i * 7) % 5 < 2 ? 1 : 0)),
        [2, 6, 6, 2],
      );
      return [poolGrad(x, 2, 2, "valid", "t1"), poolGrad(x, 3, 1, "same", "t2"), poolGrad(tf.onesLike(x), 2, 2, "valid", "t3")];
    });
    expect(Array.from(wasm[0]!.values)).toEqual(Array.from(cpu[0]!.values));
    // Overlapping windows: same positions, sums equal up to float32 rounding order.
    expect(Array.from(wasm[1]!.values).map((v) => v !== 0)).toEqual(Array.from(cpu[1]!.values).map((v) => v !== 0));
    expectClose([wasm[1]!], [cpu[1]!]);
    // All ones: exactly one position per 2x2 window (the top-left) receives the gradient.
    const flat = Array.from(wasm[2]!.values);
    expect(flat.filter((v) => v !== 0).length).toBe(2 * 3 * 3 * 2);
    expect(flat[0]).not.toBe(0);
    expect(flat[2]).toBe(0);
  });
});
