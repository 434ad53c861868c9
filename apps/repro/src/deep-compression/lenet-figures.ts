/**
 * The data behind the figures on the LeNets (each computation a resumable stage):
 * - Fig. 4/5-style weight distributions of one layer: dense, after pruning + retraining, after
 *   quantization + centroid fine-tuning (read back from the .dcnpi file);
 * - Fig. 5-style histograms of the stored weight codes and relative-index gaps (fillers included);
 * - Fig. 6: test error vs compressed size for pruning only, quantization only, and both;
 * - Fig. 8: test error vs bits for linear, density and random (Forgy) centroid initialisation.
 * Quick mode does no retraining inside the sweeps; full mode retrains each point briefly. Either
 * way the figure captions say which.
 */
import { computeMasks, type MaskSet, type PruneTarget } from "@dcnpi/pruning";
import type { CentroidInit } from "@dcnpi/quantization";
import { caffeAxes, encodeWeight, fineTuneCentroids, permuteAxes, prune, quantize, type TrainFunction } from "@dcnpi/deep-compression";
import { encodeRelativeIndex, toDenseCodes } from "@dcnpi/sparse-format";
import { readContainer } from "@dcnpi/sparse-format/node";
import { trainClassifier, type ClassifierData } from "@dcnpi/model-zoo";
import type { WeightMap } from "@dcnpi/tensor";
import { readModelWeights, writeModelWeights } from "@dcnpi/tensor/tfjs";
import type * as tfl from "@tensorflow/tfjs-layers";
import { z } from "zod";
import { denseStageName, pruneStageName, readSavedWeights, testError, type MnistSplits } from "./lenet-experiment.js";
import { PAPER_BITS, PAPER_LAYER_TABLES } from "./paper-figures.js";
import { paperPlan, type LenetRecipe } from "./recipes.js";
import { progressFor, timedStage, type RunContext } from "./run-context.js";
import { learningRateSchedule, ScheduledOptimizer } from "./scheduled-optimizer.js";

// ---------- histograms ----------

export const histogramSchema = z.strictObject({
  /** Left edges; bin i is [edges[i], edges[i] + width). */
  start: z.number(),
  width: z.number(),
  counts: z.array(z.number().int()),
});
export type Histogram = z.infer<typeof histogramSchema>;

/** Counts of `values` (optionally only where `include` is 1) in `bins` equal bins over [low, high]. */
export function histogram(values: ArrayLike<number>, low: number, high: number, bins: number, include?: ArrayLike<number>): Histogram {
  const width = (high - low) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    if (include !== undefined && include[i] === 0) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor((values[i]! - low) / width)));
    counts[b]!++;
  }
  return { start: low, width, counts };
}

export const distributionSchema = z.strictObject({
  model: z.string(),
  layer: z.string(),
  dense: histogramSchema,
  pruned: histogramSchema,
  /** One bar per codebook entry (the pruned zero left out): centroid value and how many weights use it. */
  codebook: z.array(z.strictObject({ value: z.number(), count: z.number().int() })),
  weightBits: z.number().int(),
  indexBits: z.number().int(),
  /** Stored weight codes, fillers included (code 0 is the zero of fillers). */
  codeCounts: z.array(z.number().int()),
  /** Stored index symbols: symbol s means a gap of s + 1 positions; fillers store 2^bits - 1. */
  gapCounts: z.array(z.number().int()),
  fillers: z.number().int(),
  /** "[in, out] (tfjs layout)" or "[out, in, kh, kw] (Caffe layout)". */
  layout: z.string(),
});
export type WeightDistribution = z.infer<typeof distributionSchema>;

