import { carProblemsOfLength, splitCarProblems, type CarInput } from "@dcnpi/npi-envs";
import { Rng } from "@dcnpi/tensor";
import { NpiAppError } from "./errors.js";
import type { CarTraining, TrainingSet } from "./model-store.js";

/** Which held-out car problems `npi eval --task car` tests: new start poses of training cars, or cars never seen. */
export type CarTestSet = "seen" | "unseen";

/** The car split a model was trained on (from its npi-train.json or .dcnpi metadata). */
export function carTrainingOf(set: TrainingSet, source: string): CarTraining {
  if (set.cars === undefined) throw new NpiAppError("MODEL_FILE", `${source}: a car model whose training set names no car split`);
  return set.cars;
}

/**
 * The held-out problems of one GOTO path length (`moves`) of the model's own seen/unseen split: every
 * one, or a seeded sample of `limit` of them. Never a training problem: seen-car problems are the
 * start poses the split held out of each training car, unseen-car problems are cars of the "test" split.
 */
export function carTestProblems(
  set: TrainingSet,
  source: string,
  which: CarTestSet,
  moves: number,
  options: { readonly limit?: number; readonly seed: number },
): CarInput[] {
  const split = splitCarProblems(carTrainingOf(set, source), set.seed);
  const all = carProblemsOfLength(which === "seen" ? split.seenTest : split.unseenTest, moves);
  if (options.limit === undefined || options.limit >= all.length) return all;
  const picked = Rng.fromSeed(options.seed).fork(`car-${which}-${moves}`).sampleIndices(all.length, options.limit);
  return Array.from(picked, (i) => all[i]!);
}
