/**
 * Choosing each layer's keep fraction and bits from the user's data under an accuracy budget.
 *
 * 1. Sensitivity scan (DC Fig. 6 / LWC Fig. 6, on the user's inputs): each compressible weight alone
 *    is pruned to a keep fraction and weight-shared at a bit width, one-shot, exactly as `compress`
 *    would without retraining; the top-1 points lost against the original are measured on the search
 *    split. A row stops at the first bit width that loses more than twice the budget, a layer at the
 *    first keep fraction whose widest bits already do.
 * 2. Search: for a per-layer loss threshold t, each layer takes its smallest (estimated bytes)
 *    candidate that lost at most t alone. The largest t whose combined plan stays within the budget on
 *    the search split is found by bisection over the measured losses.
 * 3. Check: the plan is measured on the held-out split the search never saw; while it misses the
 *    budget there, the search backs off to the next smaller t. The safest plan (no pruning, the widest
 *    bits) failing either split is BUDGET_UNREACHABLE.
 * Pure: no file system, no model; `evaluate` measures a weight map however the caller runs the model.
 */
import { computeMask } from "@dcnpi/pruning";
import { dequantize, quantizeWeights } from "@dcnpi/quantization";
import { tensor, WeightMap, type HostTensor } from "@dcnpi/tensor";
import { CompressionError } from "./errors.js";
import { planWeights, type CompressedDecision } from "./plan-weights.js";
import { parsePlan, type CompressionPlan, type CompressionRule } from "./plan.js";
import { budgetSlack, formatTop1, type AccuracyBudget, type Top1 } from "./top1-metric.js";

export type DataSplit = "search" | "holdout";

/** One layer's setting and what it cost alone in the scan. */
export interface LayerChoice {
  readonly name: string;
  readonly elements: number;
  /** 1: not pruned (no indices stored). */
  readonly keepFraction: number;
  readonly weightBits: number;
  /** Codes + indices + codebook, before Huffman coding (the search's cost model). */
  readonly estimatedBytes: number;
  /** Top-1 points lost on the search split with only this layer compressed this way. */
  readonly pointsLostAlone: number;
}

export interface SearchProgress {
  readonly phase: "scan" | "search" | "check";
  readonly done: number;
  readonly total: number;
  readonly detail: string;
}

export interface PlanSearchOptions {
  /** The original weights (not changed). */
  readonly weights: WeightMap;
  /** Decides which weights may be compressed and their index bits, order and Huffman (e.g. `defaultPlan`); its keep fractions and bits are replaced. */
  readonly basePlan: CompressionPlan;
  readonly budget: AccuracyBudget;
  /** Measures a full weight map on one split of the data against the original's predictions. */
  readonly evaluate: (weights: WeightMap, split: DataSplit) => Promise<Top1>;
  /** The original model on each split. */
  readonly baseline: { readonly search: Top1; readonly holdout: Top1 };
  /** Default 1, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08, 0.05, 0.03. */
  readonly keepFractions?: readonly number[];
  /** Default 8, 6, 5, 4, 3, 2. */
  readonly weightBits?: readonly number[];
  readonly onProgress?: (progress: SearchProgress) => void;
}

export interface PlanSearchResult {
  /** The chosen plan: one rule per compressed weight (by name), then the base plan's rules. */
  readonly plan: CompressionPlan;
  readonly layers: readonly LayerChoice[];
  /** The chosen plan measured one-shot on each split. */
  readonly search: Top1;
  readonly holdout: Top1;
  /** Per-layer loss threshold of the chosen plan, in top-1 points (-1: the safest plan). */
  readonly threshold: number;
  /** Plans that passed the search split but failed the held-out check. */
  readonly backoffs: number;
  readonly evaluations: number;
}

export const DEFAULT_KEEP_FRACTIONS = [1, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08, 0.05, 0.03];
export const DEFAULT_WEIGHT_BITS = [8, 6, 5, 4, 3, 2];

/** Codes (+ 1 index per kept weight when pruned) + a float32 codebook: the file's bytes before Huffman. */
export function estimateLayerBytes(elements: number, keepFraction: number, weightBits: number, indexBits: number): number {
  const codebook = 4 * 2 ** weightBits;
  if (keepFraction >= 1) return Math.ceil((elements * weightBits) / 8) + codebook;
  return Math.ceil((Math.round(elements * keepFraction) * (weightBits + indexBits)) / 8) + codebook;
}

