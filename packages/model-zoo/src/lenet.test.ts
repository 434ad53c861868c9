import { Rng } from "@dcnpi/tensor";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { ModelZooError } from "./errors.js";
import { buildLenet300100, buildLenet5, LENET_300_100_LAYERS, LENET_5_LAYERS, LENET_5_WIDE_IP1_UNITS } from "./lenet.js";

/** All weights of `model` as one byte string (compared with Buffer.equals: toEqual on 1.7 MB is slow). */
function weightBytes(model: ReturnType<typeof buildLenet5>): Buffer {
  return Buffer.concat(model.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).slice().buffer)));
}

const count = (model: ReturnType<typeof buildLenet5>, role: string) =>
  model.weights
    .filter((w) => w.originalName.endsWith(`/${role}`))
    .reduce((sum, w) => sum + w.shape.reduce((p: number, d) => p * (d ?? 0), 1), 0);

beforeAll(async () => {
  tf.enableProdMode(); // keeps the cpu backend's Node.js banner out of the test log
  await tf.setBackend("wasm");
});

describe("buildLenet300100", () => {
  it("is 784-300-100-10 with ReLU, named ip1/ip2/ip3: 266,200 weights and 410 biases (DC Table 2)", () => {
    const model = buildLenet300100(Rng.fromSeed(1));
    expect(model.inputs[0]!.shape).toEqual([null, 784]);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    expect(model.layers.filter((l) => l.weights.length > 0).map((l) => l.name)).toEqual([...LENET_300_100_LAYERS]);
    expect(model.weights.map((w) => [w.originalName, w.shape])).toEqual([
      ["ip1/kernel", [784, 300]],
      ["ip1/bias", [300]],
      ["ip2/kernel", [300, 100]],
      ["ip2/bias", [100]],
      ["ip3/kernel", [100, 10]],
      ["ip3/bias", [10]],
    ]);
    expect(count(model, "kernel")).toBe(266_200);
    expect(count(model, "bias")).toBe(410);
    model.dispose();
  });
});

describe("buildLenet5", () => {
  it("is the Caffe LeNet-5: conv1 20@5x5, pool, conv2 50@5x5, pool, ip1 500, ip2 10; 430,500 weights (DC Table 3)", () => {
    const model = buildLenet5(Rng.fromSeed(1));
    expect(model.inputs[0]!.shape).toEqual([null, 28, 28, 1]);
    expect(model.layers.map((l) => [l.name, l.outputShape])).toEqual([
      ["conv1", [null, 24, 24, 20]],
      ["pool1", [null, 12, 12, 20]],
      ["conv2", [null, 8, 8, 50]],
      ["pool2", [null, 4, 4, 50]],
      ["flatten", [null, 800]],
      ["ip1", [null, 500]],
      ["ip2", [null, 10]],
      ["prob", [null, 10]],
    ]);
    expect(model.layers.filter((l) => l.weights.length > 0).map((l) => l.name)).toEqual([...LENET_5_LAYERS]);
    // No ReLU after the convolutions (Caffe), ReLU after ip1 only.
    const activation = (name: string) => (model.getLayer(name).getConfig() as { activation?: string }).activation;
    expect([activation("conv1"), activation("conv2"), activation("ip1"), activation("ip2")]).toEqual([
      "linear",
      "linear",
      "relu",
      "linear",
    ]);
    expect(count(model, "kernel")).toBe(430_500);
    expect(count(model, "bias")).toBe(580);
    model.dispose();
  });
});

describe("buildLenet5 with a wider ip1 (not a paper model)", () => {
  it("keeps LeNet-5's convolutions; ip1 of 2,500 units gives 2,053,080 parameters; the default is the paper's", () => {
    const model = buildLenet5(Rng.fromSeed(1), { ip1Units: LENET_5_WIDE_IP1_UNITS });
    expect(model.name).toBe("lenet5_ip1_2500");
    expect(model.weights.map((w) => [w.originalName, w.shape])).toEqual([
      ["conv1/kernel", [5, 5, 1, 20]],
      ["conv1/bias", [20]],
      ["conv2/kernel", [5, 5, 20, 50]],
      ["conv2/bias", [50]],
      ["ip1/kernel", [800, 2500]],
      ["ip1/bias", [2500]],
      ["ip2/kernel", [2500, 10]],
      ["ip2/bias", [10]],
    ]);
    expect(model.countParams()).toBe(2_053_080);
    // The convolutions' initial weights are LeNet-5's (drawn from the same named streams).
    const paper = buildLenet5(Rng.fromSeed(1), { ip1Units: 500 });
    expect(paper.name).toBe("lenet5");
    expect(
      Buffer.from(paper.getLayer("conv2").getWeights()[0]!.dataSync().buffer).equals(
        Buffer.from(model.getLayer("conv2").getWeights()[0]!.dataSync().buffer),
      ),
    ).toBe(true);
    model.dispose();
    paper.dispose();
  });

  it("rejects a width that is not a positive integer", () => {
    for (const ip1Units of [0, 2.5, -1, Number.NaN]) expect(() => buildLenet5(Rng.fromSeed(1), { ip1Units })).toThrow(ModelZooError);
  });
});

describe("determinism", () => {
  it("the same seed gives the same weight bytes, on every backend; another seed does not", async () => {
    const first = buildLenet5(Rng.fromSeed(42));
    const second = buildLenet5(Rng.fromSeed(42));
    const other = buildLenet5(Rng.fromSeed(43));
    const a = weightBytes(first);
    expect(a.length).toBe((430_500 + 580) * 4);
    expect(weightBytes(second).equals(a)).toBe(true);
    expect(weightBytes(other).equals(a)).toBe(false);
    await tf.setBackend("cpu");
    const onCpu = buildLenet5(Rng.fromSeed(42));
    expect(weightBytes(onCpu).equals(a)).toBe(true);
    onCpu.dispose();
    await tf.setBackend("wasm");
    for (const m of [first, second, other]) m.dispose();
  });

  it("each layer's kernel depends only on the seed and the layer name; biases start at zero", () => {
    const lenet5 = buildLenet5(Rng.fromSeed(7));
    const lenet300 = buildLenet300100(Rng.fromSeed(7));
    // Both have a layer "ip2", with different shapes: the first values still come from the same stream.
    const ip2a = lenet5.getLayer("ip2").getWeights()[0]!.dataSync();
    const ip2b = lenet300.getLayer("ip2").getWeights()[0]!.dataSync();
    const limitA = Math.sqrt(6 / (500 + 10));
    const limitB = Math.sqrt(6 / (300 + 100));
    expect(ip2a[0]! / limitA).toBeCloseTo(ip2b[0]! / limitB, 5);
    expect(Array.from(lenet5.getLayer("ip1").getWeights()[1]!.dataSync()).every((v) => v === 0)).toBe(true);
    lenet5.dispose();
    lenet300.dispose();
  });
});
