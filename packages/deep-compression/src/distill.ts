/**
 * Retraining without labels: knowledge distillation (Hinton, Vinyals, Dean 2015, arXiv 1503.02531)
 * from the original model. The student (the model being compressed) is trained to match the
 * original's soft targets softmax(z/T) at temperature T, the soft cross-entropy scaled by T² so its
 * gradients keep their size as T changes (§2 of the paper); when labels are given, the ordinary
 * cross-entropy on them is added with a small weight (the paper found a considerably lower weight on
 * the hard targets works best). A `TrainFunction` for `compress`: masked retraining after each
 * pruning cycle and centroid fine-tuning both run through it, so unlabeled inputs are enough.
 *
 * Beyond Hinton et al., optional **function matching on mixed inputs** (Beyer, Zhai, Royer, Markeeva,
 * Anil, Kolesnikov, "Knowledge distillation: A good teacher is patient and consistent", CVPR 2022,
 * arXiv 2106.05237): each training input is a convex combination λ·x_i + (1 − λ)·x_j of two inputs
 * (mixup, Zhang et al. 2018, λ uniform in [0, 1]) and the original model, kept as a separate copy, labels
 * that very input, so a few hundred inputs give fresh, consistent targets at every step. With labels,
 * the hard targets mix the same way.
 *
 * Deviations, on purpose: the student runs in inference mode (no dropout, BatchNorm on its moving
 * statistics), which keeps retraining deterministic and leaves BatchNorm's statistics as trained;
 * an "epoch" is `examplesPerEpoch` examples cycled from the data, so a plan's epoch counts mean about
 * the same amount of training for 500 inputs as for 60,000.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { isVariablesTarget, type CompressionTarget } from "./compression-target.js";
import { CompressionError } from "./errors.js";
import type { TrainContext, TrainFunction } from "./stage-options.js";
import type { ExampleBatch, PredictBatch } from "./top1-metric.js";

/**
 * Input floats per distillation step by default (2^21: 64 MNIST digits, 13 images of 224x224x3). The
 * saved activations of a step grow with it; a batch of 64 photos through MobileNetV2 aborted the wasm
 * heap (2026-12-07), a batch of 16 trained at 231 ms per image.
 */
const DEFAULT_BATCH_FLOATS = 1 << 21;

export interface DistillationOptions {
  /** The training inputs (labels used when present). */
  readonly inputs: ExampleBatch;
  /** The original model's scores on `inputs`, [count, classes], computed before compression starts. */
  readonly teacherScores: Float32Array;
  /** Whether model outputs are probabilities (a softmax last layer) or logits; default: read off `teacherScores`. */
  readonly outputs?: "probabilities" | "logits";
  /** Softmax temperature T (default 4). */
  readonly temperature?: number;
  /** Weight of the hard-label cross-entropy when labels exist (default 0.1; the soft term gets 1 - this). */
  readonly labelWeight?: number;
  /**
   * Inputs per training step (default 64, fewer for big inputs: at most `DEFAULT_BATCH_FLOATS` input
   * floats per step, so 13 images of 224x224x3; 64 of MobileNetV2's activations overflow the wasm heap).
   */
  readonly batchSize?: number;
  /** Examples per epoch of the plan (default max(inputs, 10,000), cycling through the inputs). */
  readonly examplesPerEpoch?: number;
  /** Adam learning rate when the plan gives none: masked retraining (default 5e-4), centroids (default 1e-4). */
  readonly pruneLearningRate?: number;
  readonly quantizeLearningRate?: number;
  /**
   * The rate over one call's steps: `cosine` (default) decays from the rate to a tenth of it, as the
   * repro's retraining does; `constant` keeps it.
   */
  readonly schedule?: "cosine" | "constant";
  /**
   * Function matching on mixed inputs (see the module comment): the original model as a separate copy
   * (its predictions on any batch; `teacherScores` are then used only to check the class count). Off when absent.
   */
  readonly mixup?: { readonly teacher: PredictBatch };
  /** Called after every step (for a progress bar): step within this call, steps of this call, the loss. */
  readonly onStep?: (step: number, steps: number, loss: number, context: TrainContext) => void;
}

const FLOOR = 1e-30;

/** True when every row is non-negative and sums to 1 (a softmax output). */
export function looksLikeProbabilities(scores: Float32Array, classes: number): boolean {
  for (let r = 0; r < scores.length / classes; r++) {
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const v = scores[r * classes + c]!;
      if (v < 0) return false;
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-3) return false;
  }
  return true;
}

function trainableVariables(target: CompressionTarget): tf.Variable[] {
  if (isVariablesTarget(target)) return target.variables.filter((v) => v.trainable);
  return (target as LayersModel).trainableWeights.map((w) => w.read() as tf.Variable);
}

function forward(target: CompressionTarget, x: tf.Tensor): tf.Tensor {
  if (isVariablesTarget(target))
    throw new CompressionError("INVALID_ARGUMENT", "distillation needs a layers model (raw variables have no forward pass)");
  return (target as LayersModel).apply(x, { training: false }) as tf.Tensor;
}

