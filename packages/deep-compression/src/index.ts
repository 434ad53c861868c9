export { CompressionError, type CompressionErrorCode } from "./errors.js";
export {
  compressionPlanSchema,
  decideWeight,
  defaultPlan,
  matchesWeight,
  parsePlan,
  retrainSchema,
  ruleSchema,
  weightMatchSchema,
  type CompressionPlan,
  type CompressionPlanInput,
  type CompressionRule,
  type PruneTarget,
  type RetrainSettings,
  type WeightDecision,
  type WeightMatch,
} from "./plan.js";
export { cycleTarget } from "./iterative-targets.js";
export { compress, type CompressOptions, type CompressResult, type PipelineEvent, type TrainContext } from "./compress.js";
export { isVariablesTarget, readTargetWeights, writeTargetWeights, type CompressionTarget, type VariablesTarget } from "./compression-target.js";
export { compressedMetadataSchema, type CompressedMetadata } from "./compressed-metadata.js";
export { formatReport, type CompressionReport, type CompressionTotals, type LayerReport, type StageMetric } from "./report.js";
export { decompressToModelFiles, loadCompressed, parseCompressedWeights, readCompressedWeights, type CompressedWeights } from "./load-compressed.js";
export {
  buildLayersModel,
  loadLayersModelFiles,
  modelTopologyOf,
  readModelFiles,
  writeModelFiles,
  type ModelFiles,
  type ModelJson,
} from "./tfjs-model-files.js";
export { caffeAxes, INDEX_ORDERS, inverseAxes, permuteAxes, type IndexOrder } from "./index-order.js";
