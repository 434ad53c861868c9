import type { Task } from "@dcnpi/npi-core";
import { createNpiModel, readCheckpoint, type NpiModel, type TrainingRecipe } from "@dcnpi/npi-core/tfjs";

/** The model a finished training stage left in `dir` (its last checkpoint). */
export function loadTrainedModel(task: Task, recipe: TrainingRecipe, seed: number, dir: string): NpiModel {
  const model = createNpiModel({ tasks: [task], config: recipe.model, seed });
  const checkpoint = readCheckpoint(dir);
  if (JSON.stringify(checkpoint.model) !== JSON.stringify(model.describe()))
    throw new Error(`${dir}: checkpoint does not match the ${task.name} model`);
  model.setWeights(checkpoint.weights, { complete: true });
  return model;
}
