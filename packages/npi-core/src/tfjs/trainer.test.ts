import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { WeightMap } from "@dcnpi/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { InvocationDataset } from "../invocation-dataset.js";
import { runPrograms } from "../run-loop.js";
import { SMALL_CONFIG, tallyTask } from "../testing/tally-task.js";
import { useEngine } from "../testing/setup-engine.js";
import { recordTrace } from "../trace.js";
import { createNpiModel, type NpiModel } from "./npi-model.js";
import { NpiTrainer, type TrainerOptions } from "./trainer.js";
import { readCheckpointManifest } from "../node/checkpoint.js";
import { restoreTrainerCheckpoint, saveTrainerCheckpoint } from "../node/trainer-checkpoint.js";

useEngine();

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "npi-trainer-"));
  dirs.push(dir);
  return dir;
}

function tallyDataset(model: NpiModel): InvocationDataset {
  const dataset = new InvocationDataset(model);
  for (let target = 0; target <= 6; target++) dataset.addTrace(tallyTask, recordTrace(tallyTask, tallyTask.createEnvironment(target)));
  return dataset;
}

function setup(options: Partial<TrainerOptions> = {}) {
  const model = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 11 });
  const dataset = tallyDataset(model);
  const trainer = new NpiTrainer(model, dataset, {
    seed: 5,
    batchSize: 8,
    programsPerStep: 2,
    stepsPerBatch: 0,
    learningRate: { initial: 1e-2, factor: 0.95, everySteps: 50 },
    curriculum: { everySteps: 10, samplesPerProgram: 8 },
    ...options,
  });
  return { model, dataset, trainer };
}

const flat = (model: NpiModel) => [...model.weights()].map((w) => Array.from(w.tensor.data));

