import {
  MEASURED_TRAINER_OPTIONS,
  QUICK_MODEL_CONFIG,
  QUICK_TRAINER_OPTIONS,
  TRAINING_RECIPE_VERSION,
  type TrainingRecipe,
} from "@dcnpi/npi-core/tfjs";
import type { CarTraining, TrainingSet } from "./model-store.js";

// Each task's own recipe is in its entry (task-entries/); this module holds what they share.

/** npi-core's `TrainingRecipe` (shared with `repro npi`), and for the car task where its problems come from. */
export interface TaskRecipe extends TrainingRecipe {
  /** Car task only: the seen/unseen split the training problems come from, and the render size. */
  readonly cars?: CarTraining;
}

export { TRAINING_RECIPE_VERSION };

/** The shared, measured trainer settings (npi-core/tfjs training-presets.ts). */
export const trainer = MEASURED_TRAINER_OPTIONS;

/** The recursive tasks' model (ours): the paper's layout at half width. */
export const RECURSIVE_MODEL_CONFIG = Object.freeze({
  lstmSize: 128,
  fusionHiddenSize: 128,
  stateSize: 64,
  programEmbeddingSize: 32,
  programKeySize: 16,
});

/**
 * The recipe every recursive task trains with (ours, first measured on recursive addition): the
 * half-width core, Adam 3e-3 × 0.95 every 100 steps, at most 1,500 steps, stopped after 3 perfect
 * checks of 40 validation problems. Each call of a recursive program is short and its decisions
 * simple; `npi verify` is the real test. Tasks differ in their problem lengths and counts.
 */
export function recursiveTaskRecipe(problems: { readonly trainLengths: readonly number[]; readonly tracesPerLength: number }): TaskRecipe {
  return {
    version: TRAINING_RECIPE_VERSION,
    trainLengths: [...problems.trainLengths],
    tracesPerLength: problems.tracesPerLength,
    extraPrograms: [],
    model: RECURSIVE_MODEL_CONFIG,
    trainer: { ...trainer, learningRate: { initial: 3e-3, factor: 0.95, everySteps: 100 } },
    maxSteps: 1_500,
    checkEverySteps: 100,
    stopAfterPerfectChecks: 3,
    validationProblems: 40,
  };
}

/**
 * A task's `--quick` recipe: a small model and a few hundred steps on short problems (checks the whole
 * pipeline in about a minute; not a result). `overrides` gives the short lengths (and the car's small split).
 */
export function quickRecipeOf(full: TaskRecipe, overrides: Partial<TaskRecipe>): TaskRecipe {
  return {
    ...full,
    model: QUICK_MODEL_CONFIG,
    trainer: QUICK_TRAINER_OPTIONS,
    maxSteps: 150,
    checkEverySteps: 50,
    stopAfterPerfectChecks: 2,
    validationProblems: 8,
    ...overrides,
  };
}

/** The training set a recipe and seed give (what `npi-train.json` and a `.dcnpi` file record). */
export function trainingSetOf(recipe: TaskRecipe, seed: number): TrainingSet {
  return {
    trainLengths: [...recipe.trainLengths],
    tracesPerLength: recipe.tracesPerLength,
    extraPrograms: [...recipe.extraPrograms],
    seed,
    ...(recipe.cars === undefined ? {} : { cars: { ...recipe.cars } }),
  };
}
