import "@tensorflow/tfjs-backend-cpu";
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { registerChainedOps } from "./tfjs-runtime.js";

describe("registerChainedOps", () => {
  it("adds the chained tensor methods tfjs-layers relies on", async () => {
    registerChainedOps();
    registerChainedOps(); // idempotent
    await tf.setBackend("cpu");
    const x = tf.tensor2d([
      [1, -2],
      [3, -4],
    ]);
    const t = x as unknown as Record<string, (...args: unknown[]) => tf.Tensor>;
    expect(Array.from(t["flatten"]!.call(x).dataSync())).toEqual([1, -2, 3, -4]);
    expect(Array.from(t["abs"]!.call(x).dataSync())).toEqual([1, 2, 3, 4]);
    expect(t["stridedSlice"]!.call(t["flatten"]!.call(x), [0], [4], [3]).shape).toEqual([2]);
    expect(Array.from(t["concat"]!.call(x, x, 0).shape)).toEqual([4, 2]);
    expect(t["toInt"]!.call(x).dtype).toBe("int32");
    x.dispose();
    expect(() => t["flatten"]!.call(x)).toThrow(/disposed/);
  });
});
