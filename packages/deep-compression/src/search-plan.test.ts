import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { initEngine } from "@dcnpi/engine";
import { buildLenet300100 } from "@dcnpi/model-zoo";
import { Rng, WeightMap } from "@dcnpi/tensor";
import { readModelWeights, writeModelWeights } from "@dcnpi/tensor/tfjs";
import { compress } from "./compress.js";
import { CompressionError } from "./errors.js";
import { layersModelPredictor } from "./layers-predictor.js";
import { defaultPlan } from "./plan.js";
import { searchPlan, stepLadder, type DataSplit, type LayerChoice } from "./search-plan.js";
import { mnistBatch, trainedLenet300100 } from "./test-mnist-model.js";
import {
  compareTop1,
  measureTop1,
  type AccuracyBudget,
  predictAll,
  searchMargin,
  top1Classes,
  type ExampleBatch,
  type Top1,
} from "./top1-metric.js";

// The engine's wasm backend with the dcnpi training kernels: cpu takes minutes to train even this MLP.
beforeAll(async () => {
  await initEngine({ log: () => {} });
});

/** evaluate() over a layers model: write the weights, predict a split, compare with the original's top-1. */
async function harness(model: LayersModel, splits: Record<DataSplit, ExampleBatch>) {
  const predict = layersModelPredictor(model, [784]);
  const reference = {
    search: top1Classes((await predictAll(predict, splits.search)).scores, splits.search.count),
    holdout: top1Classes((await predictAll(predict, splits.holdout)).scores, splits.holdout.count),
  };
  const measureModel = async (split: DataSplit): Promise<Top1> =>
    compareTop1(
      top1Classes((await predictAll(predict, splits[split])).scores, splits[split].count),
      reference[split],
      splits[split].labels,
    );
  const evaluate = async (weights: WeightMap, split: DataSplit) => {
    writeModelWeights(model, weights);
    return measureModel(split);
  };
  const baseline = { search: await measureModel("search"), holdout: await measureModel("holdout") };
  /** evaluate() that stops where the search allows (slices of 50 inputs) and counts the inputs it ran. */
  const stopping = (budget: AccuracyBudget) => {
    const seen = { inputs: 0 };
    const counted: typeof predict = (inputs, count) => {
      seen.inputs += count;
      return predict(inputs, count);
    };
    const evaluate = async (weights: WeightMap, split: DataSplit, options?: { stopBelow?: number }) => {
      writeModelWeights(model, weights);
      const stop = options?.stopBelow === undefined ? undefined : { budget, baseline: baseline[split], below: options.stopBelow };
      return measureTop1(counted, splits[split], reference[split], { batchSize: 50, ...(stop === undefined ? {} : { stop }) });
    };
    return { evaluate, seen };
  };
  return { evaluate, stopping, measureModel, baseline };
}

