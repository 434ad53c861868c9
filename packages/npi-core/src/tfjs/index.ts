/**
 * The TensorFlow.js half of @dcnpi/npi-core: the model, training from traces, checkpoints.
 * Importing this module loads TensorFlow.js; the backend is chosen by the app (`initEngine`).
 */
// tfjs-core's Node bundle registers no gradients, and its ESM `register_all_gradients` cannot be
// imported from Node ESM (directory imports); tfjs-layers' Node bundle registers all of them.
import "@tensorflow/tfjs-layers";

export {
  DEFAULT_MODEL_CONFIG,
  NpiModel,
  createNpiModel,
  type BatchEvaluation,
  type CreateNpiModelOptions,
  type ModelParameter,
  type NpiModelConfig,
  type NpiModelDescription,
  type ParameterGroup,
  type SequenceBatch,
  type TrainableSelection,
} from "./npi-model.js";
export { Adam, type AdamOptions, type AdamSlotState } from "./adam.js";
export { buildSequenceBatch } from "./sequence-batch.js";
export {
  DEFAULT_TRAINER_LEARNING_RATE,
  NpiTrainer,
  type CurriculumEstimate,
  type CurriculumOptions,
  type TrainStepMetrics,
  type TrainerOptions,
} from "./trainer.js";
export { TRAINING_RECIPE_VERSION, parseTrainingRecipe, trainingRecipeSchema, type TrainingRecipe } from "./training-recipe.js";
export { MEASURED_TRAINER_OPTIONS, QUICK_MODEL_CONFIG, QUICK_TRAINER_OPTIONS } from "./training-presets.js";
export {
  TRAINING_STATE_FILE,
  readTrainingState,
  trainingProgressNote,
  trainWithValidation,
  type TrainingEvent,
  type TrainingState,
  type TrainWithValidationOptions,
  type TrainWithValidationResult,
  type ValidationProblems,
} from "./train-with-validation.js";
export { CHECKPOINT_VERSION, hasCheckpoint, readCheckpoint, readCheckpointManifest, writeCheckpoint, type Checkpoint, type CheckpointManifest, type TrainerCheckpointState } from "./checkpoint.js";
export { linear, lstmSequence, lstmSequenceForward, lstmStepHost, transposeHost, type LstmHostState } from "./ops.js";
