/**
 * The three stages of Deep Compression as one call: prune (iteratively, with masked retraining),
 * quantize by per-layer k-means and fine-tune the shared centroids, then Huffman-code everything into
 * a `.dcnpi` container. Works on a tfjs LayersModel or on raw variables. Each stage is its own
 * function (`prune`, `quantize`, `fineTuneCentroids`, `encode`, `packContainer`, `accountSizes`);
 * this is their composition, with the plan deciding each stage's options.
 */
import type { MaskSet } from "@dcnpi/pruning";
import type { FeedbackFactor, QuantizedWeight } from "@dcnpi/quantization";
import type { ContainerInspection } from "@dcnpi/sparse-format";
import { tensor as hostTensor, WeightMap, type Rng } from "@dcnpi/tensor";
import { accountSizes } from "./account-sizes.js";
import { isVariablesTarget, readTargetWeights, type CompressionTarget } from "./compression-target.js";
import { compressedMetadata } from "./compressed-metadata.js";
import { formatVersionOf, type ContainerOptions } from "./container-options.js";
import { encode } from "./encode.js";
import { CompressionError } from "./errors.js";
import { fineTuneCentroids } from "./fine-tune-centroids.js";
import type { GraphModelSpec } from "./graph-model.js";
import { packContainer, type ContainerOutput } from "./pack-container.js";
import { parsePlan, type CompressionPlan, type CompressionPlanInput } from "./plan.js";
import { planWeights, pruneTargetsOf } from "./plan-weights.js";
import { prune } from "./prune.js";
import { quantize } from "./quantize.js";
import type { CompressionReport, StageMetric } from "./report.js";
import { timed, type PipelineEvent, type TrainFunction } from "./stage-options.js";
import { modelTopologyOf } from "./tfjs-model.js";

export type { PipelineEvent, TrainContext } from "./stage-options.js";

export interface CompressOptions {
  /** Forked per stage and per weight; the same seed gives the same file bytes. */
  readonly rng: Rng;
  /** Retrains the model in a stage (call `context.wrapOptimizer` on your optimizer). Without it, pruning is one-shot and centroids are not fine-tuned. */
  readonly train?: TrainFunction;
  /** Measures the model after each stage (accuracy, error, loss: anything). */
  readonly evaluate?: (target: CompressionTarget) => Promise<number>;
  readonly metricName?: string;
  /** Write the container here (`containerFile(path)` from `./node`: temp file + rename); otherwise the bytes are returned. */
  readonly output?: ContainerOutput;
  /** Extra JSON stored in the file's metadata under `user`. */
  readonly metadata?: unknown;
  readonly onEvent?: (event: PipelineEvent) => void;
  /**
   * Beyond the paper (issue 17): `best` codes each stream with the smallest of fixed, Huffman, arithmetic and context-coded
   * arithmetic, and packs each codebook (sorted, used centroids only) and dense float32 tensor (lossless). Default `huffman`.
   */
  readonly coder?: ContainerOptions["coder"];
  /** Beyond the paper (issue 17): `binary` writes the compact binary header. Default `json`. */
  readonly header?: ContainerOptions["header"];
  /** Beyond the paper (issue 17): `lean` keeps the plan and stage metrics out of the file (they are in the report). Default `full`. */
  readonly metadataForm?: ContainerOptions["metadata"];
  /**
   * Beyond the paper: for the weights named here, each weight's code is chosen with error feedback
   * from the layer's inputs (GPTQ, Frantar et al., ICLR 2023: `feedbackFactor` of `@dcnpi/quantization`)
   * instead of its nearest centroid: the same codebooks, outputs closer to the original without retraining.
   */
  readonly feedback?: ReadonlyMap<string, FeedbackFactor>;
  /** The target is a graph model's weights (`graphCompressionTarget`): the file keeps its graph, so it decompresses to a graph model. */
  readonly graphModel?: GraphModelSpec;
}

export interface CompressResult {
  readonly report: CompressionReport;
  /** The container bytes, when no `output` path was given. */
  readonly bytes: Uint8Array | undefined;
  readonly inspection: ContainerInspection;
  /** The final shared weights of every compressed weight (codes + fine-tuned codebook). */
  readonly quantized: ReadonlyMap<string, QuantizedWeight>;
  /** The final masks of every pruned weight. */
  readonly masks: MaskSet;
}

