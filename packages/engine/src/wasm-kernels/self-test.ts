import * as tf from "@tensorflow/tfjs-core";
import { EngineError } from "../errors.js";

/**
 * A quick check, run right after our kernels are registered, that they compute known answers on
 * the live backend (a broken SIMD module or a tfjs upgrade that changed a kernel contract shows up
 * here instead of as a silently wrong model). Each case is small enough to check by hand; the
 * expected values are written out below.
 */
interface Case {
  readonly name: string;
  readonly run: () => tf.Tensor;
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

const run = (kernel: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}) =>
  tf.engine().runKernel(kernel, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

// Kernels are called directly (not through tf.grad), so the check does not depend on which
// gradient functions happen to be registered.
const CASES: readonly Case[] = [
  {
    // d/dW sum(conv2d(x, W)) with dy = 1: the sums of each 2x2 window of x = 1..9.
    name: "Conv2DBackpropFilter",
    run: () =>
      run(
        "Conv2DBackpropFilter",
        { x: tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), dy: tf.ones([1, 2, 2, 1]) },
        { strides: 1, pad: "valid", dataFormat: "NHWC", filterShape: [2, 2, 1, 1] },
      ),
    shape: [2, 2, 1, 1],
    values: [12, 16, 24, 28],
  },
  {
    // d/dx sum(conv2d(x, W)) with dy = 1: each input pixel collects the taps whose windows cover it.
    name: "Conv2DBackpropInput",
    run: () =>
      run(
        "Conv2DBackpropInput",
        { dy: tf.ones([1, 2, 2, 1]), filter: tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]) },
        { strides: 1, pad: "valid", dataFormat: "NHWC", inputShape: [1, 3, 3, 1] },
      ),
    shape: [1, 3, 3, 1],
    values: [1, 3, 2, 4, 10, 6, 3, 7, 4],
  },
  {
    // The forward pass over the same input: each output is the dot product of a window with W.
    name: "FusedConv2D (bias, relu)",
    run: () =>
      tf.fused.conv2d({
        x: tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]),
        filter: tf.tensor4d([1, 0, 0, 2], [2, 2, 1, 1]),
        strides: 1,
        pad: "valid",
        bias: tf.tensor1d([-12]),
        activation: "relu",
      }),
    // windows . W = 11, 14, 20, 23; minus 12; relu
    shape: [1, 2, 2, 1],
    values: [0, 2, 8, 11],
  },
  {
    name: "Conv2D",
    run: () => tf.conv2d(tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]), 1, "valid"),
    shape: [1, 2, 2, 1],
    values: [37, 47, 67, 77],
  },
  {
    name: "BatchMatMul (transposeA)",
    run: () => tf.matMul(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor2d([1, 2, 3, 4], [2, 2]), true, false),
    shape: [3, 2],
    values: [13, 18, 17, 24, 21, 30],
  },
  {
    // relu([[1,2,3],[4,5,6]] @ [[1,0,-1],[0,1,0]]^T + [1,-1]) = relu([[-1,1],[-1,4]]).
    name: "_FusedMatMul (transposeB, bias, relu)",
    run: () =>
      tf.fused.matMul({
        a: tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]),
        b: tf.tensor2d([1, 0, -1, 0, 1, 0], [2, 3]),
        transposeB: true,
        bias: tf.tensor1d([1, -1]),
        activation: "relu",
      }),
    shape: [2, 2],
    values: [0, 1, 0, 4],
  },
  {
    // A window of ties sends its gradient to the first position only.
    name: "MaxPoolGrad",
    run: () =>
      run(
        "MaxPoolGrad",
        { dy: tf.ones([1, 1, 1, 1]), input: tf.ones([1, 2, 2, 1]), output: tf.ones([1, 1, 1, 1]) },
        { filterSize: 2, strides: 2, pad: "valid" },
      ),
    shape: [1, 2, 2, 1],
    values: [1, 0, 0, 0],
  },
  {
    // Id -1 is dropped.
    name: "UnsortedSegmentSum",
    run: () => tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([0, -1, 0, 1], "int32"), 2),
    shape: [2],
    values: [4, 4],
  },
  {
    // Column sums: the bias-gradient reduction.
    name: "Sum (leading axes)",
    run: () => tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), 0),
    shape: [2],
    values: [9, 12],
  },
  {
    // A float32 one-hot (stock wasm writes the int32 bits of 1 here); id -1 gives an all-off row.
    name: "OneHot (float32)",
    run: () => tf.oneHot(tf.tensor1d([2, -1, 0], "int32"), 3, 5, -1, "float32"),
    shape: [3, 3],
    values: [-1, -1, 5, -1, -1, -1, 5, -1, -1],
  },
];

/** Runs the cases whose kernel names are in `kernels`; throws SELF_TEST_FAILED on the first mismatch. */
export function selfTestWasmKernels(kernels: readonly string[]): void {
  const registered = new Set(kernels);
  for (const c of CASES) {
    const kernel = c.name.split(" ")[0]!;
    if (!registered.has(kernel)) continue;
    let shape: number[];
    let values: Float32Array | Int32Array | Uint8Array;
    try {
      const result = tf.tidy(c.run);
      shape = result.shape;
      values = result.dataSync() as Float32Array;
      result.dispose();
    } catch (error) {
      throw new EngineError("SELF_TEST_FAILED", `wasm kernel self-test ${c.name} threw: ${(error as Error).message}`);
    }
    const sameShape = shape.length === c.shape.length && shape.every((d, i) => d === c.shape[i]);
    const sameValues =
      values.length === c.values.length && c.values.every((v, i) => Math.abs(values[i]! - v) <= 1e-5 * Math.max(1, Math.abs(v)));
    if (!sameShape || !sameValues) {
      throw new EngineError(
        "SELF_TEST_FAILED",
        `wasm kernel self-test ${c.name}: expected shape [${c.shape.join(",")}] values [${c.values.join(", ")}], ` +
          `got shape [${shape.join(",")}] values [${Array.from(values).join(", ")}]`,
      );
    }
  }
}
