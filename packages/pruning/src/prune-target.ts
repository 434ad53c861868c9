import { z } from "zod";
import { PruningError } from "./errors.js";

/**
 * How much of one layer (or of a group of layers) to prune. Exactly one key, so a number never means
 * two things: fractions are called `sparsity` (pruned / total) or `keepFraction` (kept / total), counts
 * `pruneCount` or `keepCount`. `quality` is the paper's rule (threshold = quality x std of the layer's
 * weights) and `threshold` an absolute magnitude; both prune weights with |w| < threshold.
 */
export type PruneTarget =
  | { readonly sparsity: number }
  | { readonly keepFraction: number }
  | { readonly pruneCount: number }
  | { readonly keepCount: number }
  | { readonly quality: number; readonly stdOf?: StdOf }
  | { readonly threshold: number };

/** The targets that fix how many weights are pruned (the only kinds a global target can take). */
export type CountTarget = Extract<
  PruneTarget,
  { sparsity: number } | { keepFraction: number } | { pruneCount: number } | { keepCount: number }
>;

/**
 * Which weights the standard deviation of the quality rule is taken over: `survivors` (the weights the
 * current mask keeps; before any pruning that is every weight, as in the paper's first round) or
 * `all` (every entry of the tensor as given, pruned zeros included, as mightydeveloper's port does).
 */
export type StdOf = "survivors" | "all";

const fraction = z.number().finite().min(0).max(1);
const count = z.number().int().min(0);

export const countTargetSchema = z.union([
  z.strictObject({ sparsity: fraction }),
  z.strictObject({ keepFraction: fraction }),
  z.strictObject({ pruneCount: count }),
  z.strictObject({ keepCount: count }),
]);

/** The zod schema of a `PruneTarget` (for plans read from files). */
export const pruneTargetSchema = z.union([
  ...countTargetSchema.options,
  z.strictObject({ quality: z.number().finite().min(0), stdOf: z.enum(["survivors", "all"]).optional() }),
  z.strictObject({ threshold: z.number().finite().min(0) }),
]);

function describe(target: unknown): string {
  try {
    return JSON.stringify(target);
  } catch {
    return String(target);
  }
}

export function parsePruneTarget(target: unknown, what: string): PruneTarget {
  const parsed = pruneTargetSchema.safeParse(target);
  if (!parsed.success) {
    throw new PruningError(
      "INVALID_TARGET",
      `${what}: invalid pruning target ${describe(target)}; expected exactly one of {sparsity} or ` +
        `{keepFraction} (fractions in [0,1]), {pruneCount} or {keepCount} (integers), {quality, stdOf?} ` +
        `or {threshold} (>= 0)`,
    );
  }
  return parsed.data as PruneTarget;
}

export function parseCountTarget(target: unknown, what: string): CountTarget {
  const parsed = countTargetSchema.safeParse(target);
  if (!parsed.success) {
    throw new PruningError(
      "INVALID_TARGET",
      `${what}: invalid target ${describe(target)}; expected exactly one of {sparsity}, {keepFraction}, {pruneCount}, {keepCount}`,
    );
  }
  return parsed.data as CountTarget;
}

export function isCountTarget(target: PruneTarget): target is CountTarget {
  return "sparsity" in target || "keepFraction" in target || "pruneCount" in target || "keepCount" in target;
}

/** Removes float noise such as 0.92 * 100 = 92.00000000000001 before rounding. */
function clean(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * How many of `size` weights a count target prunes in total. Fractions round to the nearest count;
 * an exact half rounds toward keeping more weights, for `sparsity` and `keepFraction` alike, so
 * `{sparsity: s}` and `{keepFraction: 1 - s}` always give the same mask.
 */
export function prunedCountFor(target: CountTarget, size: number, what: string): number {
  let pruned: number;
  if ("sparsity" in target) pruned = Math.ceil(clean(target.sparsity * size) - 0.5);
  else if ("keepFraction" in target) pruned = size - Math.floor(clean(target.keepFraction * size) + 0.5);
  else if ("pruneCount" in target) pruned = target.pruneCount;
  else pruned = size - target.keepCount;
  if (pruned < 0 || pruned > size) {
    throw new PruningError("INVALID_TARGET", `${what}: target ${describe(target)} does not fit ${size} weights`);
  }
  return pruned;
}
