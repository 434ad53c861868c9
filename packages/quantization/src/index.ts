export { QuantizationError, type QuantizationErrorCode } from "./errors.js";
export { CENTROID_INITS, initialCentroids, type CentroidInit } from "./centroid-init.js";
export { lloyd1d, type EmptyClusterPolicy, type LloydResult } from "./kmeans-1d.js";
export { sortFloat32 } from "./sort-float32.js";
export {
  dequantize,
  quantizeSettingsSchema,
  quantizeWeightMap,
  quantizeWeights,
  weightSharingRate,
  type KMeansReport,
  type MaskLookup,
  type QuantizedWeight,
  type QuantizeOptions,
  type QuantizeResult,
  type QuantizeSettings,
  type SettingsByName,
} from "./quantize.js";
export { aggregateCentroidGradients, stepCentroids, type GradientAggregation } from "./centroid-gradients.js";
