/**
 * The training run every app uses: trainer steps until the model solves its validation problems (or a
 * step cap), with a checkpoint and a small state file written atomically at every check, so a run
 * killed at any moment continues from its last check when started again. The stopping rule (ours):
 * `stopAfterPerfectChecks` consecutive checks in which every validation problem was solved by the RUN
 * loop and no program made a teacher-forced step error.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { NpiError } from "../errors.js";
import { solvedFraction } from "../evaluate-problems.js";
import type { Task } from "../task.js";
import type { CurriculumEstimate, NpiTrainer, TrainStepMetrics } from "../tfjs/trainer.js";
import { writeFileAtomic } from "./checkpoint.js";
import { restoreTrainerCheckpoint, saveTrainerCheckpoint } from "./trainer-checkpoint.js";

/** Fresh problems of one task, for the stopping rule only (never a test set). */
export interface ValidationProblems {
  readonly task: Task<any, any>;
  readonly inputs: readonly unknown[];
}

export interface TrainWithValidationOptions {
  /** A trainer over the model and its teacher traces (its model is the one validated). */
  readonly trainer: NpiTrainer;
  readonly validation: readonly ValidationProblems[];
  readonly maxSteps: number;
  readonly checkEverySteps: number;
  readonly stopAfterPerfectChecks: number;
  /** Checkpoint and `train-state.json`; a run found here resumes. */
  readonly dir: string;
  /** After every step (progress displays). */
  readonly onStep?: (metrics: TrainStepMetrics, state: TrainingState) => void;
  /** Machine-readable events: resume, curriculum, train (means over 10 steps), validation. */
  readonly onEvent?: (event: TrainingEvent) => void;
}

export type TrainingEvent =
  /** `finished`: the run found had already met its stopping rule (nothing more to train). */
  | { readonly event: "resume"; readonly step: number; readonly finished: boolean }
  | { readonly event: "curriculum"; readonly step: number; readonly programs: CurriculumEstimate["programs"] }
  | {
      readonly event: "train";
      readonly step: number;
      readonly loss: number;
      readonly endLoss: number;
      readonly programLoss: number;
      readonly argumentLoss: number;
      readonly gradientNorm: number;
      readonly learningRate: number;
    }
  | {
      readonly event: "validation";
      readonly step: number;
      readonly accuracy: number;
      readonly teacherForcedError: number;
      readonly perTask: Record<string, number>;
      readonly errors: CurriculumEstimate["programs"];
    };

const stateSchema = z.object({
  version: z.literal(1),
  step: z.number().int().nonnegative(),
  // Older state files (before this module) lack the last two fields.
  status: z.enum(["training", "finished"]).default("training"),
  wallSeconds: z.number().nonnegative(),
  cpuSeconds: z.number().nonnegative(),
  perfectChecks: z.number().int().nonnegative(),
  validation: z.array(z.object({ step: z.number().int(), accuracy: z.number(), teacherForcedError: z.number() })),
  lastValidation: z.record(z.string(), z.number()).default({}),
  lossCurve: z.array(z.object({ step: z.number().int(), loss: z.number() })),
});
/** What `train-state.json` holds: the run's history (the checkpoint holds weights and optimizer). */
export type TrainingState = z.infer<typeof stateSchema>;
export const TRAINING_STATE_FILE = "train-state.json";

/** Reads a run's `train-state.json` (INVALID_CHECKPOINT if it is not one). */
export function readTrainingState(dir: string): TrainingState {
  const file = join(dir, TRAINING_STATE_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new NpiError("INVALID_CHECKPOINT", `${file}: not valid JSON; delete the directory to start over`);
  }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) throw new NpiError("INVALID_CHECKPOINT", `${file}: not a training state file; delete the directory to start over`);
  return parsed.data;
}

export interface TrainWithValidationResult {
  readonly state: TrainingState;
  /** The checkpoint step the run continued from, or null for a fresh run. */
  readonly resumedFrom: number | null;
}

