/*
 * How `GradientWorkers` reaches one gradient worker thread: weights, gradients and loss sums live in
 * SharedArrayBuffers, and the caller blocks in `Atomics.wait` (a training step is synchronous).
 * Child processes with named pipes were tried too (same protocol, v8-serialised messages): on this
 * machine they were slower, not faster (packages/engine README, "Why two threads give 1.2-1.4x here").
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { NpiError } from "../errors.js";
import type { JobTimings } from "./gradient-job.js";
import { CONTROL, PARTS, type LayoutEntry, type ThreadSetup, type WorkerJob } from "./gradient-worker-protocol.js";

/** A job's results: views that stay valid until the thread's next job. */
export interface ThreadGradients {
  readonly gradients: Float32Array;
  readonly reached: Uint8Array;
  readonly timings: JobTimings;
}

export interface ThreadOptions {
  readonly index: number;
  readonly module: string;
  readonly data: unknown;
  readonly layout: readonly LayoutEntry[];
  /** The weights, shared: written by the caller before each job, read by the thread. */
  readonly weights: Float32Array;
}

const SOURCE_CONDITION =
  'export function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "@dcnpi/source"] }); }';

/**
 * The module code that starts a worker: from source (tests, `tsx`, the apps' launchers) a blank
 * thread first needs the TypeScript loader and the workspace's `@dcnpi/source` export
 * condition registered; built code needs nothing.
 */
function bootstrapCode(entry: URL, replicaModule: string): string {
  let prelude = "";
  if (entry.href.endsWith(".ts") || replicaModule.endsWith(".ts")) {
    const tsxApi = pathToFileURL(
      createRequire(import.meta.url)
        .resolve("tsx/esm/api")
        .replace(/\.cjs$/, ".mjs"),
    ).href;
    prelude =
      `import { register } from "node:module";\n` +
      `register("data:text/javascript," + encodeURIComponent(${JSON.stringify(SOURCE_CONDITION)}));\n` +
      `(await import(${JSON.stringify(tsxApi)})).register();\n`;
  }
  return `${prelude}await import(${JSON.stringify(entry.href)});\n`;
}

/** A worker module next to this one: `.ts` when running from source, the built `.js` otherwise. */
function entryOf(name: string): URL {
  const here = import.meta.url;
  return new URL(`./${name}${here.endsWith(".ts") ? ".ts" : ".js"}`, here);
}

function workerFailed(index: number, message: string): NpiError {
  return new NpiError("WORKER_FAILED", `gradient worker ${index}: ${message}`);
}

/** One gradient worker thread; every wait blocks the caller (`Atomics.wait`). */
export class GradientThread {
  readonly #gradients: Float32Array;
  readonly #reached: Uint8Array;
  readonly #parts: Float64Array;
  readonly #control: Int32Array;
  #pending = 0;

  private constructor(
    readonly index: number,
    readonly worker: Worker,
    readonly results: MessagePort,
    setup: ThreadSetup,
  ) {
    this.#gradients = new Float32Array(setup.gradients);
    this.#reached = new Uint8Array(setup.reached);
    this.#parts = new Float64Array(setup.parts);
    this.#control = new Int32Array(setup.control);
  }

  static async start(options: ThreadOptions): Promise<GradientThread> {
    const total = options.weights.length;
    const channel = new MessageChannel();
    const setup: ThreadSetup = {
      replica: { module: options.module, data: options.data },
      layout: options.layout,
      weights: options.weights.buffer as SharedArrayBuffer,
      gradients: new SharedArrayBuffer(4 * total),
      reached: new SharedArrayBuffer(options.layout.length),
      parts: new SharedArrayBuffer(PARTS.LENGTH * 8),
      control: new SharedArrayBuffer(CONTROL.LENGTH * 4),
      results: channel.port2,
    };
    const code = bootstrapCode(entryOf("gradient-worker"), options.module);
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), {
      workerData: setup,
      transferList: [channel.port2],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        worker.once("message", () => resolve());
        worker.once("error", (error) => reject(workerFailed(options.index, error.message)));
        worker.once("exit", (code) => reject(workerFailed(options.index, `exited (code ${code}) before it was ready`)));
      });
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    worker.removeAllListeners("exit");
    worker.unref();
    channel.port1.unref();
    return new GradientThread(options.index, worker, channel.port1, setup);
  }

  /** Sends a job (its weights already in the shared array). */
  send(job: WorkerJob): void {
    this.#pending = job.job;
    this.worker.postMessage(job);
  }

  /** Blocks until the job's loss sums are there: [total, end, program, argument]. */
  forward(job: number): readonly number[] {
    this.#wait(CONTROL.FORWARD, job);
    return Array.from(this.#parts.subarray(PARTS.TOTAL, PARTS.ARGUMENT + 1));
  }

  /** Blocks until the job's gradients are there. */
  done(job: number): ThreadGradients {
    this.#wait(CONTROL.DONE, job);
    this.#pending = 0;
    const p = this.#parts;
    return {
      gradients: this.#gradients,
      reached: this.#reached,
      timings: {
        setWeightsMs: p[PARTS.SET_WEIGHTS_MS]!,
        forwardMs: p[PARTS.FORWARD_MS]!,
        backwardMs: p[PARTS.BACKWARD_MS]!,
        writeMs: p[PARTS.WRITE_MS]!,
      },
    };
  }

  /** Finishes a job nobody asked the gradients of (before the next job writes the weights). */
  drain(): void {
    if (this.#pending !== 0) this.done(this.#pending);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  #wait(what: typeof CONTROL.DONE | typeof CONTROL.FORWARD, job: number): void {
    for (;;) {
      if (Atomics.load(this.#control, CONTROL.ERROR) !== 0) {
        const message = receiveMessageOnPort(this.results)?.message as { error?: string } | undefined;
        throw workerFailed(this.index, message?.error ?? "failed");
      }
      const done = Atomics.load(this.#control, what);
      if (done >= job) return;
      Atomics.wait(this.#control, what, done, 1_000);
    }
  }
}
