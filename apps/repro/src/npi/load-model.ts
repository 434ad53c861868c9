import { NpiError, type Task } from "@dcnpi/npi-core";
import { createNpiModel, type NpiModel, type TrainingRecipe } from "@dcnpi/npi-core/tfjs";
import { readCheckpoint } from "@dcnpi/npi-core/node";

/** The model a finished training stage left in `dir` (its last checkpoint). */
export function loadTrainedModel(task: Task, recipe: TrainingRecipe, seed: number, dir: string): NpiModel {
  // The checkpoint's weight shapes are checked against the task before any variable is created.
  const checkpoint = readCheckpoint(dir, { tasks: [task] });
  const model = createNpiModel({ tasks: [task], config: recipe.model, seed });
  if (JSON.stringify(checkpoint.model) !== JSON.stringify(model.describe()))
    throw new NpiError("INVALID_CHECKPOINT", `${dir}: checkpoint does not match the ${task.name} model`);
  model.setWeights(checkpoint.weights, { complete: true });
  return model;
}
