// The public API of @dcnpi/deep-compression; every name is listed in README.md ("Exports").
export { CompressionError, type CompressionErrorCode } from "./errors.js";
export {
  compressionPlanSchema,
  decideWeight,
  defaultPlan,
  parsePlan,
  type CompressionPlan,
  type CompressionPlanInput,
  type CompressionRule,
  type PruneTarget,
  type WeightDecision,
} from "./plan.js";
export { compress, type CompressOptions, type CompressResult } from "./compress.js";
export type { PipelineEvent, StageHooks, TrainContext, TrainFunction } from "./stage-options.js";
export { planWeights, pruneTargetsOf, type CompressedDecision, type PlannedWeights } from "./plan-weights.js";
export { prune, type PruneOptions } from "./prune.js";
export { quantize, type Quantized, type QuantizeOptions, type QuantizeSpec } from "./quantize.js";
export { fineTuneCentroids, type FineTuned, type FineTuneOptions } from "./fine-tune-centroids.js";
export { encode, encodeCodes, encodeWeight, type Encoded, type EncodedWeight, type EncodeSpec, type HuffmanPolicy } from "./encode.js";
export { packContainer, type ContainerOutput, type Packed } from "./pack-container.js";
export { accountSizes, type StagesOutput } from "./account-sizes.js";
export { reencodeContainer } from "./reencode-container.js";
export { readTargetWeights, type CompressionTarget, type VariablesTarget } from "./compression-target.js";
export { compressedMetadata, type CompressedMetadata } from "./compressed-metadata.js";
export { formatReport, type CompressionReport, type CompressionTotals, type LayerReport } from "./report.js";
export { parseCompressedWeights, type CompressedWeights } from "./load-compressed.js";
export { dcnpiModel, type DcnpiModelOptions } from "./dcnpi-model.js";
export type { DcnpiModelSource } from "./model-source-bytes.js";
export { modelTopologyOf } from "./tfjs-model.js";
export { caffeAxes, permuteAxes } from "./index-order.js";
