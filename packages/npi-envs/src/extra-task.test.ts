// A new task written only through @dcnpi/npi-core's public API: copy a row of digits.
// Everything a task needs is here (environment, observation, ACT, programs with teachers, encoder,
// problem generator, answer check), then the same trace recorder, verifier, model, trainer and
// RUN loop as addition and sorting use.
import { InvocationDataset, defineTask, recordTrace, runPrograms, verifyTrace } from "@dcnpi/npi-core";
import { NpiTrainer, createNpiModel } from "@dcnpi/npi-core/tfjs";
import { initEngine } from "@dcnpi/engine";
import { Rng } from "@dcnpi/tensor";
import { beforeAll, describe, expect, it } from "vitest";

const BLANK = 10;
const WRITE = 0;
const ADVANCE = 1;

interface CopyEnv {
  readonly source: number[];
  readonly target: number[];
  at: number;
}

const copyTask = defineTask<CopyEnv, number[]>({
  name: "copy",
  rootProgram: "COPY",
  // The digit under the pointer in each row, one-hot over 10 digits + blank.
  observationShape: [2, 11],
  // ACT(WRITE, digit) writes into the target row; ACT(ADVANCE) moves the pointer right.
  argumentSizes: [2, 10, 1],
  encoder: { kind: "mlp", hiddenSizes: [32] },
  programs: [
    {
      name: "COPY",
      teach(t) {
        while (t.env.source[t.env.at] !== undefined) t.call("COPY1");
        t.stop();
      },
    },
    {
      name: "COPY1",
      teach(t) {
        t.act([WRITE, t.env.source[t.env.at]!, 0]);
        t.act([ADVANCE, 0, 0], { end: true });
      },
    },
    { name: "ACT", act: true },
  ],
  createEnvironment: (digits) => ({ source: [...digits], target: [], at: 0 }),
  observe(env) {
    const out = new Float32Array(22);
    out[env.source[env.at] ?? BLANK] = 1;
    out[11 + (env.target[env.at] ?? BLANK)] = 1;
    return out;
  },
  act(env, [kind, digit]) {
    if (kind === WRITE) env.target[env.at] = digit;
    else env.at++;
  },
  isSolved: (digits, env) => env.target.length === digits.length && digits.every((d, i) => env.target[i] === d),
  randomInput: (rng, length) => Array.from({ length }, () => rng.int(10)),
  formatInput: (digits) => digits.join(""),
  describeAction: ([kind, digit]) => (kind === WRITE ? `WRITE ${digit}` : "ADVANCE"),
});

beforeAll(async () => {
  await initEngine({ log: false });
});

describe("a task defined through the public API (copy)", () => {
  it("has a teacher whose traces the verifier accepts on 2,000 random inputs", () => {
    const rng = Rng.fromSeed(1);
    for (let i = 0; i < 2000; i++) {
      const digits = copyTask.randomInput(rng, rng.int(30));
      const env = copyTask.createEnvironment(digits);
      const trace = recordTrace(copyTask, env, { observations: false });
      expect(copyTask.isSolved(digits, env)).toBe(true);
      expect(verifyTrace(copyTask, digits, trace).correct).toBe(true);
    }
  });

  it("trains with the core's trainer and then copies longer rows than it was trained on", () => {
    const model = createNpiModel({
      tasks: [copyTask],
      seed: 2,
      config: { stateSize: 32, programEmbeddingSize: 16, programKeySize: 8, fusionHiddenSize: 64, lstmSize: 64, argumentDepth: 10 },
    });
    const dataset = new InvocationDataset(model);
    const rng = Rng.fromSeed(3);
    for (let length = 1; length <= 4; length++) {
      for (let k = 0; k < 20; k++)
        dataset.addTrace(copyTask, recordTrace(copyTask, copyTask.createEnvironment(copyTask.randomInput(rng, length))));
    }
    const trainer = new NpiTrainer(model, dataset, {
      seed: 4,
      batchSize: 16,
      programsPerStep: 2,
      stepsPerBatch: 64,
      learningRate: { initial: 1e-2, factor: 0.95, everySteps: 100 },
    });
    for (let step = 0; step < 80; step++) trainer.trainStep();
    expect(trainer.estimateErrors().programs.map((p) => p.stepError)).toEqual([0, 0]);
    const inputs = [5, 8, 12].map((length) => copyTask.randomInput(rng, length));
    const envs = inputs.map((digits) => copyTask.createEnvironment(digits));
    const results = runPrograms(
      model,
      envs.map((env) => ({ task: copyTask, env })),
      { maxSteps: 100 },
    );
    results.forEach((result, i) =>
      expect(verifyTrace(copyTask, inputs[i]!, result.trace).correct, copyTask.formatInput!(inputs[i]!)).toBe(true),
    );
    trainer.dispose();
    model.dispose();
  });
});