/** The weight as `compress` leaves it one-shot: pruned to `keepFraction`, then codebook[codes]. */
export function compressOneShot(
  values: HostTensor,
  keepFraction: number,
  weightBits: number,
  init: CompressedDecision["init"],
  name: string,
): Float32Array {
  const data = values.data as Float32Array;
  const mask = keepFraction >= 1 ? undefined : computeMask(data, { keepFraction }, { name }).mask;
  const pruned = mask === undefined ? data : data.map((v, i) => (mask[i] === 0 ? 0 : v));
  return dequantize(quantizeWeights(pruned, { bits: weightBits, init, name, ...(mask === undefined ? {} : { mask }) }));
}

function escapeName(name: string): string {
  return /[*?]/.test(name) || (name.startsWith("/") && name.endsWith("/")) ? `/^${name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$/` : name;
}

/** The plan that sets each chosen layer by name and leaves everything else to `base`. */
export function planFromChoices(
  base: CompressionPlan,
  decisions: ReadonlyMap<string, CompressedDecision>,
  choices: readonly LayerChoice[],
): CompressionPlan {
  const rules: CompressionRule[] = choices.map((choice) => {
    const decision = decisions.get(choice.name)!;
    return {
      match: { name: escapeName(choice.name) },
      store: "compressed",
      ...(choice.keepFraction < 1 ? { prune: { keepFraction: choice.keepFraction } } : {}),
      weightBits: choice.weightBits,
      init: decision.init,
      indexBits: decision.indexBits,
      indexOrder: decision.indexOrder,
      huffman: decision.huffman,
    };
  });
  return parsePlan({ ...base, rules: [...rules, ...base.rules] });
}

interface ScanPoint {
  readonly keepFraction: number;
  readonly weightBits: number;
  readonly estimatedBytes: number;
  readonly lost: number;
}

