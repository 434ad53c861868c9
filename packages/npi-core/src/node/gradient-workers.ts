/*
 * Data-parallel NPI training on several cores (issue 19, "both cores"): a step's sub-batches are
 * shared between this thread and worker threads, each holding
 * a replica of the model. Each step the current weights go to the workers; each differentiates the
 * loss of its sub-batches and returns the gradients; this thread adds them to its own through
 * `deferredGradientTerm`, so whatever differentiates the step's loss (the trainer's
 * `tf.variableGrads`, a pruning or codebook binding's `minimize`) sees the whole step's gradient.
 * The workers' backward passes run while this thread does its own: the term asks for their
 * gradients only when backpropagation reaches it, last.
 *
 * Why not wasm threads inside the kernels: tfjs-backend-wasm cannot run threaded in Node (engine README).
 */
import * as tf from "@tensorflow/tfjs-core";
import { NpiError } from "../errors.js";
import type { ModelParameter, NpiModel, SequenceBatch } from "../tfjs/npi-model.js";
import { deferredGradientTerm, serialStepLoss, summedLoss, type StepLoss } from "../tfjs/step-loss.js";
import { GradientThread } from "./gradient-thread.js";
import type { LayoutEntry, WorkerJob } from "./gradient-worker-protocol.js";

export interface GradientWorkersOptions {
  /** The model being trained (this thread's copy; its weights are sent to the workers every step). */
  readonly model: NpiModel;
  /** Threads in all, this one included (1: no workers, the serial loss). */
  readonly threads: number;
  /**
   * A module (URL, or file URL string) exporting `createReplica(data) → NpiModel | Promise<NpiModel>`:
   * it runs first in each worker, so it chooses the backend there (`initEngine`) and builds a model
   * with the same parameter layout (same tasks, config and programs; the weights do not matter).
   * `data` must survive structured cloning.
   */
  readonly replica: { readonly module: string | URL; readonly data?: unknown };
}

/**
 * Where the time of the steps so far went, in ms summed over steps: this thread's forward pass and its
 * waits for the workers (their loss values, then their gradients, during its own backward pass), and
 * the workers' own phases (summed over workers). A wait is time this thread had nothing to do.
 */
export interface GradientWorkersTimings {
  readonly steps: number;
  readonly forwardMs: number;
  readonly waitForLossesMs: number;
  readonly waitForGradientsMs: number;
  readonly worker: { readonly setWeightsMs: number; readonly forwardMs: number; readonly backwardMs: number; readonly writeMs: number };
}

/** Splits sub-batches between `slots` threads by cost (steps × rows), largest first, each to the least loaded; slot 0 is this thread. */
export function assignSubBatches(batches: readonly SequenceBatch[], slots: number): number[][] {
  const order = [...batches.keys()].sort((a, b) => batches[b]!.steps * batches[b]!.size - batches[a]!.steps * batches[a]!.size || a - b);
  const load = new Array<number>(slots).fill(0);
  const assigned = Array.from({ length: slots }, () => [] as number[]);
  for (const i of order) {
    let best = 0;
    for (let s = 1; s < slots; s++) if (load[s]! < load[best]!) best = s;
    assigned[best]!.push(i);
    load[best]! += batches[i]!.steps * batches[i]!.size;
  }
  return assigned.map((list) => list.sort((a, b) => a - b));
}

