import { Rng } from "@dcnpi/tensor";
import { carPathLength, carStartInputs, type CarInput } from "./car-task.js";
import { carSeeds } from "./car-world/car-seeds.js";

/**
 * How a car experiment splits cars and start poses into training, "seen car" and "unseen car" problems
 * (ours; the paper only names seen and unseen cars). `repro npi car|multitask` and `npi train --task car`
 * share it, so a model trained by either is tested on the same held-out problems.
 */
export interface CarSplitPlan {
  /** Seen cars: the first N seeds of the "train" split. */
  readonly trainCars: number;
  /** Fraction of each seen car's 55 start poses used for training; the rest are its held-out "seen car, new trajectory" test problems. */
  readonly trainStartFraction: number;
  /** Unseen cars: the first N seeds of the "test" split, tested from all 55 start poses. */
  readonly unseenCars: number;
  /** Cars of the "validation" split that validation problems (for stopping) are drawn from. */
  readonly validationCars: number;
  /** Only start poses whose GOTO path has at most this many moves (the paper's multi-task run: 4; 8 = all 55). */
  readonly maxPathLength: number;
}

/**
 * The split of the real car runs (ours): 40 seen cars with 2/3 of their 55 start poses for training
 * (1,480 traces at seed 1), the other third of their start poses as seen-car tests, 20 unseen cars
 * from all 55 start poses (1,100 problems), 10 validation cars, every path length. `repro npi car`,
 * its multi-task run (paths of ≤ 4 moves) and `npi train --task car` all start from it.
 */
export const DEFAULT_CAR_SPLIT: CarSplitPlan = {
  trainCars: 40,
  trainStartFraction: 2 / 3,
  unseenCars: 20,
  validationCars: 10,
  maxPathLength: 8,
};

export interface CarSplits {
  readonly training: readonly CarInput[];
  readonly seenTest: readonly CarInput[];
  readonly unseenTest: readonly CarInput[];
  readonly validationCars: readonly number[];
}

/**
 * Deterministic by seed: each seen car's start poses are shuffled (one fork per car) and the first
 * `trainStartFraction` of them are training problems, the rest seen-car test problems. Every frame a
 * test trajectory passes through may still appear in some training trajectory of the same car; only
 * the (car, start) pair is new, which is what "seen car, new trajectory" means here.
 */
export function splitCarProblems(plan: CarSplitPlan, seed: number): CarSplits {
  const rng = Rng.fromSeed(seed).fork("car-split");
  const keep = (input: CarInput) => carPathLength(input.start) <= plan.maxPathLength;
  const training: CarInput[] = [];
  const seenTest: CarInput[] = [];
  for (const car of carSeeds({ split: "train", count: plan.trainCars })) {
    // Shuffle and cut all 55 start poses first, then keep the short paths, so that a plan with a
    // smaller maxPathLength gives subsets of the same training and test sets (the multi-task table
    // compares like with like).
    const starts = carStartInputs([car]);
    const carRng = rng.fork(`car-${car}`);
    for (let i = starts.length - 1; i > 0; i--) {
      const j = carRng.int(i + 1);
      [starts[i], starts[j]] = [starts[j]!, starts[i]!];
    }
    const cut = Math.round(plan.trainStartFraction * starts.length);
    training.push(...starts.slice(0, cut).filter(keep));
    seenTest.push(...starts.slice(cut).filter(keep));
  }
  return {
    training,
    seenTest,
    unseenTest: carStartInputs(carSeeds({ split: "test", count: plan.unseenCars })).filter(keep),
    validationCars: carSeeds({ split: "validation", count: plan.validationCars }),
  };
}

/** The problems of `list` whose GOTO path takes exactly `moves` camera moves. */
export function carProblemsOfLength(list: readonly CarInput[], moves: number): CarInput[] {
  return list.filter((input) => carPathLength(input.start) === moves);
}
