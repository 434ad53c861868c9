// The public API of @dcnpi/deep-compression; every name is listed in README.md ("Exports").
export { CompressionError, type CompressionErrorCode } from "./errors.js";
export {
  compressionPlanSchema,
  decideWeight,
  defaultPlan,
  parsePlan,
  safePlan,
  SAFE_PLAN_BITS,
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
// Error feedback (GPTQ) is quantization's; re-exported so a caller with a model and data needs one package.
export { feedbackFactor, type FeedbackFactor, type InputCovariance } from "@dcnpi/quantization";
export { fineTuneCentroids, type FineTuned, type FineTuneOptions } from "./fine-tune-centroids.js";
export { encode, encodeCodes, encodeWeight, type Encoded, type EncodedWeight, type EncodeSpec, type HuffmanPolicy } from "./encode.js";
export { packContainer, type ContainerOutput, type Packed } from "./pack-container.js";
export { accountSizes, type StagesOutput } from "./account-sizes.js";
export { reencodeContainer } from "./reencode-container.js";
export { containerFormatOf, formatVersionOf, type ContainerOptions, type MetadataForm } from "./container-options.js";
export { readTargetWeights, writeTargetWeights, type CompressionTarget, type VariablesTarget } from "./compression-target.js";
export { compressedMetadata, type CompressedMetadata } from "./compressed-metadata.js";
export { formatReport, type CompressionReport, type CompressionTotals, type LayerReport } from "./report.js";
export { parseCompressedWeights, type CompressedWeights } from "./load-compressed.js";
export { dcnpiModel, type DcnpiModelOptions } from "./dcnpi-model.js";
export { fullyConnectedLayers, type FullyConnectedLayersOptions } from "./fully-connected-layers.js";
export type { DcnpiModelSource } from "./model-source-bytes.js";
export { modelTopologyOf } from "./tfjs-model.js";
export { caffeAxes, permuteAxes } from "./index-order.js";
export { graphCompressionTarget, graphModelArtifacts, type GraphCompressionTarget, type GraphModelInput } from "./graph-target.js";
export { graphWeightInfo, type GraphModelSpec } from "./graph-model.js";
export {
  accuracyBudgetSchema,
  budgetSlack,
  compareTop1,
  formatTop1,
  searchMargin,
  wilsonInterval,
  predictAll,
  measureTop1,
  top1Classes,
  type AccuracyBudget,
  type EarlyStop,
  type ExampleBatch,
  type PredictBatch,
  type Top1,
} from "./top1-metric.js";
export {
  compressOneShot,
  DEFAULT_KEEP_FRACTIONS,
  DEFAULT_WEIGHT_BITS,
  estimateLayerBytes,
  planFromChoices,
  searchPlan,
  type DataSplit,
  type EvaluateOptions,
  type LayerChoice,
  type PlanSearchOptions,
  type PlanSearchResult,
  type SearchProgress,
} from "./search-plan.js";
export { distillationTrain, looksLikeProbabilities, type DistillationOptions } from "./distill.js";
export { layersInputShape, layersModelPredictor } from "./layers-predictor.js";
