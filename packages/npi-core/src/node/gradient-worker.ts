/*
 * A gradient worker as a worker thread (`GradientWorkers`, transport "thread"). Weights, gradients
 * and loss sums live in shared memory; the main thread, blocked in `Atomics.wait` inside a
 * synchronous training step, waits first until `control[FORWARD]` reaches the job's number (the loss
 * sums), then, during its own backward pass, until `control[DONE]` does (the gradients).
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { loadReplica, runGradientJob } from "./gradient-job.js";
import { CONTROL, PARTS, type ThreadSetup, type WorkerJob } from "./gradient-worker-protocol.js";

const setup = workerData as ThreadSetup;
const control = new Int32Array(setup.control);
const results: MessagePort = setup.results;

function fail(message: string): void {
  results.postMessage({ error: message });
  Atomics.store(control, CONTROL.ERROR, 1);
  Atomics.notify(control, CONTROL.DONE);
  Atomics.notify(control, CONTROL.FORWARD);
}

// A worker that dies in any way the main thread cannot see (it is blocked in Atomics.wait) still says so.
process.on("exit", () => {
  if (Atomics.load(control, CONTROL.ERROR) === 0) fail("the gradient worker exited");
});

const replica = await loadReplica(setup.replica.module, setup.replica.data, setup.layout);
const weights = new Float32Array(setup.weights);
const gradients = new Float32Array(setup.gradients);
const reached = new Uint8Array(setup.reached);
const parts = new Float64Array(setup.parts);

parentPort!.on("message", (job: WorkerJob) => {
  try {
    const timings = runGradientJob(
      replica,
      setup.layout,
      weights,
      job.batches,
      job.divisor,
      (sums) => {
        parts.set(sums, PARTS.TOTAL);
        Atomics.store(control, CONTROL.FORWARD, job.job);
        Atomics.notify(control, CONTROL.FORWARD);
      },
      gradients,
      reached,
    );
    parts[PARTS.SET_WEIGHTS_MS] = timings.setWeightsMs;
    parts[PARTS.FORWARD_MS] = timings.forwardMs;
    parts[PARTS.BACKWARD_MS] = timings.backwardMs;
    parts[PARTS.WRITE_MS] = timings.writeMs;
    Atomics.store(control, CONTROL.DONE, job.job);
    Atomics.notify(control, CONTROL.DONE);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
});
parentPort!.postMessage({ ready: true });