/**
 * Runs prune → retrain → quantize → fine-tune centroids → encode on `target` (changed in place: at
 * the end its weights are exactly what the file decodes to) and returns the per-layer report.
 */
export async function compress(
  target: CompressionTarget,
  planInput: CompressionPlan | CompressionPlanInput,
  options: CompressOptions,
): Promise<CompressResult> {
  const plan = parsePlan(planInput);
  // Checked before any training, so a bad option fails at once; undefined when both are the defaults.
  const container =
    options.coder === undefined && options.header === undefined && options.metadataForm === undefined
      ? undefined
      : { coder: options.coder, header: options.header, metadata: options.metadataForm };
  formatVersionOf(container);
  const { rng, train, onEvent } = options;
  const seconds: Record<string, number> = {};
  const metrics: StageMetric[] = [];
  const measure = async (stage: string) => {
    if (options.evaluate === undefined) return;
    const value = await timed(seconds, "evaluate", () => options.evaluate!(target));
    metrics.push({ stage, value });
    onEvent?.({ kind: "metric", stage, value });
  };
  const original = readTargetWeights(target);
  const { compressed, notes } = planWeights(original, plan);
  const retrained = train !== undefined;
  if (!retrained) notes.push("no training function: pruning was one-shot and centroids were not fine-tuned (no retraining)");
  await measure("dense");

  const { pruneIterations, epochsPerPruneIteration, epochsAfterLastPrune, pruneLearningRate, quantizeEpochs, quantizeLearningRate } =
    plan.retrain;
  const cycles = retrained ? pruneIterations : 1;
  const pruneOptions = {
    epochsPerCycle: epochsPerPruneIteration,
    epochsAfterLastCycle: epochsAfterLastPrune,
    learningRate: pruneLearningRate,
  };
  const masks = await prune(target, pruneTargetsOf(compressed), {
    rng,
    train,
    onEvent,
    seconds,
    cycles,
    ...pruneOptions,
    afterCycle: measure,
  });
  const { quantized: shared, kmeans } = quantize(target, compressed, {
    rng: rng.fork("quantize"),
    masks,
    onEvent,
    seconds,
    feedback: options.feedback,
    // One-shot, the pruned weights' values are spread onward by the feedback; after retraining the model has adapted to them.
    feedbackFrom: retrained ? undefined : original,
  });
  await measure("quantized");
  const fineTuned = await fineTuneCentroids(target, shared, {
    rng,
    train,
    epochs: quantizeEpochs,
    learningRate: quantizeLearningRate,
    onEvent,
    seconds,
  });
  if (fineTuned.trained) await measure("fine-tuned");
  const quantized = fineTuned.quantized;

  const final = readTargetWeights(target);
  const { layers, denseTensors, storedAxes, weightShapes } = encode(final, quantized, compressed, { onEvent, seconds, container });
  const metricName = options.metricName ?? "metric";
  const metadata = compressedMetadata({
    weightOrder: original.names(),
    modelTopology: isVariablesTarget(target) ? undefined : await modelTopologyOf(target),
    graphModel: options.graphModel,
    plan,
    storedAxes: Object.keys(storedAxes).length > 0 ? storedAxes : undefined,
    weightShapes: Object.keys(weightShapes).length > 0 ? weightShapes : undefined,
    pipeline: { metricName, metrics, retrained, notes },
    user: options.metadata,
  });
  const { bytes, inspection } = await packContainer({ layers, denseTensors, metadata }, { output: options.output, seconds, container });
  const sizes = accountSizes(inspection, { names: final.names(), quantized, masks, decisions: compressed, kmeans });
  const report: CompressionReport = { version: 1, metricName, metrics, retrained, ...sizes, notes, seconds };
  return { report, bytes, inspection, quantized, masks };
}

/** Rebuilds a weight map from decoded container parts, in the model's order (used by loading). */
export function orderedWeights(
  order: readonly string[],
  byName: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array | Int32Array | Uint8Array; info?: object }>,
): WeightMap {
  const map = new WeightMap();
  for (const name of order) {
    const found = byName.get(name);
    if (found === undefined) throw new CompressionError("WEIGHT_MISMATCH", `the file lists weight "${name}" but holds no data for it`);
    map.add(name, hostTensor(found.shape, found.data, name), found.info ?? {});
  }
  return map;
}
