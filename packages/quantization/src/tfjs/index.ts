/**
 * TensorFlow.js hooks for trained quantization: fine-tune shared centroids with fixed assignments
 * inside `model.fit` or a hand-written loop. The only module of `@dcnpi/quantization` that loads
 * TensorFlow.js.
 */
export { bindCodebooks, CodebookBinding, type CodebookBindingOptions } from "./codebook-binding.js";
