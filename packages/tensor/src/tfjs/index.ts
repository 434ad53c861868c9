/**
 * The bridge between host tensors and TensorFlow.js. This is the only module of `@dcnpi/tensor`
 * that loads TensorFlow.js, so packages that never train (huffman, sparse-format) stay light.
 */
export { fromTfTensor, toTfTensor } from "./convert.js";
export { describeModelWeights, readModelWeights, writeModelWeights } from "./model-weights.js";
export { WrappedOptimizer } from "./wrapped-optimizer.js";
export { isNamedVariables, variablesByWeightName, weightNameOf, type NamedVariables, type WeightTarget } from "./weight-target.js";
