import * as tf from "@tensorflow/tfjs-core";
import type { NpiModel, SequenceBatch } from "./npi-model.js";

/**
 * The loss of one training step: each sub-batch's mean loss counts equally, so the step's loss is
 * their mean. `total` is what gets differentiated; the parts are for logs. All four are tensors the
 * caller disposes (or a surrounding `tf.tidy` does).
 */
export interface StepLoss {
  readonly total: tf.Scalar;
  readonly end: tf.Scalar;
  readonly program: tf.Scalar;
  readonly argument: tf.Scalar;
}

/**
 * How a step's loss is computed from its sub-batches. The serial one below runs them all here; the
 * Node half (`GradientWorkers` in `./node`) runs some of them in worker threads and folds their
 * gradients back in, so a trainer or a retraining loop takes either without knowing which.
 */
export type StepLossFunction = (model: NpiModel, batches: readonly SequenceBatch[]) => StepLoss;

/**
 * The losses of `batches` summed and divided by `divisor`, term by term: the whole step's mean when
 * `divisor` is their count, one thread's share of it when the step's sub-batches are split.
 */
export function summedLoss(model: NpiModel, batches: readonly SequenceBatch[], divisor: number): StepLoss {
  const losses = batches.map((batch) => model.trainingLoss(batch));
  const sum = (pick: (l: (typeof losses)[number]) => tf.Scalar) => tf.div(tf.addN(losses.map(pick)), divisor) as tf.Scalar;
  return { total: sum((l) => l.total), end: sum((l) => l.end), program: sum((l) => l.program), argument: sum((l) => l.argument) };
}

/** Every sub-batch on this thread: the mean of their losses (the arithmetic every run before threads used). */
export const serialStepLoss: StepLossFunction = (model, batches) => summedLoss(model, batches, batches.length);

/**
 * A scalar of value 0 whose gradient with respect to each of `variables` is the matching host array
 * that `gradients()` returns (times the incoming gradient). Adding it to a loss adds a gradient
 * computed elsewhere (another thread, on the same weights) to whatever differentiates that loss:
 * `tf.variableGrads`, an optimizer, or a pruning or codebook binding's `minimize`.
 *
 * `gradients()` is called only during backpropagation, and tfjs backpropagates in reverse order of
 * recording: created before the rest of the loss, the term is the last node whose gradient is asked
 * for, so the other thread has until this thread's own backward pass is done.
 */
export function deferredGradientTerm(variables: readonly tf.Variable[], gradients: () => readonly Float32Array[]): tf.Scalar {
  if (variables.length === 0) return tf.scalar(0);
  // The inputs only route the gradient to the variables; the value does not depend on them.
  const f = tf.customGrad((() => ({
    value: tf.scalar(0),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
      const host = gradients();
      return variables.map((v, i) => tf.mul(tf.tensor(host[i]!, v.shape, "float32"), dy as tf.Tensor));
    },
  })) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...inputs: tf.Tensor[]) => tf.Scalar;
  return f(...variables);
}
