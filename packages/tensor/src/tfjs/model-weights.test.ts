import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { float32 } from "../host-tensor.js";
import { WeightMap } from "../weight-map.js";
import { describeModelWeights, readModelWeights, writeModelWeights } from "./model-weights.js";
import { fromTfTensor, toTfTensor } from "./convert.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function smallModel() {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ inputShape: [3], units: 2, name: "fc1" }));
  model.add(tfl.layers.batchNormalization({ name: "bn" }));
  model.add(tfl.layers.dense({ units: 1, name: "fc2", useBias: false }));
  return model;
}

describe("tfjs bridge", () => {
  it("round-trips host tensors through tfjs", () => {
    const t = toTfTensor(float32([2, 2], [1, 2, 3, 4]));
    expect(fromTfTensor(t)).toEqual({ dtype: "float32", shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) });
    t.dispose();
  });

  it("reads every weight of a model with its layer, class and role, in order", () => {
    const model = smallModel();
    const described = describeModelWeights(model);
    expect(described.map((d) => [d.name, d.layerClass, d.role, d.trainable])).toEqual([
      ["fc1/kernel", "Dense", "kernel", true],
      ["fc1/bias", "Dense", "bias", true],
      ["bn/gamma", "BatchNormalization", "gamma", true],
      ["bn/beta", "BatchNormalization", "beta", true],
      ["bn/moving_mean", "BatchNormalization", "moving_mean", false],
      ["bn/moving_variance", "BatchNormalization", "moving_variance", false],
      ["fc2/kernel", "Dense", "kernel", true],
    ]);
    const weights = readModelWeights(model);
    expect(weights.names()).toEqual(described.map((d) => d.name));
    expect(weights.get("fc1/kernel").shape).toEqual([3, 2]);
    model.dispose();
  });

  it("writes weights back so predictions change accordingly, without leaking tensors", () => {
    const model = smallModel();
    const before = tf.memory().numTensors;
    const weights = new WeightMap().add("fc1/kernel", float32([3, 2], [1, 0, 0, 1, 0, 0])).add("fc2/kernel", float32([2, 1], [2, 3]));
    writeModelWeights(model, weights);
    expect(tf.memory().numTensors).toBe(before);
    const read = readModelWeights(model);
    expect([...read.get("fc2/kernel").data]).toEqual([2, 3]);
    expect(() => writeModelWeights(model, new WeightMap().add("fc1/kernel", float32([2], [1, 2])))).toThrow(
      /"fc1\/kernel" is \[3,2\] in the model, \[2\] in the map/,
    );
    expect(() => writeModelWeights(model, new WeightMap().add("nope", float32([1], [1])))).toThrow(/no weight "nope"/);
    expect(() => writeModelWeights(model, weights, { complete: true })).toThrow(/lacks weight "fc1\/bias"/);
    model.dispose();
  });
});