describe("NpiTrainer", () => {
  it("learns the tally programs from traces: teacher-forced errors fall to zero and RUN solves unseen sizes", () => {
    const { model, trainer } = setup();
    const before = trainer.estimateErrors();
    const first = trainer.trainStep();
    let last = first;
    for (let i = 0; i < 80; i++) last = trainer.trainStep();
    const after = trainer.estimateErrors();
    expect(before.programs.every((p) => p.stepError > 0.3)).toBe(true);
    expect(after.programs.map((p) => p.stepError)).toEqual([0, 0]);
    expect(last.loss).toBeLessThan(first.loss / 10);
    // Trained on targets 0-6; 12 needs 12 MARK calls from TALLY.
    const targets = [0, 3, 6, 9, 12];
    const envs = targets.map((t) => tallyTask.createEnvironment(t));
    const results = runPrograms(
      model,
      envs.map((env) => ({ task: tallyTask, env })),
      { maxSteps: 100 },
    );
    expect(results.map((r) => r.status)).toEqual(targets.map(() => "returned"));
    expect(envs.map((e) => e.marks)).toEqual(targets);
    trainer.dispose();
    model.dispose();
  });

  it("does not leak tensors across steps", () => {
    const { model, trainer } = setup();
    trainer.trainStep();
    const count = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) trainer.trainStep();
    expect(tf.memory().numTensors).toBe(count);
    trainer.dispose();
    model.dispose();
  });

  it("resumes from a checkpoint to exactly the same weights as an uninterrupted run", () => {
    const straight = setup();
    for (let i = 0; i < 24; i++) straight.trainer.trainStep();
    const dir = tempDir();
    const first = setup();
    for (let i = 0; i < 13; i++) first.trainer.trainStep();
    saveTrainerCheckpoint(first.trainer, dir);
    for (let i = 0; i < 3; i++) first.trainer.trainStep(); // work lost when the run is "killed"
    const resumed = setup();
    expect(restoreTrainerCheckpoint(resumed.trainer, dir)).toBe(true);
    expect(resumed.trainer.step).toBe(13);
    for (let i = 13; i < 24; i++) resumed.trainer.trainStep();
    expect(flat(resumed.model)).toEqual(flat(straight.model));
    expect(readdirSync(dir).sort()).toEqual(["checkpoint-13.bin", "checkpoint.json"]);
    for (const run of [straight, first, resumed]) {
      run.trainer.dispose();
      run.model.dispose();
    }
  });

  it("reads checkpoint.json alone through readCheckpointManifest, and names the file when it is not one", () => {
    const dir = tempDir();
    const a = setup();
    a.trainer.trainStep();
    saveTrainerCheckpoint(a.trainer, dir);
    const manifest = readCheckpointManifest(dir);
    expect(manifest.step).toBe(1);
    expect(manifest.model).toEqual(a.model.describe());
    expect(manifest.dataChecksum).toMatch(/^[0-9a-f]{8}$/);
    writeFileSync(join(dir, "checkpoint.json"), JSON.stringify({ ...manifest, version: 99 }));
    expect(() => readCheckpointManifest(dir)).toThrow(
      expect.objectContaining({
        code: "INVALID_CHECKPOINT",
        message: expect.stringContaining(`${join(dir, "checkpoint.json")}: not a checkpoint of version 1`),
      }),
    );
    // A hostile size is refused by the schema, before any model is built (issue 16 item 3).
    writeFileSync(
      join(dir, "checkpoint.json"),
      JSON.stringify({ ...manifest, model: { ...manifest.model, config: { ...manifest.model.config, lstmSize: 2048 } } }),
    );
    expect(() => readCheckpointManifest(dir)).toThrow(/model\.config\.lstmSize: .*512/);
    a.trainer.dispose();
    a.model.dispose();
  });

  it("rejects a checkpoint from other options, and a corrupt one", () => {
    const dir = tempDir();
    const a = setup();
    a.trainer.trainStep();
    saveTrainerCheckpoint(a.trainer, dir);
    const b = setup({ batchSize: 4 });
    expect(() => restoreTrainerCheckpoint(b.trainer, dir)).toThrow(expect.objectContaining({ code: "INCOMPATIBLE_CHECKPOINT" }));
    const manifest = JSON.parse(readFileSync(join(dir, "checkpoint.json"), "utf8"));
    writeFileSync(join(dir, manifest.dataFile), Buffer.alloc(manifest.dataBytes));
    const c = setup();
    expect(() => restoreTrainerCheckpoint(c.trainer, dir)).toThrow(
      expect.objectContaining({ code: "INVALID_CHECKPOINT", message: expect.stringMatching(/checksum/) }),
    );
    writeFileSync(join(dir, "checkpoint.json"), JSON.stringify({ ...manifest, version: 99 }));
    expect(() => restoreTrainerCheckpoint(c.trainer, dir)).toThrow(/not a checkpoint of version 1/);
    expect(restoreTrainerCheckpoint(setup().trainer, tempDir())).toBe(false);
    for (const run of [a, b, c]) {
      run.trainer.dispose();
      run.model.dispose();
    }
  });

  it("trains only the chosen parameters (a frozen core with one trainable memory row)", () => {
    const { model, trainer } = setup({ trainable: { programs: ["tally/MARK"] } });
    const before = model.weights();
    for (let i = 0; i < 5; i++) trainer.trainStep();
    const after = model.weights();
    for (const { name, tensor } of before) {
      if (name === "memory/programKeys" || name === "memory/programEmbeddings") {
        const width = tensor.shape[1]!;
        const row = (data: ArrayLike<number>, r: number) => Array.from(data).slice(r * width, (r + 1) * width);
        expect(row(after.get(name).data, 0)).toEqual(row(tensor.data, 0));
        expect(row(after.get(name).data, 1)).not.toEqual(row(tensor.data, 1));
        expect(row(after.get(name).data, 2)).toEqual(row(tensor.data, 2));
      } else {
        expect(Array.from(after.get(name).data), name).toEqual(Array.from(tensor.data));
      }
    }
    trainer.dispose();
    model.dispose();
  });

  it("draws programs by the adaptive curriculum: a softmax over their current errors", () => {
    const { model, trainer } = setup({ curriculum: { temperature: 0.05, everySteps: 1000, samplesPerProgram: 8 } });
    const first = trainer.trainStep();
    expect(first.curriculum).toBeDefined();
    const { programs } = first.curriculum!;
    const [a, b] = programs;
    expect(a!.probability + b!.probability).toBeCloseTo(1, 10);
    expect(a!.probability / b!.probability).toBeCloseTo(Math.exp((a!.stepError - b!.stepError) / 0.05), 6);
    trainer.dispose();
    model.dispose();
  });

  it("lets a caller mask gradients and re-apply a mask after each update (pruning hooks)", () => {
    const name = "core/lstm1/recurrent_kernel";
    const probe = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 11 });
    const shape = probe.weights().get(name).shape;
    probe.dispose();
    const mask = tf.tensor(
      Float32Array.from({ length: shape[0]! * shape[1]! }, (_, i) => (i % 3 === 0 ? 0 : 1)),
      [...shape],
    );
    const { model, trainer } = setup({
      transformGradient: (p, g) => (p.name === name ? tf.mul(g, mask) : g),
      afterUpdate: (m) => {
        const w = m.weights().get(name);
        const data = Float32Array.from(w.data as Float32Array, (v, i) => (i % 3 === 0 ? 0 : v));
        m.setWeights(new WeightMap().add(name, { dtype: "float32", shape: w.shape, data }));
      },
    });
    const before = model.weights().get(name).data;
    for (let i = 0; i < 4; i++) trainer.trainStep();
    const after = model.weights().get(name).data;
    expect(
      Array.from(after)
        .filter((_, i) => i % 3 === 0)
        .every((v) => v === 0),
    ).toBe(true);
    expect(Array.from(after).some((v, i) => i % 3 !== 0 && v !== before[i])).toBe(true);
    mask.dispose();
    trainer.dispose();
    model.dispose();
  });
});
