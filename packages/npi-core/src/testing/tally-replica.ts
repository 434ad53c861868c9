// Test helper (not exported): the replica module a gradient worker loads in the tests: the same
// engine as the tests' main thread, a tally model of the same layout.
import { initEngine } from "@dcnpi/engine";
import { createNpiModel, type NpiModel } from "../tfjs/npi-model.js";
import { SMALL_CONFIG, tallyTask } from "./tally-task.js";

export async function createReplica(data: { readonly broken?: boolean }): Promise<NpiModel> {
  await initEngine({ log: false });
  return createNpiModel({ tasks: [tallyTask], config: data.broken === true ? { ...SMALL_CONFIG, lstmSize: 24 } : SMALL_CONFIG, seed: 0 });
}
