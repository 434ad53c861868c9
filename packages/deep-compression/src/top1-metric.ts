/**
 * The metric an accuracy budget is measured in: top-1 agreement with the original model's
 * predictions (needs no labels) and, when labels are given, top-1 accuracy. It works over any
 * "predict a batch of inputs → scores" function, so a layers model, a graph model or a model behind
 * another runtime plug in the same way; scores may be logits or probabilities (top-1 is the same).
 */
import { z } from "zod";
import { CompressionError } from "./errors.js";

/** Example inputs as one row-major float batch [count, ...shape], with class labels when known. */
export interface ExampleBatch {
  readonly count: number;
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly labels?: Int32Array | undefined;
}

/** Scores [count, classes] (row-major) for `count` inputs laid out as in `ExampleBatch.data`. */
export type PredictBatch = (inputs: Float32Array, count: number) => Promise<Float32Array> | Float32Array;

/** Top-1 comparison of a model against the original's predictions (fractions in [0, 1]). */
export interface Top1 {
  readonly count: number;
  /** Fraction of inputs whose top-1 class equals the original model's. */
  readonly agreement: number;
  /** Fraction whose top-1 class is the label (labelled data only). */
  readonly accuracy: number | undefined;
  /**
   * Set when the measurement stopped early (`measureTop1` with `stop`): only this many inputs were
   * run, and the fractions are upper bounds (every input not run counted as agreeing and correct).
   */
  readonly stoppedAfter?: number;
}

/** How much the compressed model may differ from the original, in top-1 points. */
export const accuracyBudgetSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("min-agreement"), percent: z.number().min(0).max(100) }),
  z.strictObject({ kind: z.literal("max-drop"), points: z.number().min(0).max(100) }),
]);
export type AccuracyBudget = z.infer<typeof accuracyBudgetSchema>;

