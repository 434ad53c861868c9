import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runPrograms } from "@dcnpi/npi-core";
import { NpiTrainer, createNpiModel, type TrainStepMetrics } from "@dcnpi/npi-core/tfjs";
import { createProgress, writeJsonAtomic } from "@dcnpi/run-kit";
import { Rng } from "@dcnpi/tensor";
import { z } from "zod";
import { NpiAppError } from "./errors.js";
import { stepBudget } from "./evaluate.js";
import { TRAIN_INFO_FILE, type TrainInfo } from "./model-store.js";
import { recipeFor } from "./recipes.js";
import { buildDataset } from "./training-set.js";
import { resolveTask, type TaskName } from "./tasks.js";

export interface TrainCommandOptions {
  readonly task: TaskName;
  readonly seed: number;
  /** The run directory: checkpoint, npi-train.json, train-state.json. */
  readonly out: string;
  readonly quick: boolean;
  readonly maxSteps?: number;
  readonly progress: "bar" | "lines" | "silent";
  readonly log: (line: string) => void;
}

const stateSchema = z.object({
  version: z.literal(1),
  step: z.number().int().nonnegative(),
  status: z.enum(["training", "finished"]),
  wallSeconds: z.number().nonnegative(),
  cpuSeconds: z.number().nonnegative(),
  perfectChecks: z.number().int().nonnegative(),
  validation: z.array(z.object({ step: z.number().int(), accuracy: z.number(), teacherForcedError: z.number() })),
  lossCurve: z.array(z.object({ step: z.number().int(), loss: z.number() })),
});
export type TrainState = z.infer<typeof stateSchema>;
export const TRAIN_STATE_FILE = "train-state.json";

export interface TrainSummary {
  readonly dir: string;
  readonly state: TrainState;
  readonly resumedFrom: number | null;
}

