export { PruningError, type PruningErrorCode } from "./errors.js";
export { pruneTargetSchema, type PruneTarget } from "./prune-target.js";
export { MaskSet } from "./mask-set.js";
export { computeMask, computeMasks, type ComputeMaskOptions, type MaskComputation, type MaskResult } from "./compute-mask.js";
export { iterativeSchedule, type PruningSchedule } from "./schedules.js";
export { analyzeSensitivity, type SensitivityOptions, type SensitivityReport } from "./sensitivity.js";
export { adjustDropoutRate } from "./dropout.js";
