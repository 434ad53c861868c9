/**
 * The replica module of bench/npi-speed.ts's two-thread rows: each gradient worker (npi-core's
 * `GradientWorkers`) loads it first, so the worker runs the same default engine and builds the same
 * NPI as the bench's main thread (its weights are overwritten every step).
 */
import { initEngine } from "../src/index.js";
import { loadNpi } from "./npi-api.js";

export async function createReplica(data: { readonly task: "addition" | "sorting"; readonly seed: number }): Promise<unknown> {
  await initEngine({ log: false });
  const npi = await loadNpi();
  return npi.createNpiModel({ tasks: [data.task === "addition" ? npi.additionTask : npi.sortingTask], seed: data.seed });
}
