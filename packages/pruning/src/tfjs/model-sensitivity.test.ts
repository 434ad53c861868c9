import { readModelWeights } from "@dcnpi/tensor/tfjs";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestBackend } from "./test-backend.js";
import { chooseSparsities } from "../sensitivity.js";
import { analyzeModelSensitivity } from "./model-sensitivity.js";
import { convData, convModel } from "./test-models.js";

beforeAll(async () => {
  await useTestBackend();
});

describe("analyzeModelSensitivity", () => {
  it("probes each layer of a real model, measures the metric and restores the weights", async () => {
    const model = convModel();
    const { x, y } = convData(128, "sensitivity");
    model.compile({ optimizer: tf.train.adam(0.02), loss: "categoricalCrossentropy" });
    await model.fit(x, y, { epochs: 10, batchSize: 32, verbose: 0 });
    const original = readModelWeights(model);
    const loss = () => tf.tidy(() => tf.losses.softmaxCrossEntropy(y, model.predict(x) as tf.Tensor).dataSync()[0]!);
    const report = await analyzeModelSensitivity(model, { layers: ["conv/kernel", "fc/kernel"], sparsities: [0, 0.5, 1], evaluate: loss });
    expect(report.curves.map((c) => c.layer)).toEqual(["conv/kernel", "fc/kernel"]);
    for (const curve of report.curves) {
      expect(curve.points[0]!.metric).toBeCloseTo(report.baseline, 5);
      expect(curve.points[2]!.metric).toBeGreaterThan(report.baseline);
    }
    const chosen = chooseSparsities(report, { tolerance: 1e-6, higherIsBetter: false });
    expect(chosen["conv/kernel"]).toEqual({ sparsity: 0 });
    for (const w of readModelWeights(model)) expect(w.tensor.data).toEqual(original.get(w.name).data);
    tf.dispose([x, y]);
    model.dispose();
  });
});
