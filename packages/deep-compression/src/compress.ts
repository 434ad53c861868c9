/**
 * The three stages of Deep Compression as one call: prune (iteratively, with masked retraining),
 * quantize by per-layer k-means and fine-tune the shared centroids, then Huffman-code everything into
 * a `.dcnpi` container. Works on a tfjs LayersModel or on raw variables.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { computeMasks, MaskSet, type PruneTarget } from "@dcnpi/pruning";
import { bindMasks } from "@dcnpi/pruning/tfjs";
import { dequantize, quantizeWeights, type KMeansReport, type QuantizedWeight } from "@dcnpi/quantization";
import { bindCodebooks } from "@dcnpi/quantization/tfjs";
import {
  encodeLayer,
  inspectContainer,
  inspectContainerBytes,
  serializeContainer,
  writeContainer,
  type ContainerInspection,
  type DenseTensorInput,
  type EncodedLayer,
} from "@dcnpi/sparse-format";
import { tensor as hostTensor, WeightMap, type Rng } from "@dcnpi/tensor";
import { bindingKeysOf, bindingTargetOf, isVariablesTarget, readTargetWeights, type CompressionTarget } from "./compression-target.js";
import type { CompressedMetadata } from "./compressed-metadata.js";
import { CompressionError } from "./errors.js";
import { caffeAxes, isIdentity, permuteAxes } from "./index-order.js";
import { cycleTarget } from "./iterative-targets.js";
import { decideWeight, parsePlan, type CompressionPlan, type CompressionPlanInput, type WeightDecision } from "./plan.js";
import { totalsFromInspection, type CompressionReport, type LayerReport, type StageMetric } from "./report.js";
import { modelTopologyOf } from "./tfjs-model-files.js";

/** Handed to the caller's `train` so the stage's constraint holds whatever loop it runs. */
export interface TrainContext {
  readonly stage: "prune" | "quantize";
  /** 1-based prune/retrain cycle (always 1 for quantize). */
  readonly cycle: number;
  readonly cycles: number;
  /** Epochs the plan asks for in this stage. */
  readonly epochs: number;
  /** Learning rate the plan asks for, if any (the paper: 1/10 of the original for the LeNets). */
  readonly learningRate: number | undefined;
  /** Wrap the optimizer you train with: pruned weights stay exactly zero / only centroids move. */
  wrapOptimizer(optimizer: tf.Optimizer): tf.Optimizer;
  /** One constrained optimizer step for hand-written loops (raw variables). */
  minimize(optimizer: tf.Optimizer, loss: () => tf.Scalar, returnCost?: boolean): tf.Scalar | null;
  readonly rng: Rng;
}

export type PipelineEvent =
  | { readonly kind: "stage-start"; readonly stage: string; readonly detail?: string }
  | { readonly kind: "metric"; readonly stage: string; readonly value: number }
  | { readonly kind: "weight"; readonly stage: "quantize" | "encode"; readonly name: string; readonly index: number; readonly count: number };

