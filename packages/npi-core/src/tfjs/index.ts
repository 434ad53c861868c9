/**
 * The TensorFlow.js half of @dcnpi/npi-core: the model and training from traces, in memory (browser-safe;
 * checkpoint files and the validated training loop that writes them are in `./node`).
 * Importing this module loads TensorFlow.js; the backend is chosen by the app (`initEngine`).
 */
// tfjs-core's Node bundle registers no gradients, and its ESM `register_all_gradients` cannot be
// imported from Node ESM (directory imports); tfjs-layers' Node bundle registers all of them.
import "@tensorflow/tfjs-layers";

export {
  DEFAULT_MODEL_CONFIG,
  NpiModel,
  type ArgumentEncoding,
  checkWeightShapes,
  createNpiModel,
  expectedNpiWeightShapes,
  type CreateNpiModelOptions,
  type ExpectedWeightShape,
  type NpiModelConfig,
  type NpiModelDescription,
  type SequenceBatch,
  type TrainableSelection,
} from "./npi-model.js";
export { buildSequenceBatch } from "./sequence-batch.js";
export { NpiTrainer, type TrainerOptions } from "./trainer.js";
export { serialStepLoss, type StepLoss, type StepLossFunction } from "./step-loss.js";
export { TRAINING_RECIPE_VERSION, type TrainingRecipe } from "./training-recipe.js";
export { MEASURED_TRAINER_OPTIONS, QUICK_MODEL_CONFIG, QUICK_TRAINER_OPTIONS } from "./training-presets.js";
