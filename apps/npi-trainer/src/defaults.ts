import type { LoadedModel, TrainingSet } from "./model-store.js";
import { trainingSetOf } from "./recipes.js";
import { recipeFor, type TaskName } from "./tasks.js";

/**
 * The training set to retrain / validate on when a checkpoint has no npi-train.json (e.g. one `repro
 * npi` wrote): the full recipe's lengths and trace counts (the car: its split) with seed 1, which is
 * exactly the set `repro npi --seed 1` and `repro npi car --seed 1` trained on (same generator forks).
 */
export function defaultTrainingSet(task: TaskName): TrainingSet {
  const recipe = recipeFor(task, { quick: false });
  return trainingSetOf(recipe, 1);
}

/** The training set a model was trained on: its own record (npi-train.json, .dcnpi metadata), else the default. */
export function trainingSetOfModel(loaded: LoadedModel): TrainingSet {
  return loaded.trainingSet ?? defaultTrainingSet(loaded.taskName);
}