export interface CompressOptions {
  /** Forked per stage and per weight; the same seed gives the same file bytes. */
  readonly rng: Rng;
  /** Retrains the model in a stage (call `context.wrapOptimizer` on your optimizer). Without it, pruning is one-shot and centroids are not fine-tuned. */
  readonly train?: (target: CompressionTarget, context: TrainContext) => Promise<void>;
  /** Measures the model after each stage (accuracy, error, loss: anything). */
  readonly evaluate?: (target: CompressionTarget) => Promise<number>;
  readonly metricName?: string;
  /** Write the container here (temp file + rename); otherwise the bytes are returned. */
  readonly output?: string;
  /** Extra JSON stored in the file's metadata under `user`. */
  readonly metadata?: unknown;
  readonly onEvent?: (event: PipelineEvent) => void;
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

type CompressedDecision = Extract<WeightDecision, { store: "compressed" }>;

function plannedWeights(weights: WeightMap, plan: CompressionPlan, notes: string[]) {
  const decisions = new Map<string, WeightDecision>();
  for (const weight of weights) {
    let decision = decideWeight(plan, weight);
    if (decision.store === "compressed" && weight.tensor.dtype !== "float32") {
      notes.push(`${weight.name} is ${weight.tensor.dtype}, not float32: stored dense`);
      decision = { store: "dense", ruleIndex: decision.ruleIndex };
    }
    decisions.set(weight.name, decision);
  }
  const compressed = [...decisions].filter((e): e is [string, CompressedDecision] => e[1].store === "compressed");
  return { decisions, compressed: new Map(compressed) };
}

/** Encodes one stream layout and keeps whichever of Huffman and fixed-width is smaller per stream. */
function encodeSmallest(input: Parameters<typeof encodeLayer>[0], huffman: boolean): EncodedLayer {
  if (!huffman) return encodeLayer({ ...input, huffman: { weights: false, indices: false } });
  const coded = encodeLayer({ ...input, huffman: { weights: true, indices: true } });
  const fixed = encodeLayer({ ...input, huffman: { weights: false, indices: false } });
  const weights = coded.weights.bytes.length <= fixed.weights.bytes.length;
  const indices = coded.indices === null || fixed.indices === null || coded.indices.bytes.length <= fixed.indices.bytes.length;
  if (weights && indices) return coded;
  if (!weights && !indices) return fixed;
  return encodeLayer({ ...input, huffman: { weights, indices } });
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * Runs prune → retrain → quantize → fine-tune centroids → encode on `target` (changed in place: at
 * the end its weights are exactly what the file decodes to) and returns the per-layer report.
 */
export async function compress(target: CompressionTarget, planInput: CompressionPlan | CompressionPlanInput, options: CompressOptions): Promise<CompressResult> {
  const plan = parsePlan(planInput);
  const emit = options.onEvent ?? (() => {});
  const notes: string[] = [];
  const metrics: StageMetric[] = [];
  const seconds: Record<string, number> = {};
  const timed = async <T>(stage: string, work: () => Promise<T> | T): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      seconds[stage] = (seconds[stage] ?? 0) + (performance.now() - start) / 1000;
    }
  };
  const measure = async (stage: string) => {
    if (options.evaluate === undefined) return;
    const value = await timed("evaluate", () => options.evaluate!(target));
    metrics.push({ stage, value });
    emit({ kind: "metric", stage, value });
  };

  const original = readTargetWeights(target);
  // The bindings key raw variables by `variable.name`; plans, masks and the file use weight names.
  const keys = bindingKeysOf(target);
  const renameMasks = (set: MaskSet) => new MaskSet([...set].map((m) => ({ ...m, name: keys.toBinding(m.name) })));
  const { compressed } = plannedWeights(original, plan, notes);
  if (compressed.size === 0) notes.push("the plan compresses no weight of this model: every weight is stored dense");
  const retrain = options.train !== undefined;
  if (!retrain) notes.push("no training function: pruning was one-shot and centroids were not fine-tuned (no retraining)");
  await measure("dense");

