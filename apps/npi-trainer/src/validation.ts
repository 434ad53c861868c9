import type { Task } from "@dcnpi/npi-core";
import { Rng } from "@dcnpi/tensor";
import type { TrainingSet } from "./model-store.js";

/**
 * Fresh problems at the training lengths (never a test length): `perLength` per training length, from
 * a fork of the training seed that neither training nor testing uses.
 */
export function validationInputs<Input>(task: Task<any, Input>, set: TrainingSet, perLength: number, label: string): Input[] {
  const rng = Rng.fromSeed(set.seed).fork(`${task.name}-${label}`);
  return set.trainLengths.flatMap((length) => Array.from({ length: perLength }, () => task.randomInput(rng, length)));
}