/** Histograms of one layer from its dense values, pruned values and decoded compressed form. */
export function layerDistribution(parts: {
  model: string;
  layer: string;
  layout: string;
  dense: Float32Array;
  pruned: Float32Array;
  codebook: Float32Array;
  /** One code per element, 0 = pruned. */
  codes: ArrayLike<number>;
  weightBits: number;
  indexBits: number;
  bins?: number;
}): WeightDistribution {
  const bins = parts.bins ?? 80;
  let max = 0;
  for (const v of parts.dense) max = Math.max(max, Math.abs(v));
  const survivors = new Uint8Array(parts.pruned.length);
  for (let i = 0; i < parts.pruned.length; i++) survivors[i] = parts.pruned[i] === 0 ? 0 : 1;
  const uses = new Array<number>(parts.codebook.length).fill(0);
  for (let i = 0; i < parts.codes.length; i++) uses[parts.codes[i]!]!++;
  const entries = encodeRelativeIndex(parts.codes, parts.indexBits);
  const codeCounts = new Array<number>(2 ** parts.weightBits).fill(0);
  const gapCounts = new Array<number>(2 ** parts.indexBits).fill(0);
  for (let k = 0; k < entries.codes.length; k++) {
    codeCounts[entries.codes[k]!]!++;
    gapCounts[entries.gaps[k]!]!++;
  }
  return {
    model: parts.model,
    layer: parts.layer,
    layout: parts.layout,
    dense: histogram(parts.dense, -max, max, bins),
    pruned: histogram(parts.pruned, -max, max, bins, survivors),
    codebook: [...parts.codebook].map((value, code) => ({ value, count: uses[code]! })).filter((_, code) => code !== 0),
    weightBits: parts.weightBits,
    indexBits: parts.indexBits,
    codeCounts,
    gapCounts,
    fillers: entries.fillerCount,
  };
}

/** The distribution stage of a LeNet layer: dense and pruned checkpoints plus the written file. */
export async function lenetDistribution(
  ctx: RunContext,
  recipe: LenetRecipe,
  layer: string,
  like: tfl.LayersModel,
): Promise<WeightDistribution> {
  const name = recipe.model;
  return timedStage(
    ctx,
    `${name}.fig-distribution-${layer}`,
    async () => {
      const weight = `${layer}/kernel`;
      const dense = readSavedWeights(ctx.run.path("stages", denseStageName(name, recipe.dense.epochs)), like).get(weight)
        .data as Float32Array;
      const pruned = readSavedWeights(ctx.run.path("stages", pruneStageName(name, recipe.prune.iterations)), like).get(weight)
        .data as Float32Array;
      const contents = await readContainer(ctx.run.path(`${name}.dcnpi`));
      const decoded = contents.layers.find((l) => l.name === weight);
      if (decoded === undefined || decoded.indexBits === null) throw new Error(`${name}.dcnpi has no sparse layer ${weight}`);
      return layerDistribution({
        model: name,
        layer,
        layout:
          `[${decoded.shape.join(", ")}] (` +
          ((contents.metadata as { storedAxes?: Record<string, unknown> } | null)?.storedAxes?.[weight] !== undefined
            ? "output-major, Caffe order"
            : "tfjs order") +
          ")",
        dense,
        pruned,
        codebook: decoded.codebook,
        codes: toDenseCodes(decoded),
        weightBits: decoded.weightBits,
        indexBits: decoded.indexBits,
      });
    },
    distributionSchema,
  );
}

// ---------- sweeps (Fig. 6 and Fig. 8) ----------

export const sweepPointSchema = z.strictObject({
  series: z.string(),
  /** Compressed size as a fraction of the 32-bit dense weights (paper's way, no Huffman). */
  sizeRate: z.number(),
  error: z.number(),
  bits: z.number().int().nullable(),
  keepScale: z.number().nullable(),
  init: z.string().nullable(),
});
export type SweepPoint = z.infer<typeof sweepPointSchema>;

export const sweepSchema = z.strictObject({
  points: z.array(sweepPointSchema),
  /** Examples of retraining per point (0: none). */
  retrainExamples: z.number().int(),
  /** Reference lines: dense error and the pruned (unquantized) model's error. */
  denseError: z.number(),
  prunedError: z.number().nullable(),
});
export type Sweep = z.infer<typeof sweepSchema>;

/** Keep-fraction multipliers of the paper's per-layer densities for the Fig. 6 sweep. */
export const KEEP_SCALES = [8, 4, 2, 1.5, 1, 0.75, 0.5];
export const QUANT_ONLY_BITS = [2, 3, 4, 5, 6, 8];
export const COMBINED_KEEP_SCALES = [2, 1, 0.5];
export const COMBINED_BITS = [2, 3, 4, 6];
export const INIT_SWEEP_BITS = [2, 3, 4, 5, 6, 7, 8];
export const INIT_SWEEP_INITS: readonly CentroidInit[] = ["linear", "density", "random"];

const kernels = (recipe: LenetRecipe) =>
  PAPER_LAYER_TABLES[recipe.model].layers.map((r) => ({ name: `${r.layer}/kernel`, keep: r.keptPercent / 100 }));

function subset(data: ClassifierData, count: number): ClassifierData {
  const n = Math.min(count, data.count);
  const per = data.images.length / data.count;
  return { count: n, images: data.images.subarray(0, n * per), labels: data.labels.subarray(0, n) };
}

