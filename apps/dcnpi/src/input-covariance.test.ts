/**
 * `--feedback`'s inputs: which kernels of real models (nsfwjs's two MobileNetV2s) get error feedback,
 * and that the factor built from a model run equals the one built from Σ x xᵀ of the same vectors
 * computed directly (real MNIST digits through a Dense layer).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMnist } from "@dcnpi/datasets";
import { feedbackFactor, readTargetWeights } from "@dcnpi/deep-compression";
import { loadModelTarget } from "@dcnpi/deep-compression/node";
import { initEngine } from "@dcnpi/engine";
import { createProgress } from "@dcnpi/run-kit";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { writeNsfwjsModel } from "../test/nsfwjs-models.js";
import { graphFedKernels, layersFedKernels, layersFeedback, MAX_FEEDBACK_FEATURES } from "./input-covariance.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-feedback-"));
const quiet = (label: string, total: number) => createProgress({ label, total, mode: "silent" });

beforeAll(async () => {
  await initEngine({ log: () => {} });
}, 60_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("error feedback's kernels and inputs", () => {
  it("finds the 1x1 convolutions and the MatMul of a converted graph model, not its 3x3 or depthwise kernels", async () => {
    const loaded = await loadModelTarget(writeNsfwjsModel("mobilenet_v2_mid", join(scratch, "mid")));
    try {
      const weights = readTargetWeights(loaded.target);
      const fed = graphFedKernels(loaded.graphModel!, weights);
      // MobileNetV2: 16 expand (the first block has none) + 17 project 1x1 convolutions, Conv_1, and the classifier MatMul.
      expect(fed.length).toBe(35);
      for (const { weight, features } of fed) {
        const shape = weights.get(weight).shape;
        expect(shape.length === 2 || (shape[0] === 1 && shape[1] === 1)).toBe(true);
        expect(features).toBe(shape[shape.length - 2]);
      }
      expect(fed.some((f) => /depthwise/.test(f.weight))).toBe(false);
      expect(fed.filter((f) => weights.get(f.weight).shape.length === 2)).toHaveLength(1);
    } finally {
      loaded.dispose();
    }
  }, 120_000);

  it("finds the Dense and 1x1 Conv2D kernels of a Keras layers model", async () => {
    const loaded = await loadModelTarget(writeNsfwjsModel("mobilenet_v2", join(scratch, "layers")));
    try {
      const fed = layersFedKernels(loaded.target as LayersModel);
      const model = loaded.target as LayersModel;
      const dense = model.layers.filter((l) => l.getClassName() === "Dense").length;
      expect(dense).toBeGreaterThan(0);
      expect(fed.length).toBeGreaterThan(dense + 30);
      for (const { weight } of fed) expect(weight).toMatch(/\/kernel$/);
    } finally {
      loaded.dispose();
    }
  }, 120_000);

  it("leaves a kernel with more input features than MAX_FEEDBACK_FEATURES to nearest codes and says so (Σ x xᵀ would grow with their square)", async () => {
    // Six real digits side by side: 4,704 features.
    const digits = loadMnist({ split: "test", limit: 12 });
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6 * 784], units: 2, name: "wide" })] });
    const lines: string[] = [];
    try {
      const factors = await layersFeedback(model, { count: 2, shape: [6 * 784], data: digits.images }, quiet, (l) => lines.push(l));
      expect(factors.size).toBe(0);
      expect(lines).toEqual([
        `--feedback: wide/kernel has 4704 input features (more than ${MAX_FEEDBACK_FEATURES}): nearest-centroid codes`,
      ]);
    } finally {
      model.dispose();
    }
  });

  it("builds each factor from the vectors that reach the kernel: the same as Σ x xᵀ of real digits computed directly", async () => {
    const digits = loadMnist({ split: "test", limit: 300 });
    const model = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 10, name: "fc" })],
    });
    try {
      const factors = await layersFeedback(model, { count: digits.count, shape: [28, 28, 1], data: digits.images }, quiet);
      expect([...factors.keys()]).toEqual(["fc/kernel"]);
      const matrix = new Float64Array(784 * 784);
      for (let n = 0; n < digits.count; n++)
        for (let i = 0; i < 784; i++)
          for (let j = 0; j < 784; j++) matrix[i * 784 + j]! += digits.images[n * 784 + i]! * digits.images[n * 784 + j]!;
      const direct = feedbackFactor({ size: 784, matrix });
      const got = factors.get("fc/kernel")!;
      let worst = 0;
      for (let i = 0; i < direct.upper.length; i++) worst = Math.max(worst, Math.abs(direct.upper[i]! - got.upper[i]!));
      let scale = 0;
      for (let i = 0; i < 784; i++) scale = Math.max(scale, Math.abs(direct.upper[i * 785]!));
      // float32 products summed by tfjs against float64 here.
      expect(worst / scale).toBeLessThan(1e-3);
    } finally {
      model.dispose();
    }
  }, 120_000);
});
