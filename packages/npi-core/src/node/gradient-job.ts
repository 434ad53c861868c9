/*
 * What a gradient worker does, apart from how its jobs arrive (gradient-worker.ts: a worker thread
 * and shared memory): build the replica through the app's module, then per job set
 * the weights, run the forward pass of its sub-batches (reporting the loss sums at once: the main
 * side needs them to return the step's loss), then the backward pass.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ModelParameter, NpiModel, SequenceBatch } from "../tfjs/npi-model.js";
import { summedLoss } from "../tfjs/step-loss.js";
import type { LayoutEntry } from "./gradient-worker-protocol.js";

export interface Replica {
  readonly model: NpiModel;
  readonly parameters: readonly ModelParameter[];
}

/** Imports the replica module, builds the replica and checks its layout against the trained model's. */
export async function loadReplica(module: string, data: unknown, layout: readonly LayoutEntry[]): Promise<Replica> {
  const replicaModule = (await import(module)) as { createReplica?: (data: unknown) => Promise<NpiModel> | NpiModel };
  if (typeof replicaModule.createReplica !== "function")
    throw new Error(`${module} has no createReplica export (an async function returning an NpiModel)`);
  const model = await replicaModule.createReplica(data);
  const parameters = model.parameters();
  const mine = parameters.map((p) => ({ name: p.name, shape: [...p.variable.shape] }));
  if (JSON.stringify(mine) !== JSON.stringify(layout.map(({ name, shape }) => ({ name, shape }))))
    throw new Error(`the replica that ${module} built has another parameter layout than the model being trained`);
  return { model, parameters };
}

/** Time of a job's phases, ms. */
export interface JobTimings {
  readonly setWeightsMs: number;
  readonly forwardMs: number;
  readonly backwardMs: number;
  readonly writeMs: number;
}

/**
 * One job: `weights` (all parameters, layout order) into the replica, the loss of `batches` (sums
 * over them divided by `divisor`) differentiated; `onForward` gets [total, end, program, argument]
 * after the forward pass. Gradients go into `gradients` (layout order), `reached` marks which exist.
 */
export function runGradientJob(
  replica: Replica,
  layout: readonly LayoutEntry[],
  weights: Float32Array,
  batches: readonly SequenceBatch[],
  divisor: number,
  onForward: (sums: readonly number[]) => void,
  gradients: Float32Array,
  reached: Uint8Array,
): JobTimings {
  const { model, parameters } = replica;
  const started = performance.now();
  layout.forEach(({ offset, size }, i) => {
    const variable = parameters[i]!.variable;
    tf.tidy(() => variable.assign(tf.tensor(weights.subarray(offset, offset + size), variable.shape, "float32")));
  });
  const weightsSet = performance.now();
  let forwardDone = 0;
  const { grads } = tf.variableGrads(
    () => {
      const { total, end, program, argument } = summedLoss(model, batches, divisor);
      forwardDone = performance.now();
      onForward([total, end, program, argument].map((t) => (t.dataSync() as Float32Array)[0]!));
      return total;
    },
    parameters.map((p) => p.variable),
  );
  const backwardDone = performance.now();
  layout.forEach(({ offset }, i) => {
    const g = grads[parameters[i]!.variable.name];
    reached[i] = g === undefined ? 0 : 1;
    if (g !== undefined) gradients.set(g.dataSync() as Float32Array, offset);
  });
  tf.dispose(Object.values(grads));
  return {
    setWeightsMs: weightsSet - started,
    forwardMs: forwardDone - weightsSet,
    backwardMs: backwardDone - forwardDone,
    writeMs: performance.now() - backwardDone,
  };
}
