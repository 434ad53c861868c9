/**
 * One LeNet through the whole reproduction: dense training on real MNIST (one resumable stage per
 * epoch, weights and optimizer state saved in the stage directory), then `compress()` from
 * @dcnpi/deep-compression with the paper's per-layer plan (each prune/retrain cycle is its own
 * resumable stage), then the data for the figures. Errors are on the full 10,000-image test set.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@dcnpi/base/node";
import { loadMnist, type MnistData } from "@dcnpi/datasets";
import { compress, type CompressionReport, type CompressionTarget, type TrainContext } from "@dcnpi/deep-compression";
import { containerFile, loadCompressed } from "@dcnpi/deep-compression/node";
import { buildLenet300100, buildLenet5, evaluateClassifier, trainClassifier, type ClassifierData } from "@dcnpi/model-zoo";
import type { Rng } from "@dcnpi/tensor";
import { readModelWeights, writeModelWeights } from "@dcnpi/tensor/tfjs";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { z } from "zod";
import { readCheckpoint, tensorsToWeightMap, weightMapTensors, writeCheckpoint, type CheckpointTensor } from "./checkpoint.js";
import { beyondPlan, caffeViews, paperPlan, type CompressionMethod, type LenetModel, type LenetRecipe } from "./recipes.js";
import { progressFor, timedStage, type RunContext } from "./run-context.js";
import { learningRateSchedule, ScheduledOptimizer, type LearningRateSchedule, type OptimizerStateEntry } from "./scheduled-optimizer.js";

export interface MnistSplits {
  readonly train: MnistData;
  readonly test: MnistData;
}

let mnistCache: MnistSplits | undefined;
/** Real MNIST, checked (MD5, dimensions), loaded once per process. */
export function mnist(): MnistSplits {
  mnistCache ??= { train: loadMnist({ split: "train" }), test: loadMnist({ split: "test" }) };
  return mnistCache;
}

export function buildLenet(model: LenetModel, rng: Rng): tfl.LayersModel {
  return model === "lenet-300-100" ? buildLenet300100(rng) : buildLenet5(rng);
}

/** Test error (a fraction) on all 10,000 test images. */
export function testError(model: tfl.LayersModel, test: ClassifierData): number {
  return evaluateClassifier(model, test, { batchSize: 500 }).errorRate;
}

/** Names of the tf.Variables behind the model's kernels (what weight decay applies to). */
export function kernelVariableNames(model: tfl.LayersModel): Set<string> {
  return new Set(model.trainableWeights.filter((w) => w.originalName.endsWith("/kernel")).map((w) => (w.read() as tf.Variable).name));
}

const CHECKPOINT = "model";

async function optimizerTensors(
  optimizer: ScheduledOptimizer,
): Promise<{ tensors: CheckpointTensor[]; state: { names: string[]; dtypes: string[] } }> {
  const entries = await optimizer.exportState();
  const tensors = entries.map((e, i) => ({ name: `optimizer/${i}`, shape: e.shape, data: e.data }));
  return { tensors, state: { names: entries.map((e) => e.name), dtypes: entries.map((e) => e.dtype) } };
}

const checkpointExtraSchema = z.strictObject({
  step: z.number().int().nonnegative(),
  optimizer: z.strictObject({ names: z.array(z.string()), dtypes: z.array(z.string()) }).optional(),
});

/** Saves the model's weights (and optimizer state, if given) in `dir`. */
export async function saveModel(dir: string, model: tfl.LayersModel, optimizer?: ScheduledOptimizer): Promise<void> {
  const weights = weightMapTensors(readModelWeights(model));
  if (optimizer === undefined) {
    writeCheckpoint(dir, CHECKPOINT, weights, { step: 0 });
    return;
  }
  const { tensors, state } = await optimizerTensors(optimizer);
  writeCheckpoint(dir, CHECKPOINT, [...weights, ...tensors], { step: optimizer.step, optimizer: state });
}

/** Loads weights saved by `saveModel` into `model`; returns the optimizer state, if saved. */
export function loadModel(dir: string, model: tfl.LayersModel): { step: number; optimizer: OptimizerStateEntry[] | undefined } {
  const { tensors, extra } = readCheckpoint(dir, CHECKPOINT);
  const parsed = checkpointExtraSchema.parse(extra);
  const like = readModelWeights(model);
  const weights = tensors.filter((t) => !t.name.startsWith("optimizer/"));
  writeModelWeights(model, tensorsToWeightMap(weights, like));
  if (parsed.optimizer === undefined) return { step: parsed.step, optimizer: undefined };
  const state = parsed.optimizer;
  const optimizer = tensors
    .filter((t) => t.name.startsWith("optimizer/"))
    .map((t, i) => ({ name: state.names[i]!, shape: t.shape, dtype: state.dtypes[i]!, data: t.data }));
  return { step: parsed.step, optimizer };
}