function readJson<T>(file: string, schema: z.ZodType<T>, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new NpiAppError("INCOMPATIBLE_RUN", `${file}: not valid JSON; delete the directory to start over`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new NpiAppError("INCOMPATIBLE_RUN", `${file}: not a valid ${what}; delete the directory to start over`);
  return parsed.data;
}

/**
 * Trains one task with npi-core's trainer (teacher traces, adaptive curriculum), validating on fresh
 * problems at training lengths and checkpointing atomically every `checkEverySteps`; a run killed at
 * any moment continues from its last checkpoint when started again with the same settings.
 */
export function trainCommand(options: TrainCommandOptions): TrainSummary {
  const task = resolveTask(options.task);
  const recipe = recipeFor(options.task, { quick: options.quick, ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }) });
  const info: TrainInfo = {
    kind: "dcnpi/npi-train",
    version: 1,
    task: options.task,
    quick: options.quick,
    trainingSet: { trainLengths: [...recipe.trainLengths], tracesPerLength: recipe.tracesPerLength, extraPrograms: [...recipe.extraPrograms], seed: options.seed },
  };
  const dir = options.out;
  const infoPath = join(dir, TRAIN_INFO_FILE);
  const statePath = join(dir, TRAIN_STATE_FILE);
  if (existsSync(infoPath)) {
    const existing = readJson(infoPath, z.unknown(), "npi-train.json");
    if (JSON.stringify(existing) !== JSON.stringify(info)) {
      throw new NpiAppError("INCOMPATIBLE_RUN", `${dir} holds a run with other settings (task, seed or --quick); pick another --out or delete it`);
    }
  } else if (existsSync(dir) && existsSync(join(dir, "checkpoint.json"))) {
    throw new NpiAppError("INCOMPATIBLE_RUN", `${dir} holds a checkpoint that npi train did not write (no ${TRAIN_INFO_FILE}); pick another --out`);
  }
  mkdirSync(dir, { recursive: true });
  writeJsonAtomic(infoPath, info);

  const model = createNpiModel({ tasks: [task], config: recipe.model, seed: options.seed });
  try {
    const dataset = buildDataset(model, task, info.trainingSet);
    const stats = dataset.stats();
    options.log(`${options.task}: ${stats.traces} teacher traces, ${stats.invocations} invocations (${stats.uniqueInvocations} distinct), ${stats.steps} steps`);
    const trainer = new NpiTrainer(model, dataset, { ...recipe.trainer, seed: options.seed });
    const validationRng = Rng.fromSeed(options.seed).fork(`${task.name}-validation`);
    const validationInputs = Array.from({ length: recipe.validationProblems }, (_, i) => task.randomInput(validationRng, recipe.trainLengths[i % recipe.trainLengths.length]!));
    const budgets = validationInputs.map((input) => stepBudget(task, input));

    let state: TrainState = { version: 1, step: 0, status: "training", wallSeconds: 0, cpuSeconds: 0, perfectChecks: 0, validation: [], lossCurve: [] };
    let resumedFrom: number | null = null;
    if (trainer.restoreCheckpoint(dir)) {
      resumedFrom = trainer.step;
      if (existsSync(statePath)) state = readJson(statePath, stateSchema, "train-state.json");
      if (state.step > trainer.step) throw new NpiAppError("INCOMPATIBLE_RUN", `${statePath} is at step ${state.step}, the checkpoint at ${trainer.step}; delete the directory to start over`);
      if (state.step < trainer.step) {
        // Killed between the checkpoint and the state file: the checkpoint is the truth.
        state = { ...state, step: trainer.step, status: "training", perfectChecks: 0 };
      }
      const finished = trainer.step >= recipe.maxSteps || state.perfectChecks >= recipe.stopAfterPerfectChecks;
      options.log(finished ? `${dir}: already trained (${trainer.step} steps)` : `${dir}: resuming at step ${trainer.step}`);
    }
    // Finished runs stay finished unless a larger --max-steps asks for more.
    const done = () => trainer.step >= recipe.maxSteps || state.perfectChecks >= recipe.stopAfterPerfectChecks;
    if (!done()) state.status = "training";
    const progress = createProgress({ label: `train ${options.task}`, total: recipe.maxSteps, mode: done() ? "silent" : options.progress });
    progress.update(trainer.step);
    let wall = performance.now();
    let cpu = process.cpuUsage();
    const window: TrainStepMetrics[] = [];
    while (!done()) {
      const metrics = trainer.trainStep();
      window.push(metrics);
      if (window.length === 10 || trainer.step % recipe.checkEverySteps === 0) {
        state.lossCurve.push({ step: trainer.step, loss: window.reduce((a, m) => a + m.loss, 0) / window.length });
        window.length = 0;
      }
      if (trainer.step % recipe.checkEverySteps === 0 || trainer.step >= recipe.maxSteps) {
        const envs = validationInputs.map((input) => task.createEnvironment(input));
        const runs = runPrograms(model, envs.map((env, i) => ({ task, env, maxSteps: budgets[i]! })));
        const solved = runs.filter((r, i) => r.status === "returned" && task.isSolved(validationInputs[i]!, envs[i]!)).length;
        const teacherForcedError = Math.max(...trainer.estimateErrors().programs.map((p) => p.stepError));
        const point = { step: trainer.step, accuracy: solved / validationInputs.length, teacherForcedError };
        state.validation.push(point);
        state.perfectChecks = point.accuracy === 1 && teacherForcedError === 0 ? state.perfectChecks + 1 : 0;
        const now = performance.now();
        const used = process.cpuUsage(cpu);
        state.wallSeconds += (now - wall) / 1000;
        state.cpuSeconds += (used.user + used.system) / 1e6;
        wall = now;
        cpu = process.cpuUsage();
        state.step = trainer.step;
        if (done()) state.status = "finished";
        // The checkpoint first: a kill between the two leaves a state file that lags, which resuming repairs.
        trainer.saveCheckpoint(dir);
        writeJsonAtomic(statePath, state);
        if (options.progress !== "bar") options.log(`step ${point.step}: validation ${(100 * point.accuracy).toFixed(0)}% solved, max teacher-forced step error ${teacherForcedError.toFixed(4)}`);
      }
      const last = state.validation[state.validation.length - 1];
      progress.update(trainer.step, `loss ${metrics.loss.toFixed(3)}${last ? ` val ${(100 * last.accuracy).toFixed(0)}%` : ""}`);
    }
    if (state.status !== "finished") {
      state.status = "finished";
      writeJsonAtomic(statePath, state);
    }
    progress.stop(`${trainer.step} steps`);
    trainer.dispose();
    return { dir, state, resumedFrom };
  } finally {
    model.dispose();
  }
}
