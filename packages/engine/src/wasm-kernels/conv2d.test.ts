import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { expectSameOnBothBackends, randomTensor } from "../../test/compare-backends.js";

describe("Conv2D and FusedConv2D (forward) on wasm", () => {
  const cases: {
    x: [number, number, number, number];
    filter: [number, number, number, number];
    strides: number | [number, number];
    pad: "valid" | "same";
    dilations?: number;
  }[] = [
    { x: [2, 28, 28, 1], filter: [5, 5, 1, 20], strides: 1, pad: "valid" },
    // One channel, odd width: panels of 4 positions straddle output rows and the padding.
    { x: [2, 7, 9, 1], filter: [3, 3, 1, 4], strides: 1, pad: "same" },
    { x: [1, 8, 11, 1], filter: [3, 2, 1, 3], strides: 1, pad: "same", dilations: 2 },
    { x: [2, 9, 7, 1], filter: [3, 3, 1, 2], strides: 2, pad: "valid" },
    { x: [3, 12, 12, 20], filter: [5, 5, 20, 50], strides: 1, pad: "valid" },
    { x: [2, 9, 8, 3], filter: [3, 2, 3, 5], strides: 2, pad: "same" },
    { x: [2, 10, 9, 4], filter: [3, 3, 4, 7], strides: [2, 1], pad: "valid" },
    { x: [1, 11, 11, 2], filter: [3, 3, 2, 9], strides: 1, pad: "same", dilations: 2 },
    { x: [70, 6, 6, 8], filter: [3, 3, 8, 12], strides: 1, pad: "same" },
  ];
  for (const c of cases) {
    it(`conv2d x [${c.x}] filter [${c.filter}] strides ${JSON.stringify(c.strides)} ${c.pad} dilations ${c.dilations ?? 1}`, async () => {
      const [result] = await expectSameOnBothBackends(() =>
        tf.conv2d(
          randomTensor(`x${c.x}`, c.x) as tf.Tensor4D,
          randomTensor(`w${c.filter}`, c.filter) as tf.Tensor4D,
          c.strides,
          c.pad,
          "NHWC",
          c.dilations ?? 1,
        ),
      );
      expect(result!.shape[3]).toBe(c.filter[3]);
    });
  }

  for (const activation of ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu", "prelu"] as const) {
    it(`fused conv2d with bias and ${activation}`, async () => {
      await expectSameOnBothBackends(() =>
        tf.fused.conv2d({
          x: randomTensor("fx", [2, 9, 9, 6], -2, 2) as tf.Tensor4D,
          filter: randomTensor("ff", [3, 3, 6, 11], -2, 2) as tf.Tensor4D,
          strides: 1,
          pad: "same",
          bias: randomTensor("fb", [11]),
          activation,
          ...(activation === "prelu" ? { preluActivationWeights: randomTensor("fp", [11], 0, 0.5) } : {}),
          ...(activation === "leakyrelu" ? { leakyreluAlpha: 0.25 } : {}),
        }),
      );
    });
  }
});

describe("Identity on wasm", () => {
  it("shares data safely: a clone outlives its source", async () => {
    const [clone] = await expectSameOnBothBackends(() => {
      const source = tf.tensor1d([1, 2, 3]);
      const copy = tf.clone(source);
      source.dispose();
      return tf.add(copy, 1);
    });
    expect(Array.from(clone!.values)).toEqual([2, 3, 4]);
  });
});