/** Puts the last dense epoch's saved weights into `model` (another method starts from the same dense model). */
export function restoreDense(ctx: RunContext, model: tfl.LayersModel, recipe: LenetRecipe): void {
  loadModel(ctx.run.path("stages", denseStageName(recipe.model, recipe.dense.epochs)), model);
}

/** Weights saved in a stage directory, as a host weight map (for the figure sweeps). */
export function readSavedWeights(dir: string, like: tfl.LayersModel) {
  const { tensors } = readCheckpoint(dir, CHECKPOINT);
  return tensorsToWeightMap(
    tensors.filter((t) => !t.name.startsWith("optimizer/")),
    readModelWeights(like),
  );
}

const epochSummarySchema = z.strictObject({
  epoch: z.number().int(),
  meanLoss: z.number(),
  testError: z.number(),
  learningRate: z.number(),
  trainSeconds: z.number(),
});
export type EpochSummary = z.infer<typeof epochSummarySchema>;

export const denseStageName = (model: LenetModel, epoch: number) => `${model}.dense-${String(epoch).padStart(2, "0")}`;
export const pruneStageName = (model: LenetModel, cycle: number, method: CompressionMethod = "paper") =>
  `${methodPrefix(model, method)}.prune-${cycle}`;
/** Stage and file prefix of a method: the paper's keeps the names runs had before `--method` existed. */
export const methodPrefix = (model: LenetModel, method: CompressionMethod) => (method === "paper" ? model : `${model}.${method}`);

function denseSchedule(recipe: LenetRecipe, data: ClassifierData): LearningRateSchedule {
  const steps = recipe.dense.epochs * Math.ceil(data.count / recipe.dense.batchSize);
  return learningRateSchedule({
    kind: "cosine",
    rate: recipe.dense.learningRate,
    finalRate: recipe.dense.learningRate * recipe.dense.finalRateFraction,
    steps,
  });
}

/**
 * Dense training, one stage per epoch. A finished epoch is read back; the first unfinished one
 * starts from the previous epoch's saved weights and optimizer state (so a resumed run continues the
 * same trajectory). Leaves `model` holding the weights of the last epoch.
 */
export async function trainDense(ctx: RunContext, model: tfl.LayersModel, recipe: LenetRecipe, data: MnistSplits): Promise<EpochSummary[]> {
  const name = recipe.model;
  const schedule = denseSchedule(recipe, data.train);
  const decay = recipe.dense.weightDecay.rate > 0 ? { ...recipe.dense.weightDecay, variables: kernelVariableNames(model) } : undefined;
  const rng = ctx.rng.fork("dense");
  const batches = Math.ceil(data.train.count / recipe.dense.batchSize);
  const summaries: EpochSummary[] = [];
  let optimizer: ScheduledOptimizer | undefined;
  /** The epoch whose weights the model holds (0: the initial weights). */
  let inMemory = 0;
  const progress = progressFor(ctx, `${name} dense training`, recipe.dense.epochs * batches);
  try {
    for (let epoch = 1; epoch <= recipe.dense.epochs; epoch++) {
      const stage = denseStageName(name, epoch);
      if (!ctx.run.isDone(stage) && inMemory !== epoch - 1) {
        // Resume: the previous epoch finished in an earlier invocation.
        const restored = loadModel(ctx.run.path("stages", denseStageName(name, epoch - 1)), model);
        optimizer?.dispose();
        optimizer = ScheduledOptimizer.create(recipe.dense.optimizer, schedule, decay, restored.step);
        if (restored.optimizer !== undefined) await optimizer.importState(restored.optimizer);
        inMemory = epoch - 1;
      }
      const summary = await timedStage(
        ctx,
        stage,
        async (stageDir) => {
          optimizer ??= ScheduledOptimizer.create(recipe.dense.optimizer, schedule, decay, 0);
          const learningRate = optimizer.currentRate;
          const started = performance.now();
          const result = await trainClassifier(model, data.train, {
            epochs: 1,
            batchSize: recipe.dense.batchSize,
            rng: rng.fork(`epoch-${epoch}`),
            optimizer,
            onProgress: (p) => p.batch % 20 === 19 && progress.tick(20, `epoch ${epoch}/${recipe.dense.epochs} loss ${p.loss.toFixed(3)}`),
          });
          const trainSeconds = (performance.now() - started) / 1000;
          const error = testError(model, data.test);
          await saveModel(stageDir, model, optimizer);
          inMemory = epoch;
          return { epoch, meanLoss: result.epochs[0]!.meanLoss, testError: error, learningRate, trainSeconds };
        },
        epochSummarySchema,
      );
      progress.update(epoch * batches, `epoch ${epoch}/${recipe.dense.epochs} test error ${(100 * summary.testError).toFixed(2)}%`);
      ctx.run.appendMetric({ model: name, stage: "dense", ...summary });
      summaries.push(summary);
    }
  } finally {
    optimizer?.dispose();
    progress.stop();
  }
  if (inMemory !== recipe.dense.epochs && recipe.dense.epochs > 0)
    loadModel(ctx.run.path("stages", denseStageName(name, recipe.dense.epochs)), model);
  return summaries;
}

