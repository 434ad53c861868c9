import { MEASURED_TRAINER_OPTIONS, QUICK_MODEL_CONFIG, QUICK_TRAINER_OPTIONS, type NpiModelConfig, type TrainerOptions } from "@dcnpi/npi-core/tfjs";
import { NpiAppError } from "./errors.js";
import { resolveTask, type TaskName } from "./tasks.js";

/** Everything that decides a training run (ours unless marked as the paper's). */
export interface TrainingRecipe {
  /** Training problem sizes and teacher traces per size (the paper's data sets, §4.2 and §6.3). */
  readonly trainLengths: readonly number[];
  readonly tracesPerLength: number;
  /** Programs also recorded as their own traces on the environment each root trace leaves (addition's RSHIFT, which ADD never calls). */
  readonly extraPrograms: readonly string[];
  readonly model: Partial<NpiModelConfig>;
  readonly trainer: Omit<TrainerOptions, "seed">;
  readonly maxSteps: number;
  /** Validation (fresh problems at training lengths only) and checkpoint cadence. */
  readonly checkEverySteps: number;
  /** Stop once this many consecutive checks solved every validation problem with no teacher-forced error. */
  readonly stopAfterPerfectChecks: number;
  readonly validationProblems: number;
}

// The shared, measured settings (npi-core/tfjs training-presets.ts).
const trainer = MEASURED_TRAINER_OPTIONS;

const full: Record<"addition" | "sort", TrainingRecipe> = {
  addition: {
    trainLengths: Array.from({ length: 20 }, (_, i) => i + 1),
    tracesPerLength: 32,
    extraPrograms: ["RSHIFT"],
    model: {},
    trainer,
    maxSteps: 6_000,
    checkEverySteps: 100,
    stopAfterPerfectChecks: 3,
    validationProblems: 40,
  },
  sort: {
    trainLengths: Array.from({ length: 19 }, (_, i) => i + 2),
    tracesPerLength: 64,
    extraPrograms: [],
    model: {},
    trainer,
    maxSteps: 6_000,
    checkEverySteps: 100,
    stopAfterPerfectChecks: 3,
    validationProblems: 40,
  },
};

/** A small model and a few hundred steps: checks the whole pipeline in about a minute (not a result). */
const quickModel = QUICK_MODEL_CONFIG;
const quickTrainer = QUICK_TRAINER_OPTIONS;
const quick: Record<"addition" | "sort", TrainingRecipe> = {
  addition: { ...full.addition, trainLengths: [1, 2, 3, 4, 5], tracesPerLength: 8, model: quickModel, trainer: quickTrainer, maxSteps: 150, checkEverySteps: 50, stopAfterPerfectChecks: 2, validationProblems: 8 },
  sort: { ...full.sort, trainLengths: [2, 3, 4, 5], tracesPerLength: 4, model: quickModel, trainer: quickTrainer, maxSteps: 150, checkEverySteps: 50, stopAfterPerfectChecks: 2, validationProblems: 8 },
};

/**
 * Refuses a task `npi train` cannot train: car needs npi-envs' car task and a recipe here; the task now
 * exists (its experiment is `repro npi car`), the recipe does not yet.
 */
export function checkTrainable(task: TaskName): void {
  resolveTask(task);
  if (task === "car") throw new NpiAppError("TASK_UNAVAILABLE", "--task car: npi train has no training recipe for the car task yet (its experiment is `repro npi car`)");
}

export function recipeFor(task: TaskName, options: { readonly quick: boolean; readonly maxSteps?: number }): TrainingRecipe {
  if (task === "car") {
    checkTrainable(task);
    throw new Error("unreachable");
  }
  const recipe = (options.quick ? quick : full)[task];
  return options.maxSteps === undefined ? recipe : { ...recipe, maxSteps: options.maxSteps };
}
