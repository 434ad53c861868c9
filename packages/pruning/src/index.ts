export { PruningError, type PruningErrorCode } from "./errors.js";
export {
  countTargetSchema,
  parsePruneTarget,
  prunedCountFor,
  pruneTargetSchema,
  type CountTarget,
  type PruneTarget,
  type StdOf,
} from "./prune-target.js";
export { countKept, MaskSet, maskRecordSchema, MASK_RECORD_VERSION, type MaskRecord, type MaskStats, type WeightMask } from "./mask-set.js";
export {
  computeGlobalMasks,
  computeMask,
  computeMasks,
  weightStd,
  type ComputeMaskOptions,
  type LayerMaskReport,
  type MaskComputation,
  type MaskResult,
  type TargetsByName,
} from "./compute-mask.js";
export { applyMask, applyMasks, stripPruning, type StrippedPruning } from "./apply-masks.js";
export {
  iterativeSchedule,
  oneShotSchedule,
  polynomialDecaySchedule,
  polynomialDecaySparsity,
  type PolynomialDecayOptions,
  type PruningSchedule,
  type ScheduleDecision,
} from "./schedules.js";
export { adjustDropoutRate } from "./dropout.js";
export {
  analyzeSensitivity,
  chooseSparsities,
  type ChooseSparsitiesOptions,
  type SensitivityCurve,
  type SensitivityOptions,
  type SensitivityPoint,
  type SensitivityReport,
} from "./sensitivity.js";
