import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InvocationDataset, recordTrace, runPrograms, type Task } from "@dcnpi/npi-core";
import { NpiTrainer, type NpiModel, type TrainStepMetrics, type TrainableSelection, type TrainerOptions } from "@dcnpi/npi-core/tfjs";
import { createProgress, writeJsonAtomic } from "@dcnpi/run-kit";
import { z } from "zod";
import { stepBudget } from "./budget.js";
import type { TrainSummary } from "./train.js";

/** One task's share of a multi-task training set. */
export interface TaskData {
  readonly task: Task<any, any>;
  /** Training problems (teacher traces are recorded from them). */
  readonly inputs: readonly unknown[];
  /** Programs also recorded, as their own traces, on the environment each root trace leaves (e.g. addition's RSHIFT). */
  readonly extraPrograms?: readonly string[];
  /** Validation problems (for the stopping rule only). */
  readonly validation: readonly unknown[];
}

export interface MultiTaskPhase {
  readonly trainer: Omit<TrainerOptions, "seed">;
  readonly maxSteps: number;
  readonly checkEverySteps: number;
  /** Stop once this many consecutive checks found every validation problem of every task solved and no teacher-forced error. */
  readonly stopAfterPerfectChecks: number;
}

export interface MultiTaskTrainSummary extends TrainSummary {
  /** Validation accuracy per task at the last check. */
  readonly lastValidation: Record<string, number>;
}

const stateSchema = z.object({
  version: z.literal(1),
  step: z.number().int(),
  wallSeconds: z.number(),
  cpuSeconds: z.number(),
  perfectChecks: z.number().int(),
  validation: z.array(z.object({ step: z.number().int(), accuracy: z.number(), teacherForcedError: z.number() })),
  lastValidation: z.record(z.string(), z.number()),
  lossCurve: z.array(z.object({ step: z.number().int(), loss: z.number() })),
});
type State = z.infer<typeof stateSchema>;

/**
 * Trains one model on several tasks at once (shared core, one program memory, one encoder per
 * environment), with the adaptive curriculum over all their programs; `trainable` freezes the rest
 * (the MAX phase trains only the new memory rows). Resumes from `dir` after a kill, like `trainTask`.
 */
export function trainMultiTask(options: {
  readonly model: NpiModel;
  readonly data: readonly TaskData[];
  readonly phase: MultiTaskPhase;
  readonly trainable?: TrainableSelection;
  readonly seed: number;
  readonly dir: string;
  readonly label: string;
  readonly log: (record: Record<string, unknown>) => void;
  readonly progress?: "bar" | "lines" | "silent";
}): MultiTaskTrainSummary {
  const { model, data, phase } = options;
  const dataset = new InvocationDataset(model);
  for (const { task, inputs, extraPrograms } of data) {
    for (const input of inputs) {
      const env = task.createEnvironment(input);
      dataset.addTrace(task, recordTrace(task, env));
      for (const program of extraPrograms ?? []) dataset.addTrace(task, recordTrace(task, env, { program }));
    }
  }
  const trainer = new NpiTrainer(model, dataset, { ...phase.trainer, seed: options.seed, ...(options.trainable ? { trainable: options.trainable } : {}) });
  const budgets = data.map(({ task, validation }) => validation.map((input) => stepBudget(task, input)));

  const statePath = join(options.dir, "train-state.json");
  let state: State = { version: 1, step: 0, wallSeconds: 0, cpuSeconds: 0, perfectChecks: 0, validation: [], lastValidation: {}, lossCurve: [] };
  if (trainer.restoreCheckpoint(options.dir)) {
    if (!existsSync(statePath)) throw new Error(`${options.dir}: checkpoint without train-state.json; delete the directory to start over`);
    state = stateSchema.parse(JSON.parse(readFileSync(statePath, "utf8")));
    if (state.step !== trainer.step) throw new Error(`${statePath}: step ${state.step} but the checkpoint is at step ${trainer.step}`);
    options.log({ event: "resume", step: trainer.step });
  }
  const done = () => trainer.step >= phase.maxSteps || state.perfectChecks >= phase.stopAfterPerfectChecks;
  const progress = createProgress({ label: options.label, total: phase.maxSteps, mode: options.progress ?? (process.stderr.isTTY ? "bar" : "lines") });
  progress.update(trainer.step);
  let wall = performance.now();
  let cpu = process.cpuUsage();
  const window: TrainStepMetrics[] = [];
  while (!done()) {
    const metrics = trainer.trainStep();
    window.push(metrics);
    if (metrics.curriculum !== undefined) options.log({ event: "curriculum", step: metrics.step, programs: metrics.curriculum.programs });
    if (window.length === 10 || trainer.step % phase.checkEverySteps === 0) {
      const mean = (pick: (m: TrainStepMetrics) => number) => window.reduce((a, m) => a + pick(m), 0) / window.length;
      const loss = mean((m) => m.loss);
      state.lossCurve.push({ step: trainer.step, loss });
      options.log({ event: "train", step: trainer.step, loss, endLoss: mean((m) => m.endLoss), programLoss: mean((m) => m.programLoss), argumentLoss: mean((m) => m.argumentLoss), gradientNorm: mean((m) => m.gradientNorm), learningRate: metrics.learningRate });
      window.length = 0;
    }
    if (trainer.step % phase.checkEverySteps === 0 || trainer.step >= phase.maxSteps) {
      let solved = 0;
      let total = 0;
      const perTask: Record<string, number> = {};
      data.forEach(({ task, validation }, k) => {
        const envs = validation.map((input) => task.createEnvironment(input));
        const runs = runPrograms(model, envs.map((env, i) => ({ task, env, maxSteps: budgets[k]![i]! })));
        const ok = runs.filter((r, i) => r.status === "returned" && task.isSolved(validation[i], envs[i])).length;
        perTask[task.name] = validation.length === 0 ? 1 : ok / validation.length;
        solved += ok;
        total += validation.length;
      });
      const errors = trainer.estimateErrors();
      const teacherForcedError = Math.max(...errors.programs.map((p) => p.stepError));
      const point = { step: trainer.step, accuracy: total === 0 ? 1 : solved / total, teacherForcedError };
      state.validation.push(point);
      state.lastValidation = perTask;
      state.perfectChecks = point.accuracy === 1 && teacherForcedError === 0 ? state.perfectChecks + 1 : 0;
      options.log({ event: "validation", ...point, perTask, errors: errors.programs });
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
    steps: trainer.step,
    stoppedEarly: trainer.step < phase.maxSteps,
    wallSeconds: state.wallSeconds,
    cpuSeconds: state.cpuSeconds,
    dataset: dataset.stats(),
    validation: state.validation,
    lastValidation: state.lastValidation,
    finalErrors,
    lossCurve: state.lossCurve,
  };
}