/**
 * Bits of a sparse layer with `valueBits` per entry and `indexBits` per relative index (fillers
 * counted), with indices in the order the pipeline's plan walks the layer (output-major).
 */
function sparseBits(
  weights: WeightMap,
  name: string,
  mask: Uint8Array,
  valueBits: number,
  indexBits: number,
  codebookBits: number,
): number {
  const w = weights.entry(name);
  const ordered = permuteAxes(mask, w.tensor.shape, caffeAxes(w.tensor.shape, w.info.layerClass), name).data;
  const entries = encodeRelativeIndex(ordered, indexBits);
  return (entries.nonzeroCount + entries.fillerCount) * (valueBits + indexBits) + codebookBits;
}

interface SweepTools {
  readonly model: tfl.LayersModel;
  readonly data: MnistSplits;
  readonly recipe: LenetRecipe;
  readonly ctx: RunContext;
}

function evaluateWeights(tools: SweepTools, weights: WeightMap): number {
  writeModelWeights(tools.model, weights);
  return testError(tools.model, tools.data.test);
}

/** One short cosine-scheduled epoch over `examples` training images, through the stage's constrained optimizer. */
function sweepTraining(tools: SweepTools, rate: number, examples: number, label: string): TrainFunction {
  const steps = Math.ceil(examples / tools.recipe.dense.batchSize);
  return async (_target, context) => {
    const schedule = learningRateSchedule({ kind: "cosine", rate, finalRate: rate / 100, steps });
    const optimizer = context.wrapOptimizer(ScheduledOptimizer.create(tools.recipe.dense.optimizer, schedule));
    try {
      const batchSize = tools.recipe.dense.batchSize;
      await trainClassifier(tools.model, subset(tools.data.train, examples), {
        epochs: 1,
        batchSize,
        rng: tools.ctx.rng.fork(`sweep:${label}`),
        optimizer,
      });
    } finally {
      optimizer.dispose();
    }
  };
}

/** The pipeline's prune stage, one-shot from `weights`, with one masked retraining epoch when `examples` > 0. */
async function pruneFrom(
  tools: SweepTools,
  weights: WeightMap,
  targets: ReadonlyMap<string, PruneTarget>,
  examples: number,
  label: string,
) {
  writeModelWeights(tools.model, weights);
  const train = examples > 0 ? sweepTraining(tools, tools.recipe.prune.learningRate, examples, label) : undefined;
  return prune(tools.model, targets, { rng: tools.ctx.rng, train, epochsPerCycle: 1 });
}

/** The pipeline's quantize stage on `weights` written into the model (the sweep's own fork labels), then centroid fine-tuning when `examples` > 0. */
async function quantizeFrom(
  tools: SweepTools,
  weights: WeightMap,
  names: readonly string[],
  bits: number,
  init: CentroidInit,
  masks: MaskSet | undefined,
  examples: number,
  label: string,
): Promise<void> {
  writeModelWeights(tools.model, weights);
  const specs = new Map(names.map((name) => [name, { weightBits: bits, init }]));
  const { quantized } = quantize(tools.model, specs, { rng: tools.ctx.rng, rngLabel: (name) => `sweep:${label}:${name}`, masks });
  if (examples === 0) return;
  await fineTuneCentroids(tools.model, quantized, {
    rng: tools.ctx.rng,
    train: sweepTraining(tools, tools.recipe.quantize.learningRate, examples, label),
    epochs: 1,
  });
}

function masksOfZeros(weights: WeightMap, names: readonly string[]): MaskSet {
  const targets: Record<string, { keepCount: number }> = {};
  for (const name of names) {
    const data = weights.get(name).data;
    let kept = 0;
    for (let i = 0; i < data.length; i++) if (data[i] !== 0) kept++;
    targets[name] = { keepCount: kept };
  }
  return computeMasks(weights, targets).masks;
}

/**
 * Fig. 6 on a LeNet: pruning only (32-bit values + relative indices), quantization only (b-bit codes
 * of every weight + codebook) and both, from the trained dense model; retrained per point in full mode.
 */
