import { InvocationDataset, type Task } from "@dcnpi/npi-core";
import { splitCarProblems } from "@dcnpi/npi-envs";
import type { NpiModel } from "@dcnpi/npi-core/tfjs";
import { Rng } from "@dcnpi/tensor";
import type { TrainingSet } from "./model-store.js";
import { problemFamilyOf } from "./tasks.js";

/**
 * The training problems of a training set: `tracesPerLength` random problems per length, from the
 * seed; for the car task, the training (car, start pose) pairs of the seeded seen/unseen split.
 */
export function trainingInputs<Input>(task: Task<any, Input>, set: TrainingSet): Input[] {
  if (set.cars !== undefined) return splitCarProblems(set.cars, set.seed).training as Input[];
  const rng = Rng.fromSeed(set.seed).fork(`${problemFamilyOf(task)}-training-set`);
  return set.trainLengths.flatMap((length) => Array.from({ length: set.tracesPerLength }, () => task.randomInput(rng, length)));
}

/** Teacher traces of the training set, cut into invocations (the model's program table names the rows). */
export function buildDataset(model: NpiModel, task: Task, set: TrainingSet): InvocationDataset {
  return new InvocationDataset(model).addTeacherTraces(task, trainingInputs(task, set), set.extraPrograms);
}
