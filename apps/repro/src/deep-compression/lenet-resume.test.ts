/**
 * Resumption of the real LeNet stages, on a small slice of real MNIST: a run that
 * lost its last dense epoch (or its last prune cycle) and is resumed by a fresh process ends with
 * exactly the same weights and the same .dcnpi bytes as a run that was never interrupted.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMnist } from "@dcnpi/datasets";
import { initEngine } from "@dcnpi/engine";
import { openRunDirectory } from "@dcnpi/run-kit";
import { Rng } from "@dcnpi/tensor";
import { readModelWeights } from "@dcnpi/tensor/tfjs";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLenet, compressLenet, denseStageName, pruneStageName, trainDense, type MnistSplits } from "./lenet-experiment.js";
import { initSweep, kmeansStudy, KEEP_SCALES, lenetDistribution, QUANT_ONLY_BITS, tradeoffSweep } from "./lenet-figures.js";
import { lenetRecipe, type LenetRecipe } from "./recipes.js";
import type { RunContext } from "./run-context.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-lenet-resume-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let data: MnistSplits;
beforeAll(async () => {
  // The default engine (wasm + dcnpi kernels): the cpu backend is ~15x slower at training.
  await initEngine({ log: false });
  data = { train: loadMnist({ split: "train", limit: 384 }), test: loadMnist({ split: "test", limit: 200 }) };
});

const base = lenetRecipe("lenet-300-100", "quick");
const recipe: LenetRecipe = {
  ...base,
  dense: { ...base.dense, epochs: 3, batchSize: 64 },
  prune: { ...base.prune, iterations: 3, epochsPerIteration: 0.5, epochsAfterLast: 1 },
  quantize: { ...base.quantize, epochs: 1 },
};

const contextFor = (id: string): RunContext => ({
  run: openRunDirectory(scratch, id),
  rng: Rng.fromSeed(9).fork("lenet-300-100"),
  progressMode: "silent",
  say: () => {},
  timings: [],
});
const bits = (model: ReturnType<typeof buildLenet>) =>
  [...readModelWeights(model)].map((w) => [w.name, Array.from(new Uint32Array((w.tensor.data as Float32Array).slice().buffer))]);

describe("LeNet stages resume exactly", () => {
  it("dense training: a lost last epoch is redone from the previous epoch's weights and optimizer state, bit for bit", async () => {
    const ctx = contextFor("dense");
    const model = buildLenet("lenet-300-100", ctx.rng.fork("init"));
    const epochs = await trainDense(ctx, model, recipe, data);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    const uninterrupted = bits(model);
    model.dispose();
    // Killed during epoch 3: its result was never written.
    rmSync(join(scratch, "dense", "stages", denseStageName("lenet-300-100", 3), "result.json"));
    const resumedCtx = contextFor("dense");
    const fresh = buildLenet("lenet-300-100", Rng.fromSeed(12345));
    const again = await trainDense(resumedCtx, fresh, recipe, data);
    expect(resumedCtx.timings.map((t) => [t.stage, t.resumed])).toEqual([
      [denseStageName("lenet-300-100", 1), true],
      [denseStageName("lenet-300-100", 2), true],
      [denseStageName("lenet-300-100", 3), false],
    ]);
    expect(bits(fresh)).toEqual(uninterrupted);
    expect(again[2]!.testError).toBe(epochs[2]!.testError);
    // Resuming again with the same model leaks no tensors (the first fit compiles the model, which keeps a few).
    rmSync(join(scratch, "dense", "stages", denseStageName("lenet-300-100", 3), "result.json"));
    const before = tf.memory().numTensors;
    await trainDense(contextFor("dense"), fresh, recipe, data);
    expect(tf.memory().numTensors).toBe(before);
    expect(bits(fresh)).toEqual(uninterrupted);
    fresh.dispose();
  }, 120_000);

  it("compression: a run killed in its last prune cycle writes the same .dcnpi bytes after resuming", async () => {
    const ctx = contextFor("compress");
    const model = buildLenet("lenet-300-100", ctx.rng.fork("init"));
    await trainDense(ctx, model, recipe, data);
    const result = await compressLenet(ctx, model, recipe, data);
    model.dispose();
    expect(result.report.layers.filter((l) => l.store === "sparse").map((l) => l.keptFraction)).toEqual([
      18_816 / 235_200,
      2_700 / 30_000,
      260 / 1_000,
    ]);
    expect(result.loadedError).toBe(result.report.metrics.at(-1)!.value);
    const original = readFileSync(join(scratch, "compress", "lenet-300-100.dcnpi"));

    cpSync(join(scratch, "compress"), join(scratch, "compress-killed"), { recursive: true });
    for (const stage of ["lenet-300-100.compress", pruneStageName("lenet-300-100", 3)])
      rmSync(join(scratch, "compress-killed", "stages", stage, "result.json"));
    rmSync(join(scratch, "compress-killed", "lenet-300-100.dcnpi"));
    const resumedCtx = contextFor("compress-killed");
    const fresh = buildLenet("lenet-300-100", Rng.fromSeed(777));
    await trainDense(resumedCtx, fresh, recipe, data);
    await compressLenet(resumedCtx, fresh, recipe, data);
    fresh.dispose();
    const stages = resumedCtx.timings.map((t) => [t.stage, t.resumed]);
    expect(stages).toContainEqual([pruneStageName("lenet-300-100", 1), true]);
    expect(stages).toContainEqual([pruneStageName("lenet-300-100", 2), true]);
    expect(stages).toContainEqual([pruneStageName("lenet-300-100", 3), false]);
    expect(readFileSync(join(scratch, "compress-killed", "lenet-300-100.dcnpi")).equals(original)).toBe(true);
  }, 300_000);

  it("figure data with retraining inside the sweeps (--full) is computed from the stages' files and cached", async () => {
    const ctx = contextFor("compress");
    const withRetraining: LenetRecipe = { ...recipe, mode: "full", sweepRetrainExamples: 192 };
    const scratchModel = buildLenet("lenet-300-100", Rng.fromSeed(3));
    const before = tf.memory().numTensors;
    const tradeoff = await tradeoffSweep(ctx, withRetraining, data, scratchModel);
    expect(tradeoff.points.filter((p) => p.series === "pruning only").map((p) => p.keepScale)).toEqual(KEEP_SCALES);
    expect(tradeoff.points.filter((p) => p.series === "quantization only").map((p) => p.bits)).toEqual(QUANT_ONLY_BITS);
    expect(tradeoff.retrainExamples).toBe(192);
    const init = await initSweep(ctx, withRetraining, data, scratchModel);
    expect(new Set(init.points.map((p) => p.init))).toEqual(new Set(["linear", "density", "random"]));
    const kmeans = await kmeansStudy(ctx, withRetraining, data, scratchModel);
    expect(kmeans.rows.at(-1)!.converged).toBe(true);
    expect(kmeans.rows[0]!.squaredError).toBeGreaterThanOrEqual(kmeans.rows.at(-1)!.squaredError);
    const distribution = await lenetDistribution(ctx, withRetraining, "ip1", scratchModel);
    expect(distribution.codebook.reduce((s, c) => s + c.count, 0)).toBe(18_816);
    expect(tf.memory().numTensors).toBe(before);
    // Read back, not recomputed.
    const again = contextFor("compress");
    expect(await tradeoffSweep(again, withRetraining, data, scratchModel)).toEqual(tradeoff);
    expect(again.timings[0]!.resumed).toBe(true);
    scratchModel.dispose();
  }, 300_000);
});