export async function tradeoffSweep(ctx: RunContext, recipe: LenetRecipe, data: MnistSplits, model: tfl.LayersModel): Promise<Sweep> {
  const name = recipe.model;
  return timedStage(
    ctx,
    `${name}.fig6-tradeoff`,
    async () => {
      const tools: SweepTools = { model, data, recipe, ctx };
      const retrain = recipe.sweepRetrainExamples;
      const dense = readSavedWeights(ctx.run.path("stages", denseStageName(name, recipe.dense.epochs)), model);
      const layers = kernels(recipe);
      const names = layers.map((l) => l.name);
      const indexBits = PAPER_BITS[name].indexBits;
      const denseBits = layers.reduce((s, l) => s + dense.get(l.name).data.length * 32, 0);
      const points: SweepPoint[] = [];
      const total = KEEP_SCALES.length + QUANT_ONLY_BITS.length + COMBINED_KEEP_SCALES.length * COMBINED_BITS.length;
      const progress = progressFor(ctx, `${name} Fig. 6 sweep`, total);
      const denseError = evaluateWeights(tools, dense);
      const prunedAt = new Map<number, { weights: WeightMap; masks: MaskSet }>();
      try {
        for (const scale of KEEP_SCALES) {
          const targets = new Map(layers.map((l) => [l.name, { keepFraction: Math.min(1, l.keep * scale) }]));
          const masks = await pruneFrom(tools, dense, targets, retrain, `prune-${scale}`);
          const weights = readModelWeights(model);
          const error = testError(model, data.test);
          const bits = names.reduce((s, n) => s + sparseBits(dense, n, masks.get(n)!, 32, indexBits, 0), 0);
          points.push({ series: "pruning only", sizeRate: bits / denseBits, error, bits: null, keepScale: scale, init: null });
          if (COMBINED_KEEP_SCALES.includes(scale)) prunedAt.set(scale, { weights, masks });
          progress.tick(1, `pruning ×${scale}: ${(100 * error).toFixed(2)}%`);
        }
        for (const bits of QUANT_ONLY_BITS) {
          await quantizeFrom(tools, dense, names, bits, "linear", undefined, retrain, `quant-${bits}`);
          const error = testError(model, data.test);
          const size = layers.reduce((s, l) => s + dense.get(l.name).data.length * bits + 2 ** bits * 32, 0);
          points.push({ series: "quantization only", sizeRate: size / denseBits, error, bits, keepScale: null, init: null });
          progress.tick(1, `quantization ${bits} bits: ${(100 * error).toFixed(2)}%`);
        }
        for (const scale of COMBINED_KEEP_SCALES) {
          const { weights, masks } = prunedAt.get(scale)!;
          for (const bits of COMBINED_BITS) {
            // No further retraining: the pruned points were retrained (full mode) before quantization.
            await quantizeFrom(tools, weights, names, bits, "linear", masks, 0, `both-${scale}-${bits}`);
            const error = testError(model, data.test);
            const size = names.reduce((s, n) => s + sparseBits(dense, n, masks.get(n)!, bits, indexBits, 2 ** bits * 32), 0);
            points.push({ series: "pruning + quantization", sizeRate: size / denseBits, error, bits, keepScale: scale, init: null });
            progress.tick(1, `pruning ×${scale} + ${bits} bits: ${(100 * error).toFixed(2)}%`);
          }
        }
      } finally {
        progress.stop();
      }
      for (const p of points) ctx.run.appendMetric({ model: name, figure: "fig6", ...p });
      return { points, retrainExamples: retrain, denseError, prunedError: null };
    },
    sweepSchema,
  );
}

/**
 * Fig. 8 on a LeNet: the pruned (retrained) model of the pipeline, every layer quantized at 2–8 bits
 * with each centroid initialisation; centroids fine-tuned briefly per point in full mode.
 */
export async function initSweep(ctx: RunContext, recipe: LenetRecipe, data: MnistSplits, model: tfl.LayersModel): Promise<Sweep> {
  const name = recipe.model;
  return timedStage(
    ctx,
    `${name}.fig8-init`,
    async () => {
      const tools: SweepTools = { model, data, recipe, ctx };
      const retrain = Math.round(recipe.sweepRetrainExamples / 6);
      const pruned = readSavedWeights(ctx.run.path("stages", pruneStageName(name, recipe.prune.iterations)), model);
      const layers = kernels(recipe);
      const names = layers.map((l) => l.name);
      const masks = masksOfZeros(pruned, names);
      const indexBits = PAPER_BITS[name].indexBits;
      const denseBits = layers.reduce((s, l) => s + pruned.get(l.name).data.length * 32, 0);
      const prunedError = evaluateWeights(tools, pruned);
      const points: SweepPoint[] = [];
      const progress = progressFor(ctx, `${name} Fig. 8 sweep`, INIT_SWEEP_BITS.length * INIT_SWEEP_INITS.length);
      try {
        for (const bits of INIT_SWEEP_BITS) {
          for (const init of INIT_SWEEP_INITS) {
            await quantizeFrom(tools, pruned, names, bits, init, masks, retrain, `init-${init}-${bits}`);
            const error = testError(model, data.test);
            const size = names.reduce((s, n) => s + sparseBits(pruned, n, masks.get(n)!, bits, indexBits, 2 ** bits * 32), 0);
            points.push({ series: init, sizeRate: size / denseBits, error, bits, keepScale: 1, init });
            progress.tick(1, `${init} ${bits} bits: ${(100 * error).toFixed(2)}%`);
          }
        }
      } finally {
        progress.stop();
      }
      for (const p of points) ctx.run.appendMetric({ model: name, figure: "fig8", ...p });
      const denseError = evaluateWeights(tools, readSavedWeights(ctx.run.path("stages", denseStageName(name, recipe.dense.epochs)), model));
      return { points, retrainExamples: retrain, denseError, prunedError };
    },
    sweepSchema,
  );
}

