import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { InvocationDataset } from "../invocation-dataset.js";
import { SMALL_CONFIG, tallyTask } from "../testing/tally-task.js";
import { useEngine } from "../testing/setup-engine.js";
import { recordTrace } from "../trace.js";
import { createNpiModel, type NpiModel, type SequenceBatch } from "../tfjs/npi-model.js";
import { NpiTrainer } from "../tfjs/trainer.js";
import { GradientWorkers, assignSubBatches } from "./gradient-workers.js";

useEngine();

const replica = new URL("../testing/tally-replica.ts", import.meta.url);

function setup() {
  const model = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 11 });
  const dataset = new InvocationDataset(model);
  for (let target = 0; target <= 6; target++) dataset.addTrace(tallyTask, recordTrace(tallyTask, tallyTask.createEnvironment(target)));
  return { model, dataset };
}

const options = {
  seed: 5,
  batchSize: 8,
  programsPerStep: 4,
  stepsPerBatch: 0,
  learningRate: { initial: 1e-2, factor: 0.95, everySteps: 50 },
  curriculum: { everySteps: 3, samplesPerProgram: 8 },
} as const;

const flat = (model: NpiModel) => Float32Array.from([...model.weights()].flatMap((w) => Array.from(w.tensor.data)));

describe("GradientWorkers", () => {
  it("trains on two threads to the same weights as on one within float rounding, and to the same bytes each time", async () => {
    const serial = setup();
    const parallel = setup();
    const workers = await GradientWorkers.start({ model: parallel.model, threads: 2, replica: { module: replica, data: {} } });
    try {
      const one = new NpiTrainer(serial.model, serial.dataset, options);
      const two = new NpiTrainer(parallel.model, parallel.dataset, { ...options, stepLoss: workers.stepLoss });
      for (let step = 0; step < 6; step++) {
        const a = one.trainStep();
        const b = two.trainStep();
        expect(b.programs).toEqual(a.programs);
        expect(b.sequences).toBe(a.sequences);
        expect(b.loss).toBeCloseTo(a.loss, 5);
        expect(b.endLoss).toBeCloseTo(a.endLoss, 5);
        expect(b.argumentLoss).toBeCloseTo(a.argumentLoss, 5);
        expect(b.gradientNorm).toBeCloseTo(a.gradientNorm, 4);
      }
      const fresh = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 11 });
      const start = flat(fresh);
      fresh.dispose();
      const wa = flat(serial.model);
      const wb = flat(parallel.model);
      let gap = 0;
      let moved = 0;
      for (let i = 0; i < wa.length; i++) {
        gap = Math.max(gap, Math.abs(wa[i]! - wb[i]!));
        moved = Math.max(moved, Math.abs(wa[i]! - start[i]!));
      }
      expect(moved).toBeGreaterThan(1e-2); // six Adam steps at 1e-2 really moved the weights
      expect(gap).toBeLessThan(1e-5);
      // Deterministic for a thread count: the same seed on two threads again gives the same bytes.
      const again = setup();
      const workersAgain = await GradientWorkers.start({ model: again.model, threads: 2, replica: { module: replica, data: {} } });
      try {
        const trainer = new NpiTrainer(again.model, again.dataset, { ...options, stepLoss: workersAgain.stepLoss });
        for (let step = 0; step < 6; step++) trainer.trainStep();
        expect(Array.from(flat(again.model))).toEqual(Array.from(wb));
      } finally {
        await workersAgain.close();
        again.model.dispose();
      }
      expect(tf.memory().numTensors).toBeLessThan(1_000);
    } finally {
      await workers.close();
      serial.model.dispose();
      parallel.model.dispose();
    }
  });

  it("refuses a replica of another layout, a bad thread count and a closed pool, each by name", async () => {
    const { model } = setup();
    await expect(GradientWorkers.start({ model, threads: 2, replica: { module: replica, data: { broken: true } } })).rejects.toThrow(
      /gradient worker 1: the replica that .*tally-replica.ts built has another parameter layout/,
    );
    await expect(GradientWorkers.start({ model, threads: 0, replica: { module: replica } })).rejects.toThrow(/threads must be an integer/);
    await expect(
      GradientWorkers.start({ model, threads: 2, replica: { module: new URL("./no-such-module.ts", import.meta.url) } }),
    ).rejects.toThrow(/gradient worker 1: .*no-such-module/);
    const workers = await GradientWorkers.start({ model, threads: 1, replica: { module: replica } });
    await workers.close();
    expect(() => workers.stepLoss(model, [])).toThrow(/already closed/);
    model.dispose();
  });

  it("splits sub-batches by cost, this thread taking the largest", () => {
    const batch = (steps: number, size: number) => ({ steps, size }) as SequenceBatch;
    expect(assignSubBatches([batch(10, 8), batch(2, 8), batch(5, 8), batch(4, 8)], 2)).toEqual([[0], [1, 2, 3]]);
    expect(assignSubBatches([batch(3, 8), batch(3, 8), batch(3, 8), batch(3, 8)], 2)).toEqual([
      [0, 2],
      [1, 3],
    ]);
    expect(assignSubBatches([batch(3, 8)], 3)).toEqual([[0], [], []]);
  });
});
