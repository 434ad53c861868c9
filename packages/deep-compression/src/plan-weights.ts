import type { WeightMap } from "@dcnpi/tensor";
import { decideWeight, type CompressionPlan, type WeightDecision } from "./plan.js";

export type CompressedDecision = Extract<WeightDecision, { store: "compressed" }>;

export interface PlannedWeights {
  /** Every weight's decision, in the weights' order. */
  readonly decisions: ReadonlyMap<string, WeightDecision>;
  /** The weights to compress and how, in the weights' order (the stages' input). */
  readonly compressed: ReadonlyMap<string, CompressedDecision>;
  /** Why a weight the plan names is stored dense after all, or that nothing is compressed. */
  readonly notes: string[];
}

/**
 * The plan's decision for every weight; a weight a compressed rule matches but that is stored dense
 * after all (too small, not float32: see `decideWeight`) gets a note saying why.
 */
export function planWeights(weights: WeightMap, plan: CompressionPlan): PlannedWeights {
  const notes: string[] = [];
  const decisions = new Map<string, WeightDecision>();
  for (const weight of weights) {
    const decision = decideWeight(plan, weight);
    if (decision.store === "dense" && decision.reason !== undefined) notes.push(decision.reason);
    decisions.set(weight.name, decision);
  }
  const compressed = new Map([...decisions].filter((e): e is [string, CompressedDecision] => e[1].store === "compressed"));
  if (compressed.size === 0) notes.push("the plan compresses no weight of this model: every weight is stored dense");
  return { decisions, compressed, notes };
}

/** The prune targets of the planned weights that are pruned, for `prune`. */
export function pruneTargetsOf(compressed: ReadonlyMap<string, CompressedDecision>): Map<string, NonNullable<CompressedDecision["prune"]>> {
  return new Map([...compressed].flatMap(([name, d]) => (d.prune === undefined ? [] : [[name, d.prune] as const])));
}
