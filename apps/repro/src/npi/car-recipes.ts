import type { TrainingRecipe } from "@dcnpi/npi-core/tfjs";
import { FULL_RECIPES, QUICK_RECIPES } from "./recipes.js";
import { DEFAULT_CAR_SPLIT, type CarSplitPlan } from "@dcnpi/npi-envs";

/** Everything that decides the car experiment (all ours: the paper gives no car training details). */
export interface CarRecipe {
  readonly split: CarSplitPlan;
  /** Side of the rendered images in pixels (the paper: 128; see the npi-envs README). */
  readonly imageSize: number;
  /** The pixel model (CNN encoder). `trainLengths` are the GOTO path lengths validation problems are drawn at. */
  readonly pixels: TrainingRecipe;
  /** The pose-oracle ablation (true pose one-hots, MLP encoder). */
  readonly oracle: TrainingRecipe;
}

const pathLengths = [1, 2, 3, 4, 5, 6, 7, 8];

/**
 * The real run: 40 seen cars with 2/3 of their 55 start poses for training (1,480 traces at seed 1), the
 * other third as seen-car test problems; 20 unseen cars from all 55 start poses (1,100 problems);
 * 32 × 32 images; the paper's 2×256 LSTM core; at most 800 training steps (≈40 minutes on the
 * loaded 2-core machine) for the pixel model and 200 for the oracle.
 */
export const FULL_CAR_RECIPE: CarRecipe = {
  split: DEFAULT_CAR_SPLIT,
  imageSize: 32,
  pixels: {
    ...FULL_RECIPES.addition,
    trainLengths: pathLengths,
    tracesPerLength: 0,
    extraPrograms: [],
    model: {},
    maxSteps: 800,
    checkEverySteps: 100,
    stopAfterPerfectChecks: 3,
    validationProblems: 40,
  },
  oracle: {
    ...FULL_RECIPES.addition,
    trainLengths: pathLengths,
    tracesPerLength: 0,
    extraPrograms: [],
    model: {},
    maxSteps: 200,
    checkEverySteps: 100,
    stopAfterPerfectChecks: 2,
    validationProblems: 40,
  },
};

/** A smoke test in well under a minute: 4 seen cars, 16 × 16 images, a tiny model, 30 steps. */
export const QUICK_CAR_RECIPE: CarRecipe = {
  split: { trainCars: 4, trainStartFraction: 2 / 3, unseenCars: 2, validationCars: 2, maxPathLength: 8 },
  imageSize: 16,
  pixels: {
    ...QUICK_RECIPES.addition,
    trainLengths: pathLengths,
    tracesPerLength: 0,
    extraPrograms: [],
    maxSteps: 30,
    checkEverySteps: 15,
    stopAfterPerfectChecks: 2,
    validationProblems: 6,
  },
  oracle: {
    ...QUICK_RECIPES.addition,
    trainLengths: pathLengths,
    tracesPerLength: 0,
    extraPrograms: [],
    maxSteps: 30,
    checkEverySteps: 15,
    stopAfterPerfectChecks: 2,
    validationProblems: 6,
  },
};