describe("searchPlan on LeNet-300-100 and real MNIST digits", () => {
  it("finds a plan within --min-agreement 98 on held-out digits, and compress() one-shot reproduces its metric exactly", async () => {
    const model = await trainedLenet300100();
    const original = readModelWeights(model);
    const splits = { search: mnistBatch(0, 300), holdout: mnistBatch(300, 150) };
    const { evaluate, measureModel, baseline } = await harness(model, splits);
    const tensorsBefore = tf.memory().numTensors;
    const phases = new Set<string>();
    const result = await searchPlan({
      weights: original,
      basePlan: defaultPlan,
      budget: { kind: "min-agreement", percent: 98 },
      evaluate,
      baseline,
      onProgress: (p) => phases.add(p.phase),
      // A coarser grid than the default keeps the test short on a loaded machine.
      keepFractions: [1, 0.3, 0.1],
      weightBits: [8, 4],
    });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect([...phases]).toEqual(["scan", "search", "check"]);
    expect(result.holdout.agreement).toBeGreaterThanOrEqual(0.98);
    expect(result.search.agreement).toBeGreaterThanOrEqual(0.98);
    // Compressed well past float32: estimated bytes of the three kernels against 4 bytes per weight.
    const estimated = result.layers.reduce((s, l) => s + l.estimatedBytes, 0);
    const float32 = result.layers.reduce((s, l) => s + 4 * l.elements, 0);
    expect(float32 / estimated).toBeGreaterThan(5);
    expect(result.layers.map((l) => l.name)).toEqual(["ip1/kernel", "ip2/kernel", "ip3/kernel"]);
    // The plan is an ordinary plan: compress() without training gives the same weights, so the same agreement.
    writeModelWeights(model, original);
    await compress(model, result.plan, { rng: Rng.fromSeed(1) });
    expect(await measureModel("holdout")).toEqual(result.holdout);
    expect(await measureModel("search")).toEqual(result.search);
    // The search split was held to one standard error of 98% on its 300 inputs (0.81 points) beyond the budget.
    expect(result.margin).toBeCloseTo(100 * Math.sqrt((0.98 * 0.02) / 300), 10);
    expect(result.margin).toBeCloseTo(searchMargin({ kind: "min-agreement", percent: 98 }, baseline.search), 10);
    expect(100 * result.search.agreement - 98).toBeGreaterThanOrEqual(result.margin);
    model.dispose();
  }, 600_000);

  it("holds the search split to the margin: a larger margin never gives a smaller plan, and passes by it", async () => {
    const model = await trainedLenet300100();
    const original = readModelWeights(model);
    const splits = { search: mnistBatch(0, 300), holdout: mnistBatch(300, 150) };
    const { evaluate, baseline } = await harness(model, splits);
    const options = {
      weights: original,
      basePlan: defaultPlan,
      budget: { kind: "min-agreement", percent: 97 } as const,
      evaluate,
      baseline,
      keepFractions: [1, 0.3, 0.1, 0.05],
      weightBits: [8, 4, 2],
    };
    const bytes = (r: { layers: readonly { estimatedBytes: number }[] }) => r.layers.reduce((s, l) => s + l.estimatedBytes, 0);
    const none = await searchPlan({ ...options, margin: 0 });
    const wide = await searchPlan({ ...options, margin: 2 });
    expect(none.margin).toBe(0);
    expect(wide.margin).toBe(2);
    expect(none.threshold).toBeGreaterThanOrEqual(0); // something cheaper than the safest plan passed
    expect(100 * none.search.agreement).toBeGreaterThanOrEqual(97);
    // Either the wide margin's plan passes the search split by 2 points, or it is the safest plan.
    if (wide.threshold >= 0) expect(100 * wide.search.agreement - 97).toBeGreaterThanOrEqual(2);
    expect(bytes(wide)).toBeGreaterThanOrEqual(bytes(none));
    expect(wide.threshold).toBeLessThanOrEqual(none.threshold);
    await expect(searchPlan({ ...options, margin: -1 })).rejects.toThrowError(/margin -1 must be a number/);
    writeModelWeights(model, original);
    model.dispose();
  }, 600_000);

  it("chooses the same plan when evaluations stop as soon as their outcome is decided, running fewer inputs", async () => {
    const model = await trainedLenet300100();
    const original = readModelWeights(model);
    const splits = { search: mnistBatch(0, 300), holdout: mnistBatch(300, 150) };
    const { stopping, baseline } = await harness(model, splits);
    const budget = { kind: "min-agreement", percent: 98 } as const;
    const options = {
      weights: original,
      basePlan: defaultPlan,
      budget,
      baseline,
      keepFractions: [1, 0.3, 0.1, 0.03],
      weightBits: [8, 4, 2],
    };
    const all = stopping(budget);
    const full = await searchPlan({ ...options, evaluate: (weights, split) => all.evaluate(weights, split) });
    const early = stopping(budget);
    const stopped = await searchPlan({ ...options, evaluate: early.evaluate });
    expect(full.stoppedEarly).toBe(0);
    expect(stopped.stoppedEarly).toBeGreaterThan(0);
    expect(stopped.evaluations).toBe(full.evaluations);
    // The same decisions everywhere: the same plan, the same layers' settings, the same measured results.
    expect(stopped.plan).toEqual(full.plan);
    expect(stopped.layers.map(({ keepFraction, weightBits }) => ({ keepFraction, weightBits }))).toEqual(
      full.layers.map(({ keepFraction, weightBits }) => ({ keepFraction, weightBits })),
    );
    expect([stopped.search, stopped.holdout, stopped.threshold, stopped.errorCap]).toEqual([
      full.search,
      full.holdout,
      full.threshold,
      full.errorCap,
    ]);
    // The stopped evaluations ran a slice or a few of their 300 inputs.
    expect(early.seen.inputs).toBeLessThan(all.seen.inputs);
    writeModelWeights(model, original);
    model.dispose();
  }, 600_000);

  it("scans only the largest weights holding scanShare of the bytes; the rest keep the safest setting", async () => {
    const model = await trainedLenet300100();
    const original = readModelWeights(model);
    const splits = { search: mnistBatch(0, 300), holdout: mnistBatch(300, 150) };
    const { evaluate, baseline } = await harness(model, splits);
    const options = {
      weights: original,
      basePlan: defaultPlan,
      budget: { kind: "min-agreement", percent: 98 } as const,
      evaluate,
      baseline,
      keepFractions: [1, 0.3, 0.1],
      weightBits: [8, 4],
    };
    const seen: string[] = [];
    // ip1's kernel (784x300) holds 88% of the three kernels' bytes.
    const result = await searchPlan({ ...options, scanShare: 0.5, onProgress: (p) => p.phase === "scan" && seen.push(p.detail) });
    expect(result.layers.map((l) => [l.name, l.scanned])).toEqual([
      ["ip1/kernel", true],
      ["ip2/kernel", false],
      ["ip3/kernel", false],
    ]);
    expect(seen.every((d) => d.startsWith("ip1/kernel "))).toBe(true);
    for (const layer of result.layers.slice(1)) expect([layer.keepFraction, layer.weightBits, layer.pointsLostAlone]).toEqual([1, 8, 0]);
    expect(result.holdout.agreement).toBeGreaterThanOrEqual(0.98);
    const all = await searchPlan(options);
    expect(all.layers.every((l) => l.scanned)).toBe(true);
    expect(result.evaluations).toBeLessThan(all.evaluations);
    await expect(searchPlan({ ...options, scanShare: 0 })).rejects.toThrowError(/scan share 0 must lie in \(0, 1\]/);
    writeModelWeights(model, original);
    model.dispose();
  }, 600_000);

  it("refuses a budget even the safest plan misses, as BUDGET_UNREACHABLE naming the flag", async () => {
    // An untrained network: its top-1 classes are decided by tiny margins that 2-bit sharing moves.
    const model = buildLenet300100(Rng.fromSeed(8));
    const splits = { search: mnistBatch(0, 200), holdout: mnistBatch(200, 100) };
    const { evaluate, baseline } = await harness(model, splits);
    const search = searchPlan({
      weights: readModelWeights(model),
      basePlan: defaultPlan,
      budget: { kind: "min-agreement", percent: 100 },
      evaluate,
      baseline,
      weightBits: [2],
    });
    await expect(search).rejects.toThrowError(CompressionError);
    await expect(search).rejects.toThrowError(
      /^--min-agreement 100 cannot be met: even the safest plan \(no pruning, 2-bit shared weights\) gives top-1 agreement/,
    );
    model.dispose();
  }, 300_000);

  it("steps between rungs one layer at a time, a layer that loses nothing alone first, then by bytes saved per point", () => {
    const layer = (name: string, weightBits: number, estimatedBytes: number, pointsLostAlone: number): LayerChoice => ({
      name,
      elements: 1000,
      keepFraction: 1,
      weightBits,
      estimatedBytes,
      pointsLostAlone,
      relativeError: 0,
      scanned: true,
    });
    const safest = [layer("a", 8, 1000, 0), layer("b", 8, 1000, 0), layer("c", 8, 1000, 0)];
    // Rung 1 moves a (saves 500 for 1 point), b (saves 100 for nothing) and c (saves 600 for 2 points).
    const first = [layer("a", 4, 500, 1), layer("b", 6, 900, 0), layer("c", 3, 400, 2)];
    const second = [first[0]!, layer("b", 2, 300, 3), first[2]!];
    const steps = stepLadder(
      [
        { threshold: 2, cap: Infinity, choices: first },
        { threshold: 3, cap: Infinity, choices: second },
      ],
      safest,
    );
    const bits = steps.map((s) => s.choices.map((c) => c.weightBits).join(","));
    expect(bits).toEqual(["8,6,8", "4,6,8", "4,6,3", "4,2,3"]);
    expect(steps.map((s) => s.moved)).toEqual([{ count: 1, of: 3 }, { count: 2, of: 3 }, undefined, undefined]);
    expect(steps[2]!.choices).toBe(first);
  });
});
