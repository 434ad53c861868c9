import { computeMasks, MaskSet, type PruneTarget } from "@dcnpi/pruning";
import { bindMasks } from "@dcnpi/pruning/tfjs";
import type { Rng } from "@dcnpi/tensor";
import { readTargetWeights, type CompressionTarget } from "./compression-target.js";
import { cycleTarget } from "./iterative-targets.js";
import { timed, type StageHooks, type TrainFunction } from "./stage-options.js";

export interface PruneOptions extends StageHooks {
  /** Forked as `retrain:prune:<cycle>` for the training context of each cycle. */
  readonly rng: Rng;
  /** Masked retraining after each cycle; without it, pass `cycles: 1` (one-shot pruning). */
  readonly train?: TrainFunction | undefined;
  /** Prune/retrain cycles (default 1); each moves every weight closer to its target (`cycleTarget`). */
  readonly cycles?: number;
  readonly epochsPerCycle?: number;
  /** Epochs after the last cycle (default: `epochsPerCycle`). */
  readonly epochsAfterLastCycle?: number | undefined;
  readonly learningRate?: number | undefined;
  /** Called after each cycle with its metric label (`pruned`, or `pruned 2/3` with several cycles), e.g. to evaluate. */
  readonly afterCycle?: (label: string) => Promise<void>;
}

/**
 * Stage 1 (DC §2): magnitude pruning of the named weights of `target` in cycles, masks composing
 * across cycles (a pruned weight stays pruned), with masked retraining after each cycle when `train`
 * is given. The target is changed in place: pruned weights are exactly +0.0. Returns the final masks
 * (empty when `targets` is).
 */
export async function prune(target: CompressionTarget, targets: ReadonlyMap<string, PruneTarget>, options: PruneOptions): Promise<MaskSet> {
  let masks = new MaskSet();
  if (targets.size === 0) return masks;
  const cycles = options.cycles ?? 1;
  const perCycle = options.epochsPerCycle ?? 0;
  for (let cycle = 1; cycle <= cycles; cycle++) {
    options.onEvent?.({ kind: "stage-start", stage: "prune", detail: `cycle ${cycle}/${cycles}` });
    const current = readTargetWeights(target);
    const cycleTargets: Record<string, PruneTarget> = {};
    for (const [name, final] of targets) cycleTargets[name] = cycleTarget(final, cycle, cycles, current.get(name).data.length);
    masks = await timed(options.seconds, "prune", () => computeMasks(current, cycleTargets, { previous: masks }).masks);
    const binding = bindMasks(target, masks);
    const epochs = cycle === cycles ? (options.epochsAfterLastCycle ?? perCycle) : perCycle;
    try {
      if (options.train !== undefined && epochs > 0) {
        const train = options.train;
        await timed(options.seconds, "retrain", () =>
          train(target, {
            stage: "prune",
            cycle,
            cycles,
            epochs,
            learningRate: options.learningRate,
            wrapOptimizer: (optimizer) => binding.wrapOptimizer(optimizer),
            minimize: (optimizer, loss, returnCost) => binding.minimize(optimizer, loss, returnCost),
            rng: options.rng.fork(`retrain:prune:${cycle}`),
          }),
        );
      }
      binding.apply();
    } finally {
      binding.dispose();
    }
    await options.afterCycle?.(cycles > 1 ? `pruned ${cycle}/${cycles}` : "pruned");
  }
  return masks;
}
