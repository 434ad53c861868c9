import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@dcnpi/tensor";
import { prune } from "./prune.js";
import type { PipelineEvent, TrainContext } from "./stage-options.js";
import { stageTestNet } from "./stage-test-net.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("prune (stage 1, alone)", () => {
  it("one-shot: masks by weight name, pruned weights exactly +0.0, nothing else touched", async () => {
    const net = stageTestNet(21);
    const bias = Array.from(net.b1.dataSync());
    const masks = await prune(net.target, new Map([["hidden/kernel", { keepFraction: 0.25 }]]), { rng: Rng.fromSeed(1) });
    expect(masks.names()).toEqual(["hidden/kernel"]);
    const mask = masks.get("hidden/kernel")!;
    expect(mask.reduce((s, m) => s + m, 0)).toBe(36);
    const values = net.w1.dataSync();
    expect(mask.every((m, i) => m === 1 || Object.is(values[i], 0))).toBe(true);
    expect(Array.from(net.b1.dataSync())).toEqual(bias);
    net.dispose();
  });

  it("in cycles with masked retraining: each cycle trains with its own context, masks compose, zeros stay zero", async () => {
    const net = stageTestNet(22);
    const contexts: TrainContext[] = [];
    const labels: string[] = [];
    const events: PipelineEvent[] = [];
    const seconds: Record<string, number> = {};
    const masks = await prune(
      net.target,
      new Map([
        ["hidden/kernel", { keepFraction: 0.25 }],
        ["output/kernel", { sparsity: 0.5 }],
      ]),
      {
        rng: Rng.fromSeed(2),
        cycles: 3,
        epochsPerCycle: 2,
        epochsAfterLastCycle: 4,
        learningRate: 0.01,
        train: async (_target, context) => {
          contexts.push(context);
          const optimizer = tf.train.sgd(0.05);
          for (let i = 0; i < context.epochs; i++) context.minimize(optimizer, net.loss);
          optimizer.dispose();
        },
        afterCycle: async (label) => {
          labels.push(label);
        },
        onEvent: (event) => events.push(event),
        seconds,
      },
    );
    expect(contexts.map((c) => [c.stage, c.cycle, c.cycles, c.epochs, c.learningRate])).toEqual([
      ["prune", 1, 3, 2, 0.01],
      ["prune", 2, 3, 2, 0.01],
      ["prune", 3, 3, 4, 0.01],
    ]);
    expect(contexts[0]!.rng.float()).toBe(Rng.fromSeed(2).fork("retrain:prune:1").float());
    expect(labels).toEqual(["pruned 1/3", "pruned 2/3", "pruned 3/3"]);
    expect(events.map((e) => (e.kind === "stage-start" ? e.detail : e.kind))).toEqual(["cycle 1/3", "cycle 2/3", "cycle 3/3"]);
    expect(Object.keys(seconds).sort()).toEqual(["prune", "retrain"]);
    expect(masks.get("hidden/kernel")!.reduce((s, m) => s + m, 0)).toBe(36);
    expect(masks.get("output/kernel")!.reduce((s, m) => s + m, 0)).toBe(24);
    for (const [name, variable] of [
      ["hidden/kernel", net.w1],
      ["output/kernel", net.w2],
    ] as const) {
      const values = variable.dataSync();
      expect(masks.get(name)!.every((m, i) => m === 1 || Object.is(values[i], 0))).toBe(true);
    }
    net.dispose();
  });

  it("does nothing without targets", async () => {
    const net = stageTestNet(23);
    const events: PipelineEvent[] = [];
    expect((await prune(net.target, new Map(), { rng: Rng.fromSeed(3), onEvent: (e) => events.push(e) })).names()).toEqual([]);
    expect(events).toEqual([]);
    net.dispose();
  });
});
