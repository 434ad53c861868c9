import type { PruneTarget } from "@dcnpi/pruning";

/**
 * The target of prune/retrain cycle `cycle` (1-based) of `cycles` for a final `target` on a weight of
 * `size` elements. Fractions and counts move geometrically in density (each cycle removes the same
 * share of what is left, so early cycles are gentle), the paper's quality and absolute thresholds
 * grow linearly; the last cycle is exactly the final target.
 */
export function cycleTarget(target: PruneTarget, cycle: number, cycles: number, size: number): PruneTarget {
  if (cycle >= cycles) return target;
  const t = cycle / cycles;
  const density = (keep: number) => Math.pow(Math.max(keep, 0), t);
  if ("sparsity" in target) return { sparsity: 1 - density(1 - target.sparsity) };
  if ("keepFraction" in target) return { keepFraction: density(target.keepFraction) };
  if ("keepCount" in target) return { keepFraction: size === 0 ? 1 : density(target.keepCount / size) };
  if ("pruneCount" in target) return { keepFraction: size === 0 ? 1 : density(1 - target.pruneCount / size) };
  if ("quality" in target) return { ...target, quality: target.quality * t };
  return { threshold: target.threshold * t };
}