  // Stage 1: pruning, in cycles that each move every layer closer to its target, with masked retraining between.
  let masks = new MaskSet();
  const prunable = [...compressed].filter(([, d]) => d.prune !== undefined);
  if (prunable.length > 0) {
    const cycles = retrain ? plan.retrain.pruneIterations : 1;
    for (let cycle = 1; cycle <= cycles; cycle++) {
      emit({ kind: "stage-start", stage: "prune", detail: `cycle ${cycle}/${cycles}` });
      const current = readTargetWeights(target);
      const targets: Record<string, PruneTarget> = {};
      for (const [name, decision] of prunable) targets[name] = cycleTarget(decision.prune!, cycle, cycles, current.get(name).data.length);
      masks = await timed("prune", () => computeMasks(current, targets, { previous: masks }).masks);
      const binding = bindMasks(bindingTargetOf(target), renameMasks(masks));
      const epochs = cycle === cycles ? (plan.retrain.epochsAfterLastPrune ?? plan.retrain.epochsPerPruneIteration) : plan.retrain.epochsPerPruneIteration;
      try {
        if (retrain && epochs > 0) {
          await timed("retrain", () =>
            options.train!(target, {
              stage: "prune",
              cycle,
              cycles,
              epochs,
              learningRate: plan.retrain.pruneLearningRate,
              wrapOptimizer: (optimizer) => binding.wrapOptimizer(optimizer),
              minimize: (optimizer, loss, returnCost) => binding.minimize(optimizer, loss, returnCost),
              rng: options.rng.fork(`retrain:prune:${cycle}`),
            }),
          );
        }
        binding.apply();
      } finally {
        binding.dispose();
      }
      await measure(cycles > 1 ? `pruned ${cycle}/${cycles}` : "pruned");
    }
  }

  // Stage 2: trained quantization — k-means on the survivors of each layer, then centroid fine-tuning.
  emit({ kind: "stage-start", stage: "quantize" });
  const beforeQuantization = readTargetWeights(target);
  let quantized = new Map<string, QuantizedWeight>();
  const kmeans = new Map<string, KMeansReport>();
  const quantizeRng = options.rng.fork("quantize");
  let index = 0;
  for (const [name, decision] of compressed) {
    emit({ kind: "weight", stage: "quantize", name, index: index++, count: compressed.size });
    const result = await timed("quantize", () =>
      quantizeWeights(beforeQuantization.get(name), {
        bits: decision.weightBits,
        init: decision.init,
        mask: masks.get(name),
        rng: quantizeRng.fork(name),
        name,
      }),
    );
    const { report: kmeansReport, ...shared } = result;
    quantized.set(name, shared);
    kmeans.set(name, kmeansReport);
  }
  const binding = bindCodebooks(bindingTargetOf(target), new Map([...quantized].map(([name, q]) => [keys.toBinding(name), q])));
  const readQuantized = () => new Map([...binding.read()].map(([key, q]) => [keys.toWeight(key), q]));
  try {
    await measure("quantized");
    if (retrain && plan.retrain.quantizeEpochs > 0 && quantized.size > 0) {
      emit({ kind: "stage-start", stage: "fine-tune" });
      await timed("fine-tune", () =>
        options.train!(target, {
          stage: "quantize",
          cycle: 1,
          cycles: 1,
          epochs: plan.retrain.quantizeEpochs,
          learningRate: plan.retrain.quantizeLearningRate,
          wrapOptimizer: (optimizer) => binding.wrapOptimizer(optimizer),
          minimize: (optimizer, loss, returnCost) => binding.minimize(optimizer, loss, returnCost),
          rng: options.rng.fork("retrain:quantize"),
        }),
      );
      quantized = readQuantized();
      await measure("fine-tuned");
    } else {
      quantized = readQuantized();
    }
  } finally {
    binding.dispose();
  }