/** Index of the highest score of each row (first on ties), for `count` rows. */
export function top1Classes(scores: Float32Array, count: number): Int32Array {
  if (count < 1 || scores.length % count !== 0)
    throw new CompressionError("INVALID_ARGUMENT", `predictions: ${scores.length} scores do not split into ${count} rows`);
  const classes = scores.length / count;
  const out = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[r * classes + c]! > scores[r * classes + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/**
 * Inputs per call of the model: 256, or as many as fit in 32 MB of input (55 images of 224x224x3) so
 * that a convolutional network's activations stay a few hundred MB. Every measurement of a batch
 * slices it the same way, so the original model's scores and a measurement of it agree exactly.
 */
export function sliceSize(batch: Pick<ExampleBatch, "shape">): number {
  const per = batch.shape.reduce((p, d) => p * d, 1);
  return Math.max(1, Math.min(256, Math.floor((32 * 2 ** 20) / (4 * per))));
}

/** `predict` on `count` inputs from `start`, checked to give `classes` scores each (0: not known yet). */
async function predictSlice(
  predict: PredictBatch,
  batch: ExampleBatch,
  start: number,
  count: number,
  classes: number,
): Promise<Float32Array> {
  const per = batch.shape.reduce((p, d) => p * d, 1);
  const out = await predict(batch.data.subarray(start * per, (start + count) * per), count);
  const perInput = out.length / count;
  if (!Number.isInteger(perInput) || perInput < 1 || (classes > 0 && perInput !== classes))
    throw new CompressionError("INVALID_ARGUMENT", `the model gave ${out.length} scores for ${count} inputs`);
  return out;
}

/** Runs `predict` over `batch` in slices of `batchSize` (default `sliceSize`); returns all scores and the class count. */
export async function predictAll(
  predict: PredictBatch,
  batch: ExampleBatch,
  options: { batchSize?: number; onSlice?: (done: number) => void } = {},
): Promise<{ scores: Float32Array; classes: number }> {
  const size = options.batchSize ?? sliceSize(batch);
  let scores: Float32Array | undefined;
  let classes = 0;
  for (let start = 0; start < batch.count; start += size) {
    const n = Math.min(size, batch.count - start);
    const out = await predictSlice(predict, batch, start, n, classes);
    if (scores === undefined) {
      classes = out.length / n;
      scores = new Float32Array(batch.count * classes);
    }
    scores.set(out, start * classes);
    options.onSlice?.(start + n);
  }
  return { scores: scores ?? new Float32Array(0), classes };
}

/** When a measurement may stop: once the budget's slack against `baseline` is sure to stay below `below` points. */
export interface EarlyStop {
  readonly budget: AccuracyBudget;
  readonly baseline: Top1;
  readonly below: number;
}

/**
 * Top-1 of `predict` on `batch` against the original's classes `reference` (and the batch's labels),
 * slice by slice as `predictAll` runs it. With `stop`, it returns as soon as the outcome is decided:
 * when even inputs that all agree (and are all correct) from here on would leave the slack below
 * `stop.below`. That result is the upper bound (`stoppedAfter` set), so a caller comparing its slack
 * with `stop.below` decides as it would on the whole batch. A plan that breaks the model is then told
 * apart on a slice instead of every input (most candidates of a MobileNet's scan).
 */
export async function measureTop1(
  predict: PredictBatch,
  batch: ExampleBatch,
  reference: Int32Array,
  options: { stop?: EarlyStop; batchSize?: number } = {},
): Promise<Top1> {
  if (reference.length !== batch.count)
    throw new CompressionError("INVALID_ARGUMENT", `measureTop1: ${reference.length} reference classes for ${batch.count} inputs`);
  const size = options.batchSize ?? sliceSize(batch);
  const labels = batch.labels;
  const predicted = new Int32Array(batch.count);
  let agree = 0;
  let correct = 0;
  let classes = 0;
  for (let start = 0; start < batch.count; start += size) {
    const n = Math.min(size, batch.count - start);
    const out = await predictSlice(predict, batch, start, n, classes);
    classes = out.length / n;
    predicted.set(top1Classes(out, n), start);
    for (let i = start; i < start + n; i++) {
      if (predicted[i] === reference[i]) agree++;
      if (labels !== undefined && predicted[i] === labels[i]) correct++;
    }
    const left = batch.count - start - n;
    if (options.stop === undefined || left === 0) continue;
    const bound: Top1 = {
      count: batch.count,
      agreement: (agree + left) / batch.count,
      accuracy: labels === undefined ? undefined : (correct + left) / batch.count,
      stoppedAfter: start + n,
    };
    if (budgetSlack(options.stop.budget, bound, options.stop.baseline) < options.stop.below) return bound;
  }
  return compareTop1(predicted, reference, labels);
}

/** Top-1 of `predicted` against the original's classes and, if given, the labels. */
export function compareTop1(predicted: Int32Array, reference: Int32Array, labels?: Int32Array): Top1 {
  let agree = 0;
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) {
    if (predicted[i] === reference[i]) agree++;
    if (labels !== undefined && predicted[i] === labels[i]) correct++;
  }
  const count = predicted.length;
  return {
    count,
    agreement: count === 0 ? 1 : agree / count,
    accuracy: labels === undefined ? undefined : count === 0 ? 1 : correct / count,
  };
}

/**
 * How far inside the budget `measured` is, in top-1 points (negative: outside). `baseline` is the
 * original model on the same inputs (its accuracy is what `max-drop` counts from).
 */
export function budgetSlack(budget: AccuracyBudget, measured: Top1, baseline: Top1): number {
  if (budget.kind === "min-agreement") return 100 * measured.agreement - budget.percent;
  if (measured.accuracy === undefined || baseline.accuracy === undefined)
    throw new CompressionError(
      "INVALID_ARGUMENT",
      "--max-drop needs labelled data (class folders or --labels); use --min-agreement without labels",
    );
  return budget.points - 100 * (baseline.accuracy - measured.accuracy);
}

/**
 * The default head room of the budget search, in top-1 points: one binomial standard error of a metric
 * at the budget's level measured on `baseline.count` inputs (a 99% agreement on 350 search inputs:
 * 0.53 points). The search picks the cheapest plan that passes on its own inputs, so a plan that passes
 * there by nothing is, on new inputs, as likely outside the budget as inside (measured: 99%-agreement
 * plans chosen that way agreed on 98.5-98.9% of 10,000 unseen digits).
 */
export function searchMargin(budget: AccuracyBudget, baseline: Top1): number {
  if (baseline.count <= 0) return 0;
  const level =
    budget.kind === "min-agreement" ? budget.percent / 100 : Math.min(1, Math.max(0, (baseline.accuracy ?? 1) - budget.points / 100));
  return 100 * Math.sqrt((level * (1 - level)) / baseline.count);
}

/**
 * The Wilson score interval (95% by default) of a fraction measured on `count` inputs: how far the
 * agreement on a user's few hundred held-out inputs is from certifying a budget (150 inputs that all
 * agree still allow a true agreement of 97.5%).
 */
export function wilsonInterval(fraction: number, count: number, z = 1.96): { low: number; high: number } {
  if (count <= 0) return { low: 0, high: 1 };
  const z2 = z * z;
  const center = (fraction + z2 / (2 * count)) / (1 + z2 / count);
  const half = (z / (1 + z2 / count)) * Math.sqrt((fraction * (1 - fraction)) / count + z2 / (4 * count * count));
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

/** The metric of `measured` in the budget's own units, for messages (`agreement 99.4%`, `accuracy 97.1% (-0.4)`). */
export function formatTop1(budget: AccuracyBudget, measured: Top1, baseline: Top1): string {
  const agreement = `top-1 agreement ${(100 * measured.agreement).toFixed(2)}%`;
  if (measured.accuracy === undefined || baseline.accuracy === undefined) return `${agreement} on ${measured.count} inputs`;
  const drop = 100 * (baseline.accuracy - measured.accuracy);
  const accuracy = `accuracy ${(100 * measured.accuracy).toFixed(2)}% (${drop >= 0 ? "-" : "+"}${Math.abs(drop).toFixed(2)} points)`;
  return budget.kind === "max-drop"
    ? `${accuracy}, ${agreement} on ${measured.count} inputs`
    : `${agreement}, ${accuracy} on ${measured.count} inputs`;
}