/** Scan, search and check (see the module comment); throws BUDGET_UNREACHABLE when even the safest plan misses. */
export async function searchPlan(options: PlanSearchOptions): Promise<PlanSearchResult> {
  const { weights, budget, baseline } = options;
  const keeps = [...new Set(options.keepFractions ?? DEFAULT_KEEP_FRACTIONS)].sort((a, b) => b - a);
  const bitsList = [...new Set(options.weightBits ?? DEFAULT_WEIGHT_BITS)].sort((a, b) => b - a);
  if (keeps[0] !== 1 || keeps.some((k) => !(k > 0 && k <= 1)))
    throw new CompressionError("INVALID_ARGUMENT", "searchPlan: keep fractions must lie in (0, 1] and include 1");
  if (bitsList.some((b) => !Number.isInteger(b) || b < 1 || b > 16))
    throw new CompressionError("INVALID_ARGUMENT", "searchPlan: weight bits must be integers in 1..16");
  const { compressed } = planWeights(weights, options.basePlan);
  const names = [...compressed.keys()];
  if (names.length === 0) throw new CompressionError("INVALID_ARGUMENT", "searchPlan: the base plan compresses no weight of this model");
  const allowance = budgetSlack(budget, baseline.search, baseline.search);
  const lostOf = (measured: Top1) => allowance - budgetSlack(budget, measured, baseline.search);
  let evaluations = 0;

  const cache = new Map<string, Float32Array>();
  const layerValues = (name: string, keep: number, bits: number): Float32Array => {
    const key = `${name}|${keep}|${bits}`;
    let values = cache.get(key);
    if (values === undefined) {
      values = compressOneShot(weights.get(name), keep, bits, compressed.get(name)!.init, name);
      // A few recent layers only: enough for consecutive plans that share most choices.
      if (cache.size >= 4 * names.length) cache.delete(cache.keys().next().value!);
      cache.set(key, values);
    }
    return values;
  };
  const withLayers = (settings: ReadonlyMap<string, { keepFraction: number; weightBits: number }>): WeightMap =>
    new WeightMap(
      [...weights].map((w) => {
        const s = settings.get(w.name);
        return s === undefined ? w : { ...w, tensor: tensor(w.tensor.shape, layerValues(w.name, s.keepFraction, s.weightBits), w.name) };
      }),
    );
  const measure = async (settings: ReadonlyMap<string, { keepFraction: number; weightBits: number }>, split: DataSplit) => {
    evaluations++;
    return options.evaluate(withLayers(settings), split);
  };

  // 1. Sensitivity scan.
  const scanTotal = names.length * keeps.length * bitsList.length;
  let scanned = 0;
  const report = (phase: SearchProgress["phase"], done: number, total: number, detail: string) =>
    options.onProgress?.({ phase, done, total, detail });
  const scans = new Map<string, ScanPoint[]>();
  for (const name of names) {
    const elements = weights.get(name).data.length;
    const indexBits = compressed.get(name)!.indexBits;
    const points: ScanPoint[] = [];
    for (const keepFraction of keeps) {
      let widestFailed = false;
      for (const [b, weightBits] of bitsList.entries()) {
        const measured = await measure(new Map([[name, { keepFraction, weightBits }]]), "search");
        const lost = lostOf(measured);
        points.push({ keepFraction, weightBits, estimatedBytes: estimateLayerBytes(elements, keepFraction, weightBits, indexBits), lost });
        scanned++;
        report("scan", scanned, scanTotal, `${name} keep ${keepFraction} ${weightBits} bits: ${lost.toFixed(2)} points`);
        if (lost > 2 * allowance) {
          scanned += bitsList.length - b - 1;
          widestFailed = b === 0;
          break;
        }
      }
      if (widestFailed) {
        scanned += (keeps.length - keeps.indexOf(keepFraction) - 1) * bitsList.length;
        break;
      }
    }
    scans.set(name, points);
  }

  // 2. Search over thresholds.
  const choose = (threshold: number): LayerChoice[] =>
    names.map((name) => {
      const points = scans.get(name)!;
      const within = points.filter((p) => p.lost <= threshold);
      const pick =
        threshold < 0
          ? points[0]!
          : within.length > 0
            ? within.reduce((a, b) => (b.estimatedBytes < a.estimatedBytes ? b : a))
            : points.reduce((a, b) => (b.lost < a.lost || (b.lost === a.lost && b.estimatedBytes < a.estimatedBytes) ? b : a));
      const { lost, ...rest } = pick;
      return { name, elements: weights.get(name).data.length, ...rest, pointsLostAlone: lost };
    });
  const settingsOf = (choices: readonly LayerChoice[]) => new Map(choices.map((c) => [c.name, c]));
  const passes = (measured: Top1, split: DataSplit) => budgetSlack(budget, measured, baseline[split]) >= 0;

  const safest = choose(-1);
  const safeSearch = await measure(settingsOf(safest), "search");
  const safeHoldout = await measure(settingsOf(safest), "holdout");
  for (const [split, measured] of [
    ["search", safeSearch],
    ["holdout", safeHoldout],
  ] as const) {
    if (!passes(measured, split)) {
      throw new CompressionError(
        "BUDGET_UNREACHABLE",
        `${budget.kind === "min-agreement" ? `--min-agreement ${budget.percent}` : `--max-drop ${budget.points}`} cannot be met: ` +
          `even the safest plan (no pruning, ${bitsList[0]}-bit shared weights) gives ${formatTop1(budget, measured, baseline[split])} (${split} split)`,
      );
    }
  }
  const thresholds = [
    ...new Set([...scans.values()].flatMap((points) => points.map((p) => p.lost)).filter((l) => l >= 0 && l <= 2 * allowance)),
  ].sort((a, b) => a - b);
  const searchTotal = Math.ceil(Math.log2(thresholds.length + 1)) + 2;
  let searchDone = 0;
  // Largest index whose plan passes the search split; -1 means the safest plan.
  let lo = -1;
  let hi = thresholds.length;
  const searchResults = new Map<number, Top1>();
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    const measured = await measure(settingsOf(choose(thresholds[mid]!)), "search");
    searchResults.set(mid, measured);
    report(
      "search",
      ++searchDone,
      searchTotal,
      `threshold ${thresholds[mid]!.toFixed(2)} points: ${formatTop1(budget, measured, baseline.search)}`,
    );
    if (passes(measured, "search")) lo = mid;
    else hi = mid;
  }

  // 3. Held-out check, backing off.
  let backoffs = 0;
  for (let index = lo; index >= 0; index--) {
    const choices = choose(thresholds[index]!);
    const search = searchResults.get(index) ?? (await measure(settingsOf(choices), "search"));
    if (!passes(search, "search")) continue;
    const holdout = await measure(settingsOf(choices), "holdout");
    report("check", searchDone + backoffs + 1, searchTotal + backoffs + 1, `held-out: ${formatTop1(budget, holdout, baseline.holdout)}`);
    if (passes(holdout, "holdout")) {
      return {
        plan: planFromChoices(options.basePlan, compressed, choices),
        layers: choices,
        search,
        holdout,
        threshold: thresholds[index]!,
        backoffs,
        evaluations,
      };
    }
    backoffs++;
  }
  return {
    plan: planFromChoices(options.basePlan, compressed, safest),
    layers: safest,
    search: safeSearch,
    holdout: safeHoldout,
    threshold: -1,
    backoffs,
    evaluations,
  };
}