/** A `TrainFunction` that distils the original model (its scores on the inputs) into the target. */
export function distillationTrain(options: DistillationOptions): TrainFunction {
  const { inputs, teacherScores } = options;
  const count = inputs.count;
  const classes = teacherScores.length / count;
  if (count < 1 || !Number.isInteger(classes))
    throw new CompressionError("INVALID_ARGUMENT", `distillation: ${teacherScores.length} teacher scores for ${count} inputs`);
  const temperature = options.temperature ?? 4;
  const probabilities =
    (options.outputs ?? (looksLikeProbabilities(teacherScores, classes) ? "probabilities" : "logits")) === "probabilities";
  const labels = inputs.labels;
  const labelWeight = labels === undefined ? 0 : (options.labelWeight ?? 0.1);
  if (labels !== undefined) {
    const bad = labels.findIndex((l) => l < 0 || l >= classes);
    if (bad >= 0)
      throw new CompressionError(
        "INVALID_ARGUMENT",
        `distillation: label ${labels[bad]} of input ${bad} is not one of the model's ${classes} classes`,
      );
  }
  const per = inputs.shape.reduce((p, d) => p * d, 1);
  const batchSize = Math.min(options.batchSize ?? Math.max(1, Math.min(64, Math.floor(DEFAULT_BATCH_FLOATS / per))), count);
  const examplesPerEpoch = options.examplesPerEpoch ?? Math.max(count, 10_000);
  /** Soft targets at temperature T on the host: softmax of z/T per row, z = log p for probabilities. */
  const softTargets = (scores: Float32Array, rows: number, out: Float32Array) => {
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      const z = (c: number) => {
        const v = scores[r * classes + c]!;
        return (probabilities ? Math.log(Math.max(v, FLOOR)) : v) / temperature;
      };
      for (let c = 0; c < classes; c++) max = Math.max(max, z(c));
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(z(c) - max);
      for (let c = 0; c < classes; c++) out[r * classes + c] = Math.exp(z(c) - max) / sum;
    }
    return out;
  };
  // Without mixup the inputs never change, so their soft targets are computed once.
  const soft = options.mixup === undefined ? softTargets(teacherScores, count, new Float32Array(teacherScores.length)) : undefined;
  const xBuffer = new Float32Array(batchSize * per);
  const softBuffer = new Float32Array(batchSize * classes);
  const hardBuffer = new Float32Array(batchSize * classes);

  return async (target, context) => {
    const steps = Math.max(1, Math.ceil((context.epochs * examplesPerEpoch) / batchSize));
    const rate =
      context.learningRate ?? (context.stage === "prune" ? (options.pruneLearningRate ?? 5e-4) : (options.quantizeLearningRate ?? 1e-4));
    const adam = tf.train.adam(rate);
    const optimizer = context.wrapOptimizer(adam);
    const cosine = (options.schedule ?? "cosine") === "cosine";
    const variables = trainableVariables(target);
    let order = context.rng.fork("order-0").permutation(count);
    const mixing = options.mixup === undefined ? undefined : context.rng.fork("mixup");
    let position = 0;
    let pass = 0;
    try {
      for (let step = 0; step < steps; step++) {
        // tfjs's Adam reads its public learningRate field on every step.
        if (cosine)
          (adam as unknown as { learningRate: number }).learningRate = rate * (0.1 + 0.45 * (1 + Math.cos((Math.PI * step) / steps)));
        const next = () => {
          if (position === count) {
            order = context.rng.fork(`order-${++pass}`).permutation(count);
            position = 0;
          }
          return order[position++]!;
        };
        for (let r = 0; r < batchSize; r++) {
          const i = next();
          const row = xBuffer.subarray(r * per, r * per + per);
          row.set(inputs.data.subarray(i * per, i * per + per));
          if (soft !== undefined) softBuffer.set(soft.subarray(i * classes, i * classes + classes), r * classes);
          if (labels !== undefined) {
            hardBuffer.fill(0, r * classes, r * classes + classes);
            hardBuffer[r * classes + labels[i]!] = 1;
          }
          if (mixing !== undefined) {
            // The partner comes from the same shuffled stream, λ from the call's own generator (seeded).
            const j = next();
            const lambda = mixing.float();
            const other = inputs.data.subarray(j * per, j * per + per);
            for (let k = 0; k < per; k++) row[k] = lambda * row[k]! + (1 - lambda) * other[k]!;
            if (labels !== undefined) {
              for (let c = 0; c < classes; c++) hardBuffer[r * classes + c]! *= lambda;
              hardBuffer[r * classes + labels[j]!]! += 1 - lambda;
            }
          }
        }
        // Function matching: the original model labels exactly the inputs the student sees.
        if (options.mixup !== undefined) softTargets(await options.mixup.teacher(xBuffer, batchSize), batchSize, softBuffer);
        const cost = tf.tidy(() => {
          const x = tf.tensor(xBuffer, [batchSize, ...inputs.shape]);
          const softTargets = tf.tensor2d(softBuffer, [batchSize, classes]);
          const hardTargets = labelWeight > 0 ? tf.tensor2d(hardBuffer, [batchSize, classes]) : undefined;
          const scalar = optimizer.minimize(
            () => {
              const out = tf.reshape(forward(target, x), [batchSize, classes]);
              const logits = probabilities ? tf.log(tf.maximum(out, FLOOR)) : out;
              const softLoss = tf.mul(tf.losses.softmaxCrossEntropy(softTargets, tf.div(logits, temperature)), temperature * temperature);
              if (hardTargets === undefined) return softLoss as tf.Scalar;
              const hardLoss = tf.losses.softmaxCrossEntropy(hardTargets, logits);
              return tf.add(tf.mul(softLoss, 1 - labelWeight), tf.mul(hardLoss, labelWeight)) as tf.Scalar;
            },
            true,
            variables,
          );
          return scalar ?? tf.scalar(Number.NaN);
        });
        const loss = (await cost.data())[0]!;
        cost.dispose();
        options.onStep?.(step + 1, steps, loss, context);
      }
    } finally {
      optimizer.dispose();
    }
  };
}
