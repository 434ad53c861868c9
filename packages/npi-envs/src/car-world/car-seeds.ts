import { CarWorldError } from "./car-world-error.js";

/**
 * Which car models are "seen" and which "unseen" (paper Table 1: seen cars are training models on new
 * trajectories; unseen cars are models never trained on).
 *
 * A car model is a seed. The splits are disjoint ranges of seeds, so membership is a property of the
 * seed alone and never depends on how many cars a run asks for:
 *   train       0 … 2^20 − 1        ("seen" cars)
 *   validation  2^20 … 2^21 − 1     (for choosing hyper-parameters without touching test cars)
 *   test        2^21 … 2^22 − 1     ("unseen" cars)
 * `carSeeds({ split, count })` returns the first `count` seeds of a split, so a run with more cars
 * keeps the cars of a run with fewer.
 */
export type CarSplit = "train" | "validation" | "test";
export const CAR_SPLITS: readonly CarSplit[] = ["train", "validation", "test"];

export const CAR_SPLIT_SIZE = 1 << 20;
const SPLIT_BASE: Record<CarSplit, number> = { train: 0, validation: CAR_SPLIT_SIZE, test: 2 * CAR_SPLIT_SIZE };

export interface CarSeedsOptions {
  readonly split: CarSplit;
  readonly count: number;
}

/** The first `count` car seeds of `split`. */
export function carSeeds(options: CarSeedsOptions): number[] {
  const { split, count } = options ?? ({} as CarSeedsOptions);
  if (!CAR_SPLITS.includes(split))
    throw new CarWorldError("INVALID_SPLIT", `carSeeds split: expected one of ${CAR_SPLITS.join(", ")}, got ${String(split)}`);
  if (!Number.isInteger(count) || count < 0 || count > CAR_SPLIT_SIZE) {
    throw new CarWorldError("INVALID_COUNT", `carSeeds count: expected an integer in [0, ${CAR_SPLIT_SIZE}], got ${count}`);
  }
  const base = SPLIT_BASE[split];
  return Array.from({ length: count }, (_, i) => base + i);
}

/** The split a car seed belongs to. */
export function carSplitOf(seed: number): CarSplit {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed >= 3 * CAR_SPLIT_SIZE) {
    throw new CarWorldError("INVALID_SEED", `carSplitOf seed: expected an integer in [0, ${3 * CAR_SPLIT_SIZE}), got ${seed}`);
  }
  return CAR_SPLITS[Math.floor(seed / CAR_SPLIT_SIZE)]!;
}
