/**
 * TensorFlow.js training hooks for pruning: keep pruned weights at exactly zero while retraining a
 * `tf.LayersModel` or raw `tf.Variable`s, prune on a schedule during `model.fit`, and strip. The
 * only module of `@dcnpi/pruning` that loads TensorFlow.js.
 */
export { bindMasks, MaskBinding, type BindMasksOptions } from "./mask-binding.js";
