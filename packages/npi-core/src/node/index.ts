// The Node half of @dcnpi/npi-core: checkpoints and stage results as files (node:fs).
export {
  checkCheckpointWeights,
  readCheckpoint,
  readCheckpointManifest,
  writeCheckpoint,
  type Checkpoint,
  type CheckpointManifest,
} from "./checkpoint.js";
export { restoreTrainerCheckpoint, saveTrainerCheckpoint } from "./trainer-checkpoint.js";
export {
  trainingProgressNote,
  trainWithValidation,
  type TrainingState,
  type TrainWithValidationOptions,
  type TrainWithValidationResult,
} from "./train-with-validation.js";
export { readLengthEvaluationFile, readStageValue } from "./length-evaluation-file.js";
export { GradientWorkers, type GradientWorkersOptions, type GradientWorkersTimings } from "./gradient-workers.js";