/** Gradient workers that share each training step's sub-batches; `stepLoss` plugs into `NpiTrainer` or a retraining loop. */
export class GradientWorkers {
  readonly model: NpiModel;
  readonly threads: number;
  readonly #parameters: ModelParameter[];
  readonly #layout: LayoutEntry[];
  readonly #weights: Float32Array;
  readonly #workers: GradientThread[];
  #job = 0;
  #closed = false;
  readonly #timings = {
    steps: 0,
    forwardMs: 0,
    waitForLossesMs: 0,
    waitForGradientsMs: 0,
    setWeightsMs: 0,
    workerForwardMs: 0,
    backwardMs: 0,
    writeMs: 0,
  };

  private constructor(
    model: NpiModel,
    parameters: ModelParameter[],
    layout: LayoutEntry[],
    weights: Float32Array,
    threads: GradientThread[],
  ) {
    this.model = model;
    this.threads = threads.length + 1;
    this.#parameters = parameters;
    this.#layout = layout;
    this.#weights = weights;
    this.#workers = threads;
  }

  /** Starts `threads - 1` workers and waits until each has built its replica. */
  static async start(options: GradientWorkersOptions): Promise<GradientWorkers> {
    const { model, threads } = options;
    if (!Number.isInteger(threads) || threads < 1 || threads > 64)
      throw new NpiError("INVALID_OPTIONS", `gradient workers: threads must be an integer from 1 to 64, got ${threads}`);
    const parameters = model.parameters();
    let total = 0;
    const layout = parameters.map((p) => {
      const size = p.variable.size;
      const entry = { name: p.name, shape: [...p.variable.shape], offset: total, size };
      total += size;
      return entry;
    });
    const weights = new Float32Array(new SharedArrayBuffer(4 * total));
    const module = options.replica.module instanceof URL ? options.replica.module.href : options.replica.module;
    const started: GradientThread[] = [];
    try {
      for (let index = 1; index < threads; index++)
        started.push(await GradientThread.start({ index, module, data: options.replica.data, layout, weights }));
    } catch (error) {
      await Promise.all(started.map((t) => t.close()));
      throw error;
    }
    return new GradientWorkers(model, parameters, layout, weights, started);
  }

  /**
   * The step's loss: this thread's share of the sub-batches differentiated here, the workers' share
   * folded in as their gradients. Synchronous: it blocks for the workers' loss values before
   * returning, and for their gradients when the backward pass asks for them.
   */
  readonly stepLoss = (model: NpiModel, batches: readonly SequenceBatch[]): StepLoss => {
    if (this.#closed) throw new NpiError("INVALID_OPTIONS", "gradient workers: already closed");
    if (model !== this.model) throw new NpiError("INVALID_OPTIONS", "gradient workers: started for another model");
    if (this.#workers.length === 0 || batches.length < 2) return serialStepLoss(model, batches);
    this.#checkLayout();
    // A step whose gradient nobody asked for may have left a worker busy: finish it first.
    for (const thread of this.#workers) thread.drain();
    const assigned = assignSubBatches(batches, this.threads);
    this.#parameters.forEach((p, i) => this.#weights.set(p.variable.dataSync() as Float32Array, this.#layout[i]!.offset));
    const job = ++this.#job;
    const busy: { thread: GradientThread; term: tf.Scalar }[] = [];
    this.#workers.forEach((thread, s) => {
      const mine = assigned[s + 1]!.map((i) => batches[i]!);
      if (mine.length === 0) return;
      const message: WorkerJob = { job, batches: mine, divisor: batches.length };
      thread.send(message);
      // Recorded before this thread's forward pass, so its gradient is asked for last (deferredGradientTerm).
      const reached = this.#reachedBy(mine);
      const variables = reached.map((i) => this.#parameters[i]!.variable);
      busy.push({ thread, term: deferredGradientTerm(variables, () => this.#gradients(thread, job, reached)) });
    });
    const started = performance.now();
    let { total, end, program, argument } = summedLoss(
      model,
      assigned[0]!.map((i) => batches[i]!),
      batches.length,
    );
    const forwardDone = performance.now();
    for (const { thread, term } of busy) {
      const [t, e, p, a] = thread.forward(job);
      total = tf.add(tf.add(total, term), t!) as tf.Scalar;
      end = tf.add(end, e!) as tf.Scalar;
      program = tf.add(program, p!) as tf.Scalar;
      argument = tf.add(argument, a!) as tf.Scalar;
    }
    this.#timings.steps++;
    this.#timings.forwardMs += forwardDone - started;
    this.#timings.waitForLossesMs += performance.now() - forwardDone;
    return { total, end, program, argument };
  };

  /** Where the time went so far (see `GradientWorkersTimings`). */
  timings(): GradientWorkersTimings {
    const t = this.#timings;
    return {
      steps: t.steps,
      forwardMs: t.forwardMs,
      waitForLossesMs: t.waitForLossesMs,
      waitForGradientsMs: t.waitForGradientsMs,
      worker: { setWeightsMs: t.setWeightsMs, forwardMs: t.workerForwardMs, backwardMs: t.backwardMs, writeMs: t.writeMs },
    };
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#workers.map((t) => t.close()));
  }

  /**
   * Parameters the loss of `batches` reaches: all but the encoders of environments none of them
   * comes from (every program's key and embedding row is reached: the key scores and the embedding
   * lookup use the whole memory). Checked against what the worker's tfjs found, in `#gradients`.
   */
  #reachedBy(batches: readonly SequenceBatch[]): number[] {
    const environments = new Set(batches.flatMap((b) => b.groups.map((g) => g.environment)));
    return this.#parameters.flatMap((p, i) => (p.environment === undefined || environments.has(p.environment) ? [i] : []));
  }

  /** The worker's gradients of `job` (waiting for its backward pass), for the parameters `reached`. */
  #gradients(thread: GradientThread, job: number, reached: readonly number[]): Float32Array[] {
    const asked = performance.now();
    const result = thread.done(job);
    const t = this.#timings;
    t.waitForGradientsMs += performance.now() - asked;
    t.setWeightsMs += result.timings.setWeightsMs;
    t.workerForwardMs += result.timings.forwardMs;
    t.backwardMs += result.timings.backwardMs;
    t.writeMs += result.timings.writeMs;
    const expected = new Set(reached);
    this.#layout.forEach((entry, i) => {
      if ((result.reached[i] === 1) !== expected.has(i))
        throw new NpiError(
          "WORKER_FAILED",
          `gradient worker: the step's loss ${expected.has(i) ? "did not reach" : "reached"} ${entry.name}, against the rule`,
        );
    });
    // Views, not copies: the term turns them into tensors at once, before the next job writes there.
    return reached.map((i) => result.gradients.subarray(this.#layout[i]!.offset, this.#layout[i]!.offset + this.#layout[i]!.size));
  }

  #checkLayout(): void {
    const now = this.model.parameters();
    if (now.length !== this.#parameters.length || now.some((p, i) => p !== this.#parameters[i]))
      throw new NpiError(
        "INVALID_OPTIONS",
        "gradient workers: the model's parameters changed since start (a program was added); start new workers",
      );
  }
}