  // Stage 3: encoding — relative indices with fillers, Huffman where it pays, everything else dense.
  emit({ kind: "stage-start", stage: "encode" });
  const final = readTargetWeights(target);
  const layers: EncodedLayer[] = [];
  const denseTensors: DenseTensorInput[] = [];
  const storedAxes: Record<string, number[]> = {};
  await timed("encode", () => {
    let encoded = 0;
    for (const weight of final) {
      const q = quantized.get(weight.name);
      if (q !== undefined) emit({ kind: "weight", stage: "encode", name: weight.name, index: encoded++, count: quantized.size });
      if (q === undefined) {
        denseTensors.push({ name: weight.name, shape: weight.tensor.shape, data: weight.tensor.data, info: weight.info });
        continue;
      }
      // The model must hold exactly what the file will decode to.
      if (!sameBits(weight.tensor.data as Float32Array, dequantize(q))) {
        throw new CompressionError("WEIGHT_MISMATCH", `${weight.name}: model weights drifted from codebook[codes] during fine-tuning`);
      }
      const decision = compressed.get(weight.name)!;
      let shape: readonly number[] = weight.tensor.shape;
      let codes = q.codes;
      if (decision.indexOrder === "caffe" && q.masked) {
        const axes = caffeAxes(shape, weight.info.layerClass);
        if (!isIdentity(axes)) {
          ({ data: codes, shape } = permuteAxes(q.codes, shape, axes, weight.name));
          storedAxes[weight.name] = axes;
        }
      }
      layers.push(
        encodeSmallest(
          {
            name: weight.name,
            shape,
            codes,
            codebook: q.codebook,
            weightBits: q.bits,
            ...(q.masked ? { indexBits: decision.indexBits } : {}),
            info: weight.info,
          },
          decision.huffman,
        ),
      );
    }
  });
  const metadata: CompressedMetadata = {
    kind: "dcnpi/compressed-weights",
    version: 1,
    weightOrder: original.names(),
    ...(isVariablesTarget(target) ? {} : { modelTopology: await modelTopologyOf(target) }),
    plan,
    ...(Object.keys(storedAxes).length > 0 ? { storedAxes } : {}),
    pipeline: { metricName: options.metricName ?? "metric", metrics, retrained: retrain, notes },
    ...(options.metadata === undefined ? {} : { user: options.metadata }),
  };
  const contents = { layers, denseTensors, metadata };
  let bytes: Uint8Array | undefined;
  let inspection: ContainerInspection;
  if (options.output !== undefined) {
    await timed("write", () => writeContainer(options.output!, contents));
    inspection = await inspectContainer(options.output);
  } else {
    bytes = serializeContainer(contents);
    inspection = await inspectContainerBytes(bytes);
  }

  const rows = new Map(inspection.rows.map((row) => [row.name, row]));
  const layerReports: LayerReport[] = final.names().map((name) => {
    const row = rows.get(name)!;
    const q = quantized.get(name);
    const mask = masks.get(name);
    const elementCount = row.elementCount;
    const keptCount = mask === undefined ? elementCount : mask.reduce((sum, m) => sum + m, 0);
    const decision = compressed.get(name);
    return {
      name,
      shape: row.shape,
      elementCount,
      store: q === undefined ? "dense" : q.masked ? "sparse" : "quantized",
      keptCount,
      keptFraction: elementCount === 0 ? 1 : keptCount / elementCount,
      pruneTarget: decision?.prune ?? null,
      weightBits: q?.bits ?? null,
      indexBits: q?.masked ? decision!.indexBits : null,
      averageWeightBits: row.paper?.averageWeightBits ?? null,
      averageIndexBits: row.paper === null || !q?.masked ? null : row.paper.averageIndexBits,
      fillerCount: row.paper?.fillerCount ?? 0,
      paperBits: row.paper?.paperTotalBits ?? null,
      paperRate: row.paper?.paperRate ?? null,
      fileBytes: row.fileBytes,
      kmeans: kmeans.get(name) ?? null,
    };
  });
  const report: CompressionReport = {
    version: 1,
    metricName: options.metricName ?? "metric",
    metrics,
    retrained: retrain,
    layers: layerReports,
    totals: totalsFromInspection(inspection),
    notes,
    seconds,
  };
  return { report, bytes, inspection, quantized, masks };
}

/** Rebuilds a weight map from decoded container parts, in the model's order (used by loading). */
export function orderedWeights(order: readonly string[], byName: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array | Int32Array | Uint8Array; info?: object }>): WeightMap {
  const map = new WeightMap();
  for (const name of order) {
    const found = byName.get(name);
    if (found === undefined) throw new CompressionError("WEIGHT_MISMATCH", `the file lists weight "${name}" but holds no data for it`);
    map.add(name, hostTensor(found.shape, found.data, name), found.info ?? {});
  }
  return map;
}
