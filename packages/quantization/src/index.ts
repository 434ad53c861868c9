export { QuantizationError, type QuantizationErrorCode } from "./errors.js";
export { CENTROID_INITS, type CentroidInit } from "./centroid-init.js";
export {
  dequantize,
  quantizeWeights,
  weightSharingRate,
  type KMeansReport,
  type QuantizedWeight,
  type QuantizeOptions,
  type QuantizeResult,
} from "./quantize.js";
