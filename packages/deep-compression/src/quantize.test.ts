import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { MaskSet } from "@dcnpi/pruning";
import { dequantize, quantizeWeights } from "@dcnpi/quantization";
import { Rng } from "@dcnpi/tensor";
import { CompressionError } from "./errors.js";
import { quantize } from "./quantize.js";
import { stageTestNet } from "./stage-test-net.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe("quantize (stage 2a, alone)", () => {
  it("k-means per weight (masked ones on their survivors), the target left holding codebook[codes] exactly", () => {
    const net = stageTestNet(31);
    const dense = Float32Array.from(net.w1.dataSync());
    const mask = Uint8Array.from(dense, (v) => (Math.abs(v) > 0.3 ? 1 : 0));
    const before = tf.memory().numTensors;
    const { quantized, kmeans } = quantize(
      net.target,
      new Map([
        ["output/kernel", { weightBits: 3 }],
        ["hidden/kernel", { weightBits: 4, init: "random" as const }],
      ]),
      {
        rng: Rng.fromSeed(7),
        masks: new MaskSet().set("hidden/kernel", [6, 24], mask),
      },
    );
    expect(tf.memory().numTensors).toBe(before);
    // The target's order, not the specs'.
    expect([...quantized.keys()]).toEqual(["hidden/kernel", "output/kernel"]);
    expect([...kmeans.keys()]).toEqual(["hidden/kernel", "output/kernel"]);
    const hidden = quantized.get("hidden/kernel")!;
    expect(hidden.masked).toBe(true);
    expect(hidden.codebook.length).toBe(16);
    // The rng is forked by weight name: the same codebook as quantizing that weight by hand.
    const byHand = quantizeWeights(dense, {
      bits: 4,
      init: "random",
      mask,
      rng: Rng.fromSeed(7).fork("hidden/kernel"),
      name: "hidden/kernel",
    });
    expect(bits(hidden.codebook)).toEqual(bits(byHand.codebook));
    expect(bits(net.w1.dataSync() as Float32Array)).toEqual(bits(dequantize(hidden)));
    expect(bits(net.w2.dataSync() as Float32Array)).toEqual(bits(dequantize(quantized.get("output/kernel")!)));
    net.dispose();
  });

  it("forks by rngLabel when given, and refuses a weight the target does not have", () => {
    const net = stageTestNet(32);
    const dense = Float32Array.from(net.w2.dataSync());
    const specs = new Map([["output/kernel", { weightBits: 2, init: "random" as const }]]);
    const { quantized } = quantize(net.target, specs, { rng: Rng.fromSeed(8), rngLabel: (name) => `sweep:${name}` });
    const byHand = quantizeWeights(dense, { bits: 2, init: "random", rng: Rng.fromSeed(8).fork("sweep:output/kernel") });
    expect(bits(quantized.get("output/kernel")!.codebook)).toEqual(bits(byHand.codebook));
    expect(() => quantize(net.target, new Map([["nope", { weightBits: 2 }]]))).toThrow(CompressionError);
    net.dispose();
  });

  it("passes a plan's entropyWeight on: entropy-constrained codes (Choi et al., ICLR 2017), exactly as quantizeWeights gives them", () => {
    const net = stageTestNet(33);
    const dense = Float32Array.from(net.w1.dataSync());
    const { quantized, kmeans } = quantize(net.target, new Map([["hidden/kernel", { weightBits: 3, entropyWeight: 0.05 }]]));
    const byHand = quantizeWeights(dense, { bits: 3, entropyWeight: 0.05, name: "hidden/kernel" });
    const ecsq = kmeans.get("hidden/kernel")!.ecsq!;
    expect(ecsq.entropyBits).toBeLessThan(ecsq.kmeansEntropyBits);
    expect([...quantized.get("hidden/kernel")!.codes]).toEqual([...byHand.codes]);
    expect(bits(net.w1.dataSync() as Float32Array)).toEqual(bits(dequantize(byHand)));
    net.dispose();
  });
});
