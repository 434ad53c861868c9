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
export { compress, type CompressOptions, type CompressResult } from "./compress.js";
export { timed, timedSync, type PipelineEvent, type StageHooks, type TrainContext, type TrainFunction } from "./stage-options.js";
export { planWeights, pruneTargetsOf, type CompressedDecision, type PlannedWeights } from "./plan-weights.js";
export { prune, type PruneOptions } from "./prune.js";
export { quantize, type Quantized, type QuantizeOptions, type QuantizeSpec } from "./quantize.js";
export { fineTuneCentroids, type FineTuned, type FineTuneOptions } from "./fine-tune-centroids.js";
export { encode, encodeCodes, encodeWeight, type Encoded, type EncodedWeight, type EncodeSpec, type HuffmanPolicy } from "./encode.js";
export { packContainer, type Packed } from "./pack-container.js";
export { accountSizes, type StagesOutput } from "./account-sizes.js";
export { reencodeContainer } from "./reencode-container.js";
export { isVariablesTarget, readTargetWeights, writeTargetWeights, type CompressionTarget, type VariablesTarget } from "./compression-target.js";
export { compressedMetadata, compressedMetadataSchema, type CompressedMetadata } from "./compressed-metadata.js";
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