const looseReport = z.custom<CompressionReport>(
  (v) =>
    typeof v === "object" && v !== null && (v as { version?: unknown }).version === 1 && Array.isArray((v as { layers?: unknown }).layers),
);

const compressStageSchema = z.strictObject({
  report: looseReport,
  /** Test error of the model read back from the .dcnpi file with loadCompressed (must equal the final stage's). */
  loadedError: z.number(),
  fileBytes: z.number().int(),
});
export type CompressStage = z.infer<typeof compressStageSchema>;

const pruneCycleSchema = z.strictObject({ cycle: z.number().int(), epochs: z.number(), meanLoss: z.number(), trainSeconds: z.number() });

/**
 * `epochs` passes over the training set (a fraction trains on a window of that many examples at
 * a seeded offset, wrapping around), reporting every 20 batches. Returns the mean batch loss.
 */
async function trainExamples(
  model: tfl.LayersModel,
  data: ClassifierData,
  epochs: number,
  batchSize: number,
  optimizer: tf.Optimizer,
  rng: Rng,
  onBatches: (batches: number, loss: number) => void,
): Promise<number> {
  const whole = Math.floor(epochs);
  const part = Math.round((epochs - whole) * data.count);
  const sets: ClassifierData[] = Array.from({ length: whole }, () => data);
  if (part > 0) sets.push(exampleWindow(data, rng.fork("window").int(data.count), part));
  let lossSum = 0;
  let count = 0;
  for (const [i, set] of sets.entries()) {
    const r = await trainClassifier(model, set, {
      epochs: 1,
      batchSize,
      rng: rng.fork(`epoch-${i}`),
      optimizer,
      onProgress: (p) => p.batch % 20 === 19 && onBatches(20, p.loss),
    });
    lossSum += r.epochs[0]!.meanLoss * set.count;
    count += set.count;
  }
  return lossSum / Math.max(count, 1);
}

/** `count` consecutive examples from `start`, wrapping around the end of the set. */
export function exampleWindow(data: ClassifierData, start: number, count: number): ClassifierData {
  const per = data.images.length / data.count;
  const n = Math.min(count, data.count);
  if (start + n <= data.count) {
    return { count: n, images: data.images.subarray(start * per, (start + n) * per), labels: data.labels.subarray(start, start + n) };
  }
  const head = data.count - start;
  const images = new Float32Array(n * per);
  images.set(data.images.subarray(start * per), 0);
  images.set(data.images.subarray(0, (n - head) * per), head * per);
  const labels = new Uint8Array(n);
  labels.set(data.labels.subarray(start), 0);
  labels.set(data.labels.subarray(0, n - head), head);
  return { count: n, images, labels };
}

/** Total retraining passes over the training set across all prune cycles. */
export function pruneEpochs(recipe: LenetRecipe): number {
  return (recipe.prune.iterations - 1) * recipe.prune.epochsPerIteration + recipe.prune.epochsAfterLast;
}

/**
 * Runs `compress()` with the paper's plan and the recipe's retraining; writes `<model>.dcnpi` into
 * the run directory. The prune cycles share one optimizer whose rate follows one cosine over all of
 * them (gradual pruning: short cycles, then a longer last one). Each cycle is a stage of its own
 * that saves the weights and the optimizer state: a resumed run loads them instead of retraining
 * (the masks are recomputed from identical weights, so they are identical too).
 */
