/**
 * What the stages share: the caller's training hook and its context, progress events, and where
 * each stage adds the seconds it spent. Each stage takes these as options, so a stage called alone
 * behaves exactly as it does inside `compress`.
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "@dcnpi/tensor";
import type { CompressionTarget } from "./compression-target.js";

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

/** Retrains the target in a stage; call `context.wrapOptimizer` on your optimizer (or train through `context.minimize`). */
export type TrainFunction = (target: CompressionTarget, context: TrainContext) => Promise<void>;

export type PipelineEvent =
  | { readonly kind: "stage-start"; readonly stage: string; readonly detail?: string }
  | { readonly kind: "metric"; readonly stage: string; readonly value: number }
  | {
      readonly kind: "weight";
      readonly stage: "quantize" | "encode";
      readonly name: string;
      readonly index: number;
      readonly count: number;
    };

export interface StageHooks {
  readonly onEvent?: ((event: PipelineEvent) => void) | undefined;
  /** Each stage adds the seconds it spent here under its part's name (prune, retrain, quantize, fine-tune, encode, write). */
  readonly seconds?: Record<string, number> | undefined;
}

/** Runs `work` and adds its wall time to `seconds[part]` (when given), even if it throws. */
export async function timed<T>(seconds: Record<string, number> | undefined, part: string, work: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    if (seconds !== undefined) seconds[part] = (seconds[part] ?? 0) + (performance.now() - start) / 1000;
  }
}

/** `timed` for synchronous work. */
export function timedSync<T>(seconds: Record<string, number> | undefined, part: string, work: () => T): T {
  const start = performance.now();
  try {
    return work();
  } finally {
    if (seconds !== undefined) seconds[part] = (seconds[part] ?? 0) + (performance.now() - start) / 1000;
  }
}
