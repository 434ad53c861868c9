export { QuantizationError, type QuantizationErrorCode } from "./errors.js";
export { CENTROID_INITS, type CentroidInit } from "./centroid-init.js";
export { ecsq1d, type EcsqResult } from "./ecsq-1d.js";
export { feedbackFactor, type FeedbackFactor, type InputCovariance } from "./error-feedback.js";
export {
  dequantize,
  quantizeWeights,
  weightSharingRate,
  type EcsqReport,
  type KMeansReport,
  type QuantizedWeight,
  type QuantizeOptions,
  type QuantizeResult,
} from "./quantize.js";
