import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { MaskSet } from "@dcnpi/pruning";
import { dequantize } from "@dcnpi/quantization";
import { Rng } from "@dcnpi/tensor";
import { fineTuneCentroids } from "./fine-tune-centroids.js";
import { quantize } from "./quantize.js";
import { stageTestNet } from "./stage-test-net.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe("fineTuneCentroids (stage 2b, alone)", () => {
  it("moves only the shared centroids: codes fixed, the pruned zero fixed, the weights codebook[codes]; the loss falls", async () => {
    const net = stageTestNet(41);
    const mask = Uint8Array.from(net.w1.dataSync(), (v) => (Math.abs(v) > 0.3 ? 1 : 0));
    const { quantized } = quantize(net.target, new Map([["hidden/kernel", { weightBits: 2 }]]), {
      masks: new MaskSet().set("hidden/kernel", [6, 24], mask),
    });
    const lossBefore = tf.tidy(() => net.loss().dataSync()[0]!);
    const before = tf.memory().numTensors;
    const seen: string[] = [];
    const tuned = await fineTuneCentroids(net.target, quantized, {
      rng: Rng.fromSeed(4),
      epochs: 30,
      learningRate: 0.05,
      train: async (_target, context) => {
        seen.push(`${context.stage} ${context.epochs} ${context.learningRate}`);
        const optimizer = tf.train.sgd(context.learningRate!);
        for (let i = 0; i < context.epochs; i++) context.minimize(optimizer, net.loss);
        optimizer.dispose();
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(tuned.trained).toBe(true);
    expect(seen).toEqual(["quantize 30 0.05"]);
    const q = tuned.quantized.get("hidden/kernel")!;
    expect(Array.from(q.codes)).toEqual(Array.from(quantized.get("hidden/kernel")!.codes));
    expect(q.codebook[0]).toBe(0);
    expect(bits(q.codebook)).not.toEqual(bits(quantized.get("hidden/kernel")!.codebook));
    expect(bits(net.w1.dataSync() as Float32Array)).toEqual(bits(dequantize(q)));
    expect(tf.tidy(() => net.loss().dataSync()[0]!)).toBeLessThan(lossBefore);
    net.dispose();
  });

  it("without a training function returns the codebooks unchanged and says it did not train", async () => {
    const net = stageTestNet(42);
    const { quantized } = quantize(net.target, new Map([["output/kernel", { weightBits: 3 }]]));
    const tuned = await fineTuneCentroids(net.target, quantized, { rng: Rng.fromSeed(5), epochs: 3 });
    expect(tuned.trained).toBe(false);
    expect(bits(tuned.quantized.get("output/kernel")!.codebook)).toEqual(bits(quantized.get("output/kernel")!.codebook));
    net.dispose();
  });
});