// ---------- k-means convergence vs size (why the Huffman weight bits differ from the paper's) ----------

export const kmeansStudySchema = z.strictObject({
  rows: z.array(
    z.strictObject({
      /** Lloyd iterations from the linear initialisation (the pipeline runs to convergence). */
      maxIterations: z.number().int(),
      converged: z.boolean(),
      weightBitsHuffman: z.number(),
      indexBitsHuffman: z.number(),
      ratio: z.number(),
      squaredError: z.number(),
      /** Test error with these centroids, before any fine-tuning. */
      error: z.number(),
    }),
  ),
});
export type KmeansStudy = z.infer<typeof kmeansStudySchema>;

export const KMEANS_STUDY_ITERATIONS = [1, 3, 10, 30, 10_000];

/**
 * The pipeline's pruned (retrained) model quantized with the paper's bits after a given number of
 * Lloyd iterations, encoded as the pipeline encodes, measured the paper's way and on the test set.
 * The paper does not say how long its k-means ran; converged k-means spreads the shared weights over
 * the dense part of the distribution, which makes the codes less skewed and Huffman saves less.
 */
export async function kmeansStudy(ctx: RunContext, recipe: LenetRecipe, data: MnistSplits, model: tfl.LayersModel): Promise<KmeansStudy> {
  const name = recipe.model;
  return timedStage(
    ctx,
    `${name}.kmeans-iterations`,
    async () => {
      const pruned = readSavedWeights(ctx.run.path("stages", pruneStageName(name, recipe.prune.iterations)), model);
      const plan = paperPlan(name, recipe);
      const rules = plan.rules.filter((r) => r.store === "compressed");
      const names = rules.map((r) => r.match.name!);
      const masks = masksOfZeros(pruned, names);
      const rows: KmeansStudy["rows"] = [];
      const specs = new Map(rules.map((rule) => [rule.match.name!, { weightBits: rule.weightBits!, init: "linear" as const }]));
      for (const maxIterations of KMEANS_STUDY_ITERATIONS) {
        writeModelWeights(model, pruned);
        const { quantized, kmeans } = quantize(model, specs, { masks, maxIterations });
        let paperBits = 0;
        let denseBits = 0;
        let weightBits = 0;
        let indexBits = 0;
        let entries = 0;
        let squaredError = 0;
        let converged = true;
        for (const [name, q] of quantized) {
          const rule = rules.find((r) => r.match.name === name)!;
          const w = pruned.entry(name);
          squaredError += kmeans.get(name)!.squaredError;
          converged &&= kmeans.get(name)!.converged;
          // Always Huffman-coded, as the paper's figures are (the pipeline keeps whichever is smaller).
          const spec = { indexBits: rule.indexBits!, indexOrder: rule.indexOrder ?? "tfjs", huffman: "always" } as const;
          const a = encodeWeight({ name, shape: w.tensor.shape, info: w.info }, q, spec).layer.accounting;
          paperBits += a.paperTotalBits;
          denseBits += a.denseBits;
          weightBits += a.paperWeightBits;
          indexBits += a.paperIndexBits;
          entries += a.entryCount;
        }
        const error = testError(model, data.test);
        rows.push({
          maxIterations,
          converged,
          weightBitsHuffman: weightBits / entries,
          indexBitsHuffman: indexBits / entries,
          ratio: denseBits / paperBits,
          squaredError,
          error,
        });
      }
      return { rows };
    },
    kmeansStudySchema,
  );
}
