import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { expectSameOnBothBackends, randomTensor } from "../../test/compare-backends.js";
import { simplifyPermutation } from "./transpose.js";

describe("Transpose on wasm", () => {
  it("2-D, batched 2-D, 4-D and 5-D permutations, size-1 axes, int32", async () => {
    await expectSameOnBothBackends(() => [
      tf.transpose(randomTensor("t1", [37, 65])),
      tf.transpose(randomTensor("t2", [3, 33, 40]), [0, 2, 1]),
      tf.transpose(randomTensor("t3", [2, 3, 4, 5]), [3, 1, 0, 2]),
      tf.transpose(randomTensor("t4", [2, 1, 3, 1, 4]), [4, 3, 2, 0, 1]),
      tf.transpose(randomTensor("t5", [2, 3, 4, 5, 6]), [1, 2, 0, 4, 3]),
      tf.transpose(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2], "int32"), [2, 0, 1]),
      tf.transpose(randomTensor("t6", [1, 1, 1])),
    ]);
  });

  it("merges axes that stay adjacent and drops size-1 axes", () => {
    expect(simplifyPermutation([2, 3, 4], [1, 2, 0])).toEqual([[2, 12], [1, 0]]);
    expect(simplifyPermutation([2, 3, 4], [0, 2, 1])).toEqual([[2, 3, 4], [0, 2, 1]]);
    expect(simplifyPermutation([1, 5, 1, 3], [3, 1, 0, 2])).toEqual([[5, 3], [1, 0]]);
    expect(simplifyPermutation([4, 1, 5], [0, 1, 2])).toEqual([[20], [0]]);
  });
});
