import type { Task } from "@dcnpi/npi-core";
import { carProblemsOfLength, carStartInputs } from "@dcnpi/npi-envs";
import { carSeeds } from "@dcnpi/npi-envs/car-world";
import { Rng } from "@dcnpi/tensor";
import type { TrainingSet } from "./model-store.js";

/**
 * Draws validation problems of a given size: random problems of the task, or for the car task a random
 * start pose with a `length`-move path on one of the split's validation cars (cars never trained or
 * tested on; their problems are listed once, per length, on first use).
 */
export function validationDrawer<Input>(task: Task<any, Input>, set: TrainingSet): (rng: Rng, length: number) => Input {
  if (set.cars === undefined) return (rng, length) => task.randomInput(rng, length);
  const all = carStartInputs(carSeeds({ split: "validation", count: set.cars.validationCars }));
  const byLength = new Map<number, readonly unknown[]>();
  return (rng, length) => {
    let candidates = byLength.get(length);
    if (candidates === undefined) byLength.set(length, (candidates = carProblemsOfLength(all, length)));
    if (candidates.length === 0) throw new RangeError(`car validation: no start pose has a ${length}-move path`);
    return candidates[rng.int(candidates.length)] as Input;
  };
}

/**
 * Fresh problems at the training lengths (never a test length): `perLength` per training length, from
 * a fork of the training seed that neither training nor testing uses.
 */
export function validationInputs<Input>(task: Task<any, Input>, set: TrainingSet, perLength: number, label: string): Input[] {
  const rng = Rng.fromSeed(set.seed).fork(`${task.name}-${label}`);
  const draw = validationDrawer(task, set);
  return set.trainLengths.flatMap((length) => Array.from({ length: perLength }, () => draw(rng, length)));
}
