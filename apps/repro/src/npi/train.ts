import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InvocationDataset, recordTrace, runPrograms, type DatasetStats, type Task } from "@dcnpi/npi-core";
import { NpiTrainer, createNpiModel, type NpiModel, type TrainStepMetrics } from "@dcnpi/npi-core/tfjs";
import { createProgress, writeJsonAtomic } from "@dcnpi/run-kit";
import { Rng } from "@dcnpi/tensor";
import { z } from "zod";
import { stepBudget } from "./budget.js";
import type { TrainingRecipe } from "./recipes.js";

export interface TrainTaskOptions<Input> {
  readonly task: Task<any, Input>;
  readonly recipe: TrainingRecipe;
  readonly seed: number;
  /** Training problems (teacher traces are recorded from them). */
  readonly inputs: readonly Input[];
  /** Programs also recorded, as their own traces, on the environment each root trace leaves (e.g. RSHIFT). */
  readonly extraPrograms?: readonly string[];
  /** Where checkpoints and the training state go (a run-directory stage). */
  readonly dir: string;
  readonly label: string;
  readonly log: (record: Record<string, unknown>) => void;
  readonly progress?: "bar" | "lines" | "silent";
}

export interface ValidationPoint {
  readonly step: number;
  readonly accuracy: number;
  readonly teacherForcedError: number;
}

export interface TrainSummary {
  readonly steps: number;
  readonly stoppedEarly: boolean;
  /** Wall-clock and CPU seconds spent in training (summed over resumed runs; work lost to a kill is not counted). */
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly dataset: DatasetStats;
  readonly validation: readonly ValidationPoint[];
  readonly finalErrors: readonly { readonly program: string; readonly stepError: number; readonly sequenceError: number }[];
  readonly lossCurve: readonly { readonly step: number; readonly loss: number }[];
}

const stateSchema = z.object({
  version: z.literal(1),
  step: z.number().int(),
  wallSeconds: z.number(),
  cpuSeconds: z.number(),
  perfectChecks: z.number().int(),
  validation: z.array(z.object({ step: z.number().int(), accuracy: z.number(), teacherForcedError: z.number() })),
  lossCurve: z.array(z.object({ step: z.number().int(), loss: z.number() })),
});
type TrainState = z.infer<typeof stateSchema>;

/** Builds the model, records the teacher traces and trains; resumes from `dir` after a kill. */
export function trainTask<Input>(options: TrainTaskOptions<Input>): { model: NpiModel; summary: TrainSummary } {
  const { task, recipe } = options;
  const model = createNpiModel({ tasks: [task], config: recipe.model, seed: options.seed });
  const dataset = new InvocationDataset(model);
  for (const input of options.inputs) {
    const env = task.createEnvironment(input);
    dataset.addTrace(task, recordTrace(task, env));
    for (const program of options.extraPrograms ?? []) dataset.addTrace(task, recordTrace(task, env, { program }));
  }
  const trainer = new NpiTrainer(model, dataset, { ...recipe.trainer, seed: options.seed });
  const validationRng = Rng.fromSeed(options.seed).fork(`${task.name}-validation`);
  const validationInputs = Array.from({ length: recipe.validationProblems }, (_, i) => task.randomInput(validationRng, recipe.trainLengths[i % recipe.trainLengths.length]!));
  const validationBudgets = validationInputs.map((input) => stepBudget(task, input));

  const statePath = join(options.dir, "train-state.json");
  let state: TrainState = { version: 1, step: 0, wallSeconds: 0, cpuSeconds: 0, perfectChecks: 0, validation: [], lossCurve: [] };
  if (trainer.restoreCheckpoint(options.dir)) {
    if (!existsSync(statePath)) throw new Error(`${options.dir}: checkpoint without train-state.json; delete the directory to start over`);
    state = stateSchema.parse(JSON.parse(readFileSync(statePath, "utf8")));
    if (state.step !== trainer.step) throw new Error(`${statePath}: step ${state.step} but the checkpoint is at step ${trainer.step}`);
    options.log({ event: "resume", task: task.name, step: trainer.step });
  }
  const done = () => trainer.step >= recipe.maxSteps || state.perfectChecks >= recipe.stopAfterPerfectChecks;
  const progress = createProgress({ label: options.label, total: recipe.maxSteps, mode: options.progress ?? (process.stderr.isTTY ? "bar" : "lines") });
  progress.update(trainer.step);
  let wall = performance.now();
  let cpu = process.cpuUsage();
  const window: TrainStepMetrics[] = [];
  while (!done()) {
    const metrics = trainer.trainStep();
    window.push(metrics);
    if (metrics.curriculum !== undefined) {
      options.log({ event: "curriculum", task: task.name, step: metrics.step, programs: metrics.curriculum.programs });
    }
    if (window.length === 10 || trainer.step % recipe.checkEverySteps === 0) {
      const mean = (pick: (m: TrainStepMetrics) => number) => window.reduce((a, m) => a + pick(m), 0) / window.length;
      const loss = mean((m) => m.loss);
      state.lossCurve.push({ step: trainer.step, loss });
      options.log({ event: "train", task: task.name, step: trainer.step, loss, endLoss: mean((m) => m.endLoss), programLoss: mean((m) => m.programLoss), argumentLoss: mean((m) => m.argumentLoss), gradientNorm: mean((m) => m.gradientNorm), learningRate: metrics.learningRate });
      window.length = 0;
    }
    if (trainer.step % recipe.checkEverySteps === 0 || trainer.step >= recipe.maxSteps) {
      const envs = validationInputs.map((input) => task.createEnvironment(input));
      const runs = runPrograms(model, envs.map((env, i) => ({ task, env, maxSteps: validationBudgets[i]! })));
      const solved = runs.filter((r, i) => r.status === "returned" && task.isSolved(validationInputs[i]!, envs[i]!)).length;
      const errors = trainer.estimateErrors();
      const teacherForcedError = Math.max(...errors.programs.map((p) => p.stepError));
      const point = { step: trainer.step, accuracy: solved / validationInputs.length, teacherForcedError };
      state.validation.push(point);
      state.perfectChecks = point.accuracy === 1 && teacherForcedError === 0 ? state.perfectChecks + 1 : 0;
      options.log({ event: "validation", task: task.name, ...point, errors: errors.programs });
      const now = performance.now();
      const used = process.cpuUsage(cpu);
      state.wallSeconds += (now - wall) / 1000;
      state.cpuSeconds += (used.user + used.system) / 1e6;
      wall = now;
      cpu = process.cpuUsage();
      state.step = trainer.step;
      trainer.saveCheckpoint(options.dir);
      writeJsonAtomic(statePath, state);
    }
    const last = state.validation[state.validation.length - 1];
    progress.update(trainer.step, `loss ${metrics.loss.toFixed(3)}${last ? ` val ${(100 * last.accuracy).toFixed(0)}%` : ""}`);
  }
  progress.stop(`${trainer.step} steps`);
  const finalErrors = trainer.estimateErrors().programs.map((p) => ({ program: p.program, stepError: p.stepError, sequenceError: p.sequenceError }));
  trainer.dispose();
  return {
    model,
    summary: {
      steps: trainer.step,
      stoppedEarly: trainer.step < recipe.maxSteps,
      wallSeconds: state.wallSeconds,
      cpuSeconds: state.cpuSeconds,
      dataset: dataset.stats(),
      validation: state.validation,
      finalErrors,
      lossCurve: state.lossCurve,
    },
  };
}
