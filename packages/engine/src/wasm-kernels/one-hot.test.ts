import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { expectSameOnBothBackends, useBackend } from "../../test/compare-backends.js";

describe("OneHot on wasm", () => {
  it("writes float32 values for a float32 one-hot (stock wasm writes int32 bits), int32 as before, ids out of range give off rows", async () => {
    const results = await expectSameOnBothBackends(() => {
      const ids = tf.tensor2d([0, 3, 9, 1, -1, 10], [2, 3], "int32");
      return [
        tf.oneHot(ids, 10, 1, 0, "float32"),
        tf.oneHot(ids, 4, 2.5, -0.5, "float32"),
        tf.oneHot(ids, 10),
        tf.reshape(tf.oneHot(ids, 10, 1, 0, "float32"), [2, 30]),
      ];
    });
    expect(results.map((r) => r.shape)).toEqual([
      [2, 3, 10],
      [2, 3, 4],
      [2, 3, 10],
      [2, 30],
    ]);
    expect(Array.from(results[0]!.values.slice(0, 10))).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("is needed: stock wasm 4.22 writes the int32 bits of 1 (1.4e-45) into a float32 one-hot", async () => {
    await useBackend("wasm", "none");
    const values = tf.tidy(() => tf.oneHot(tf.tensor1d([1], "int32"), 2, 1, 0, "float32").dataSync());
    expect(values[1]).toBeGreaterThan(0);
    expect(values[1]).toBeLessThan(1e-40);
    await useBackend("wasm", "missing");
    expect(tf.tidy(() => Array.from(tf.oneHot(tf.tensor1d([1], "int32"), 2, 1, 0, "float32").dataSync()))).toEqual([0, 1]);
  });
});