/** Trains until the stopping rule or `maxSteps`; see the module comment. Does not dispose the trainer. */
export function trainWithValidation(options: TrainWithValidationOptions): TrainWithValidationResult {
  const { trainer, validation } = options;
  const statePath = join(options.dir, TRAINING_STATE_FILE);
  let state: TrainingState = {
    version: 1,
    step: 0,
    status: "training",
    wallSeconds: 0,
    cpuSeconds: 0,
    perfectChecks: 0,
    validation: [],
    lastValidation: {},
    lossCurve: [],
  };
  let resumedFrom: number | null = null;
  if (restoreTrainerCheckpoint(trainer, options.dir)) {
    resumedFrom = trainer.step;
    if (existsSync(statePath)) state = readTrainingState(options.dir);
    if (state.step > trainer.step)
      throw new NpiError(
        "INCOMPATIBLE_CHECKPOINT",
        `${statePath} is at step ${state.step}, the checkpoint at ${trainer.step}; delete the directory to start over`,
      );
    // Killed between the checkpoint and the state file: the checkpoint is the truth.
    if (state.step < trainer.step) state = { ...state, step: trainer.step, status: "training", perfectChecks: 0 };
  }
  const done = () => trainer.step >= options.maxSteps || state.perfectChecks >= options.stopAfterPerfectChecks;
  if (resumedFrom !== null) options.onEvent?.({ event: "resume", step: resumedFrom, finished: done() });
  // Finished runs stay finished unless a larger step cap asks for more.
  if (!done()) state.status = "training";
  let wall = performance.now();
  let cpu = process.cpuUsage();
  const window: TrainStepMetrics[] = [];
  while (!done()) {
    const metrics = trainer.trainStep();
    window.push(metrics);
    if (metrics.curriculum !== undefined)
      options.onEvent?.({ event: "curriculum", step: metrics.step, programs: metrics.curriculum.programs });
    const check = trainer.step % options.checkEverySteps === 0 || trainer.step >= options.maxSteps;
    if (window.length === 10 || check) {
      const mean = (pick: (m: TrainStepMetrics) => number) => window.reduce((a, m) => a + pick(m), 0) / window.length;
      const loss = mean((m) => m.loss);
      state.lossCurve.push({ step: trainer.step, loss });
      options.onEvent?.({
        event: "train",
        step: trainer.step,
        loss,
        endLoss: mean((m) => m.endLoss),
        programLoss: mean((m) => m.programLoss),
        argumentLoss: mean((m) => m.argumentLoss),
        gradientNorm: mean((m) => m.gradientNorm),
        learningRate: metrics.learningRate,
      });
      window.length = 0;
    }
    if (check) {
      let solved = 0;
      let total = 0;
      const perTask: Record<string, number> = {};
      for (const { task, inputs } of validation) {
        const fraction = solvedFraction(trainer.model, task, inputs);
        perTask[task.name] = fraction;
        solved += fraction * inputs.length;
        total += inputs.length;
      }
      const errors = trainer.estimateErrors().programs;
      const teacherForcedError = Math.max(...errors.map((p) => p.stepError));
      const point = { step: trainer.step, accuracy: total === 0 ? 1 : Math.round(solved) / total, teacherForcedError };
      state.validation.push(point);
      state.lastValidation = perTask;
      state.perfectChecks = point.accuracy === 1 && teacherForcedError === 0 ? state.perfectChecks + 1 : 0;
      options.onEvent?.({ event: "validation", ...point, perTask, errors });
      const now = performance.now();
      const used = process.cpuUsage(cpu);
      state.wallSeconds += (now - wall) / 1000;
      state.cpuSeconds += (used.user + used.system) / 1e6;
      wall = now;
      cpu = process.cpuUsage();
      state.step = trainer.step;
      if (done()) state.status = "finished";
      // The checkpoint first: a kill between the two leaves a state file that lags, which resuming repairs.
      saveTrainerCheckpoint(trainer, options.dir);
      writeFileAtomic(statePath, JSON.stringify(state, null, 2));
    }
    options.onStep?.(metrics, state);
  }
  if (state.status !== "finished") {
    state.status = "finished";
    writeFileAtomic(statePath, JSON.stringify(state, null, 2));
  }
  return { state, resumedFrom };
}

/** The progress display's note for a step: "loss 0.123 val 95%" (the last check's accuracy). */
export function trainingProgressNote(metrics: TrainStepMetrics, state: TrainingState): string {
  const last = state.validation[state.validation.length - 1];
  return `loss ${metrics.loss.toFixed(3)}${last ? ` val ${(100 * last.accuracy).toFixed(0)}%` : ""}`;
}