export async function compressLenet(
  ctx: RunContext,
  model: tfl.LayersModel,
  recipe: LenetRecipe,
  data: MnistSplits,
  method: CompressionMethod = "paper",
): Promise<CompressStage> {
  const name = recipe.model;
  const prefix = methodPrefix(name, method);
  const plan = method === "paper" ? paperPlan(name, recipe, caffeViews(name)) : beyondPlan(name, recipe, caffeViews(name));
  const batches = Math.ceil(data.train.count / recipe.dense.batchSize);
  // The paper's metric lines stay as they were; another method's carry its name.
  const methodField = method === "paper" ? {} : { method };
  const totalBatches = Math.ceil((pruneEpochs(recipe) + recipe.quantize.epochs) * batches);
  const stage = `${prefix}.compress`;
  const result = await timedStage(
    ctx,
    stage,
    async (stageDir) => {
      const progress = progressFor(ctx, `${prefix} prune → quantize → encode`, totalBatches);
      let done = 0;
      const tick = (label: string) => (n: number, loss: number) => {
        done += n;
        progress.update(Math.min(done, totalBatches), `${label} loss ${loss.toFixed(3)}`);
      };
      const pruneRate = recipe.prune.learningRate;
      const pruneSchedule = learningRateSchedule({
        kind: "cosine",
        rate: pruneRate,
        finalRate: pruneRate * recipe.dense.finalRateFraction,
        steps: Math.ceil(pruneEpochs(recipe) * batches),
      });
      const pruneDecay =
        recipe.prune.weightDecay.rate > 0 ? { ...recipe.prune.weightDecay, variables: kernelVariableNames(model) } : undefined;
      let shared: ScheduledOptimizer | undefined;
      let pending: { step: number; optimizer: OptimizerStateEntry[] | undefined } | undefined;
      const sharedOptimizer = async () => {
        if (shared !== undefined) return shared;
        shared = ScheduledOptimizer.create(recipe.dense.optimizer, pruneSchedule, pruneDecay, pending?.step ?? 0);
        if (pending?.optimizer !== undefined) await shared.importState(pending.optimizer);
        return shared;
      };
      const train = async (target: CompressionTarget, context: TrainContext) => {
        const m = target as tfl.LayersModel;
        if (context.stage === "quantize") {
          const rate = context.learningRate ?? recipe.quantize.learningRate;
          const schedule = learningRateSchedule({
            kind: "cosine",
            rate,
            finalRate: rate * recipe.dense.finalRateFraction,
            steps: Math.ceil(context.epochs * batches),
          });
          const optimizer = context.wrapOptimizer(ScheduledOptimizer.create(recipe.dense.optimizer, schedule));
          try {
            await trainExamples(
              m,
              data.train,
              context.epochs,
              recipe.dense.batchSize,
              optimizer,
              context.rng,
              tick("centroid fine-tuning"),
            );
          } finally {
            optimizer.dispose();
          }
          return;
        }
        const cycleStage = pruneStageName(name, context.cycle, method);
        const resumed = ctx.run.isDone(cycleStage);
        const summary = await timedStage(
          ctx,
          cycleStage,
          async (cycleDir) => {
            const started = performance.now();
            const inner = await sharedOptimizer();
            // The wrapper only masks; the shared optimizer lives on into the next cycle.
            const optimizer = context.wrapOptimizer(inner);
            const meanLoss = await trainExamples(
              m,
              data.train,
              context.epochs,
              recipe.dense.batchSize,
              optimizer,
              context.rng,
              tick(`prune ${context.cycle}/${context.cycles}`),
            );
            await saveModel(cycleDir, m, inner);
            return { cycle: context.cycle, epochs: context.epochs, meanLoss, trainSeconds: (performance.now() - started) / 1000 };
          },
          pruneCycleSchema,
          stage,
        );
        if (resumed) {
          pending = loadModel(ctx.run.path("stages", cycleStage), m);
          done += Math.round(context.epochs * batches);
        }
        if (context.cycle === context.cycles) {
          shared?.dispose();
          shared = undefined;
        }
        ctx.run.appendMetric({ model: name, ...methodField, stage: `prune ${context.cycle}/${context.cycles}`, ...summary });
      };
      const output = join(stageDir, `${prefix}.dcnpi`);
      let report: CompressionReport;
      try {
        ({ report } = await compress(model, plan, {
          rng: ctx.rng.fork("compress"),
          train,
          evaluate: async (target) => testError(target as tfl.LayersModel, data.test),
          metricName: "test error",
          output: containerFile(output),
          // The beyond file keeps its header small (the recipe is in the run's settings and report); the paper's is unchanged.
          metadata:
            method === "paper"
              ? { model: name, recipe, producedBy: "@dcnpi/repro deep-compression" }
              : { model: name, method, producedBy: "@dcnpi/repro deep-compression" },
          onEvent: (event) => {
            if (event.kind === "metric") {
              ctx.say(`${prefix}: test error after ${event.stage}: ${(100 * event.value).toFixed(2)}%`);
              ctx.run.appendMetric({ model: name, ...methodField, stage: event.stage, testError: event.value });
            }
          },
        }));
      } finally {
        shared?.dispose();
        progress.stop();
      }
      // The file is what counts: read it back with the public loader and measure again.
      const loaded = await loadCompressed(output);
      const loadedError = testError(loaded, data.test);
      loaded.dispose();
      const { fileBytes } = report.totals.onDisk;
      return { report, loadedError, fileBytes };
    },
    compressStageSchema,
  );
  const target = ctx.run.path(`${prefix}.dcnpi`);
  writeFileAtomic(target, readFileSync(ctx.run.path("stages", stage, `${prefix}.dcnpi`)));
  return result;
}
