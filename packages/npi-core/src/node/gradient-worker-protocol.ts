// What the main thread and a gradient worker share (gradient-workers.ts, gradient-worker.ts).
import type { MessagePort } from "node:worker_threads";
import type { SequenceBatch } from "../tfjs/npi-model.js";

/** Slots of the shared Int32 control array. */
export const CONTROL = {
  /** Number of the last job whose gradients are written. */
  DONE: 0,
  /** Number of the last job whose loss sums are written (after its forward pass, before its backward). */
  FORWARD: 1,
  /** Non-zero once the worker failed; the message is on the results port. */
  ERROR: 2,
  /** Slots in all. */
  LENGTH: 3,
} as const;

/** Slots of the shared Float64 parts array: the job's loss sums, then where its time went (ms). */
export const PARTS = {
  TOTAL: 0,
  END: 1,
  PROGRAM: 2,
  ARGUMENT: 3,
  SET_WEIGHTS_MS: 4,
  FORWARD_MS: 5,
  BACKWARD_MS: 6,
  WRITE_MS: 7,
  LENGTH: 8,
} as const;

/** One parameter's place in the shared weight and gradient arrays (model declaration order). */
export interface LayoutEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/** `workerData` of a gradient worker thread. */
export interface ThreadSetup {
  /** The app's module exporting `createReplica(data)`, and what to pass it. */
  readonly replica: { readonly module: string; readonly data: unknown };
  readonly layout: readonly LayoutEntry[];
  /** Float32 weights, written by the main thread before each job (shared by all workers). */
  readonly weights: SharedArrayBuffer;
  /** This worker's Float32 gradients, Uint8 reached flags (one per parameter), Float64 parts (PARTS) and Int32 control. */
  readonly gradients: SharedArrayBuffer;
  readonly reached: SharedArrayBuffer;
  readonly parts: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  /** Errors go here; the main thread reads them synchronously (receiveMessageOnPort). */
  readonly results: MessagePort;
}

/** A job: sub-batches whose loss sums are divided by `divisor` (the step's sub-batch count). */
export interface WorkerJob {
  readonly job: number;
  readonly batches: readonly SequenceBatch[];
  readonly divisor: number;
}
