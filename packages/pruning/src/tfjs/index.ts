/**
 * TensorFlow.js training hooks for pruning: keep pruned weights at exactly zero while retraining a
 * `tf.LayersModel` or raw `tf.Variable`s, prune on a schedule during `model.fit`, strip, and run
 * sensitivity analysis on a model. The only module of `@dcnpi/pruning` that loads TensorFlow.js.
 */
export { bindMasks, MaskBinding, MaskedOptimizer, type BindMasksOptions } from "./mask-binding.js";
export { prunableWeightNames, PRUNABLE_ROLES } from "./prunable-weights.js";
export { analyzeModelSensitivity } from "./model-sensitivity.js";
