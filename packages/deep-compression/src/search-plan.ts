/**
 * Choosing each layer's keep fraction and bits from the user's data under an accuracy budget.
 *
 * 1. Sensitivity scan (DC Fig. 6 / LWC Fig. 6, on the user's inputs): each compressible weight alone
 *    is pruned to a keep fraction and weight-shared at a bit width, one-shot, exactly as `compress`
 *    would without retraining; the top-1 points lost against the original are measured on the search
 *    split. A row stops at the first bit width that loses more than twice the budget, a layer at the
 *    first keep fraction whose widest bits already do.
 * 2. Search: for a per-layer loss threshold t, each layer takes its smallest (estimated bytes)
 *    candidate that lost at most t alone; at the smallest t, also whose weights are within a relative
 *    squared error e of the original (caps e between the safest plan and t's cheapest). The most
 *    aggressive such plan that stays within the budget with a margin to spare on the search split is
 *    found by bisection (the margin, one standard error by default, pays for choosing the plan on the
 *    inputs it is measured on).
 * 3. Check: the plan is measured on the held-out split the search never saw; while it misses the
 *    budget there, the search backs off to the next smaller t. The safest plan (no pruning, the widest
 *    bits) failing either split is BUDGET_UNREACHABLE.
 * Every evaluation says which outcome matters (`stopBelow`): a candidate that breaks the model can be
 * told apart on a slice of the inputs (`measureTop1`), which decides the same way as all of them.
 * Pure: no file system, no model; `evaluate` measures a weight map however the caller runs the model.
 */
import { computeMask } from "@dcnpi/pruning";
import { dequantize, quantizeWeights, type FeedbackFactor } from "@dcnpi/quantization";
import { tensor, WeightMap, type HostTensor } from "@dcnpi/tensor";
import { CompressionError } from "./errors.js";
import { planWeights, type CompressedDecision } from "./plan-weights.js";
import { parsePlan, type CompressionPlan, type CompressionRule } from "./plan.js";
import { budgetSlack, formatTop1, searchMargin, type AccuracyBudget, type Top1 } from "./top1-metric.js";

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
  /**
   * Top-1 points lost on the search split with only this layer compressed this way (a lower bound
   * where it lost more than twice the budget: the scan stops measuring such a candidate early).
   */
  readonly pointsLostAlone: number;
  /** ‖W − Ŵ‖² / ‖W‖² of this layer's weights compressed this way (one-shot). */
  readonly relativeError: number;
  /** False for a layer left out of the scan (`scanShare`): it keeps the safest setting, its loss alone unmeasured (0 here). */
  readonly scanned: boolean;
}

export interface SearchProgress {
  readonly phase: "scan" | "search" | "check";
  readonly done: number;
  readonly total: number;
  readonly detail: string;
}

/** What an evaluation may use to save work; ignoring both gives the same search. */
export interface EvaluateOptions {
  /** Only whether the budget's slack reaches this matters when it does not (see `PlanSearchOptions.evaluate`). */
  readonly stopBelow?: number;
  /** The one weight that differs from the original (a scan candidate): what does not depend on it is unchanged. */
  readonly onlyChanged?: string;
}

export interface PlanSearchOptions {
  /** The original weights (not changed). */
  readonly weights: WeightMap;
  /** Decides which weights may be compressed and their index bits, order and Huffman (e.g. `defaultPlan`); its keep fractions and bits are replaced. */
  readonly basePlan: CompressionPlan;
  readonly budget: AccuracyBudget;
  /**
   * Measures a full weight map on one split of the data against the original's predictions. The
   * search only needs to know whether the budget's slack (`budgetSlack` against `baseline[split]`) is
   * at least `stopBelow` when it is not: an evaluation may stop once it is sure to fall short and
   * return an upper bound (`measureTop1` with `stop` does this). Absent: measure every input.
   */
  readonly evaluate: (weights: WeightMap, split: DataSplit, options?: EvaluateOptions) => Promise<Top1>;
  /** The original model on each split. */
  readonly baseline: { readonly search: Top1; readonly holdout: Top1 };
  /** Default 1, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08, 0.05, 0.03. */
  readonly keepFractions?: readonly number[];
  /** Default 8, 6, 5, 4, 3, 2. */
  readonly weightBits?: readonly number[];
  /**
   * Scan only the largest weights that together hold this share of the compressible weights' bytes
   * at the safest setting (default 1: every weight); the others keep the safest setting. A MobileNet
   * has 52 kernels, most of them small, and each scanned candidate is a run over the search split.
   */
  readonly scanShare?: number;
  /**
   * Top-1 points by which a plan must pass the budget on the search split (the held-out check asks for
   * the budget itself). Default `searchMargin(budget, baseline.search)`, one standard error; 0: none.
   */
  readonly margin?: number;
  readonly onProgress?: (progress: SearchProgress) => void;
  /** Error feedback for the named weights, as `compress` will use it (`CompressOptions.feedback`): every candidate is measured as it will be written. */
  readonly feedback?: ReadonlyMap<string, FeedbackFactor>;
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
  /** Its error cap: each layer's relative squared weight error ‖W − Ŵ‖² / ‖W‖² was at most this (Infinity: none). */
  readonly errorCap: number;
  /** The margin the search split was held to, in top-1 points. */
  readonly margin: number;
  /** Plans that passed the search split but failed the held-out check. */
  readonly backoffs: number;
  readonly evaluations: number;
  /** Evaluations that stopped before the last input, their outcome decided (`Top1.stoppedAfter`). */
  readonly stoppedEarly: number;
}

export const DEFAULT_KEEP_FRACTIONS = [1, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08, 0.05, 0.03];
export const DEFAULT_WEIGHT_BITS = [8, 6, 5, 4, 3, 2];

/** Codes (+ 1 index per kept weight when pruned) + a float32 codebook: the file's bytes before Huffman. */
export function estimateLayerBytes(elements: number, keepFraction: number, weightBits: number, indexBits: number): number {
  const codebook = 4 * 2 ** weightBits;
  if (keepFraction >= 1) return Math.ceil((elements * weightBits) / 8) + codebook;
  return Math.ceil((Math.round(elements * keepFraction) * (weightBits + indexBits)) / 8) + codebook;
}

/**
 * The weight as `compress` leaves it one-shot: pruned to `keepFraction`, then codebook[codes]. With
 * error feedback, a pruned weight's whole value is spread onward like a rounding error (as SparseGPT
 * does for a fixed mask: Frantar & Alistarh, ICML 2023); without it, the same codes as before.
 */
export function compressOneShot(
  values: HostTensor,
  keepFraction: number,
  weightBits: number,
  init: CompressedDecision["init"],
  name: string,
  feedback?: FeedbackFactor,
): Float32Array {
  const data = values.data as Float32Array;
  const mask = keepFraction >= 1 ? undefined : computeMask(data, { keepFraction }, { name }).mask;
  // Masked weights are not clustered and take code 0 (= 0.0); only error feedback reads their values.
  return dequantize(quantizeWeights(data, { bits: weightBits, init, name, feedback, ...(mask === undefined ? {} : { mask }) }));
}

/** ‖a − b‖² / ‖a‖² (0 for an all-zero `a` equal to `b`). */
function relativeSquaredError(a: Float32Array, b: Float32Array): number {
  let error = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    error += d * d;
    norm += a[i]! * a[i]!;
  }
  return norm === 0 ? (error === 0 ? 0 : Infinity) : error / norm;
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

/** One rung of the search's ladder (see searchPlan, step 2) and the plan it gives. */
export interface Rung {
  readonly threshold: number;
  readonly cap: number;
}

export interface LadderRung extends Rung {
  readonly choices: LayerChoice[];
  /** A step on the way to this rung's plan: `count` of the `of` layers it changes have moved. */
  readonly moved?: { readonly count: number; readonly of: number };
}

function describeRung(rung: LadderRung): string {
  return (
    `threshold ${rung.threshold.toFixed(2)} points${Number.isFinite(rung.cap) ? `, weight error ≤ ${rung.cap.toExponential(1)}` : ""}` +
    (rung.moved === undefined ? "" : ` (${rung.moved.count} of its ${rung.moved.of} changed layers)`)
  );
}

/**
 * Steps between consecutive rungs, one layer at a time: a rung can change many layers at once (every
 * layer whose next candidate lost at most t alone), and one-layer losses add up, so the rung after a
 * passing one may miss by a single input (seen on a MobileNet: 99.43% against the 99.53% needed). The
 * layers move in order of bytes saved per point lost alone (a layer that loses nothing first),
 * each step a plan of its own, so the bisection can stop part of the way. (Exported for its test; not
 * in the package's index.)
 */
export function stepLadder(rungs: readonly LadderRung[], safest: readonly LayerChoice[]): LadderRung[] {
  const steps: LadderRung[] = [];
  let previous = safest;
  for (const rung of rungs) {
    const from = previous;
    const changed = rung.choices.map((_, i) => i).filter((i) => !sameChoices([rung.choices[i]!], [from[i]!]));
    const gain = (i: number) => ({
      saved: from[i]!.estimatedBytes - rung.choices[i]!.estimatedBytes,
      lost: Math.max(0, rung.choices[i]!.pointsLostAlone - from[i]!.pointsLostAlone),
    });
    const order = [...changed].sort((a, b) => {
      const x = gain(a);
      const y = gain(b);
      if ((x.lost === 0) !== (y.lost === 0)) return x.lost === 0 ? -1 : 1;
      return (x.lost === 0 ? y.saved - x.saved : y.saved / y.lost - x.saved / x.lost) || a - b;
    });
    let choices = [...from];
    for (const [k, i] of order.slice(0, -1).entries()) {
      choices = [...choices];
      choices[i] = rung.choices[i]!;
      steps.push({ threshold: rung.threshold, cap: rung.cap, choices, moved: { count: k + 1, of: changed.length } });
    }
    steps.push(rung);
    previous = rung.choices;
  }
  return steps;
}

const sameChoices = (a: readonly LayerChoice[], b: readonly LayerChoice[]) =>
  a.every((c, i) => c.keepFraction === b[i]!.keepFraction && c.weightBits === b[i]!.weightBits);

/**
 * The rungs between the safest plan and the most aggressive one, safest first, each a different plan:
 * at the smallest threshold, error caps from the safest plan's largest error up by factors of 2, then
 * every larger threshold without a cap.
 */
function buildLadder(thresholds: readonly number[], choose: (rung: Rung) => LayerChoice[], safest: readonly LayerChoice[]): LadderRung[] {
  if (thresholds.length === 0) return [];
  const rungs: LadderRung[] = [];
  const add = (rung: Rung) => {
    const choices = choose(rung);
    const previous = rungs.length > 0 ? rungs[rungs.length - 1]!.choices : safest;
    if (!sameChoices(choices, previous)) rungs.push({ ...rung, choices });
  };
  const smallest = thresholds[0]!;
  // From the largest error of the safest plan's layers (below it every layer keeps its first point) to
  // the largest of the uncapped plan's, doubling.
  const uncapped = choose({ threshold: smallest, cap: Infinity });
  const low = Math.max(Number.MIN_VALUE, ...safest.map((c) => c.relativeError));
  const high = Math.max(low, ...uncapped.map((c) => c.relativeError));
  for (let cap = low; cap < high; cap *= 2) add({ threshold: smallest, cap });
  add({ threshold: smallest, cap: Infinity });
  for (const threshold of thresholds.slice(1)) add({ threshold, cap: Infinity });
  return rungs;
}

interface ScanPoint {
  readonly keepFraction: number;
  readonly weightBits: number;
  readonly estimatedBytes: number;
  /** Top-1 points lost alone; a lower bound when `stopped`. */
  readonly lost: number;
  /** Its evaluation stopped early: it lost more than twice the budget. */
  readonly stopped: boolean;
  readonly relativeError: number;
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
  const scanShare = options.scanShare ?? 1;
  if (!(scanShare > 0 && scanShare <= 1))
    throw new CompressionError("INVALID_ARGUMENT", `searchPlan: scan share ${scanShare} must lie in (0, 1]`);
  const margin = options.margin ?? searchMargin(budget, baseline.search);
  if (!(margin >= 0) || !Number.isFinite(margin))
    throw new CompressionError("INVALID_ARGUMENT", `searchPlan: margin ${margin} must be a number ≥ 0`);
  const allowance = budgetSlack(budget, baseline.search, baseline.search);
  const lostOf = (measured: Top1) => allowance - budgetSlack(budget, measured, baseline.search);
  let evaluations = 0;

  const cache = new Map<string, Float32Array>();
  const layerValues = (name: string, keep: number, bits: number): Float32Array => {
    const key = `${name}|${keep}|${bits}`;
    let values = cache.get(key);
    if (values === undefined) {
      values = compressOneShot(weights.get(name), keep, bits, compressed.get(name)!.init, name, options.feedback?.get(name));
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
  let stoppedEarly = 0;
  const measure = async (
    settings: ReadonlyMap<string, { keepFraction: number; weightBits: number }>,
    split: DataSplit,
    stopBelow?: number,
  ) => {
    evaluations++;
    // One layer set (a scan candidate): the rest of the model is the original.
    const only = settings.size === 1 ? { onlyChanged: [...settings.keys()][0]! } : {};
    const measured = await options.evaluate(withLayers(settings), split, { ...only, ...(stopBelow === undefined ? {} : { stopBelow }) });
    if (measured.stoppedAfter !== undefined) stoppedEarly++;
    return measured;
  };

  // 1. Sensitivity scan, of the largest weights holding `scanShare` of the bytes.
  const safestBytes = (name: string) => estimateLayerBytes(weights.get(name).data.length, 1, bitsList[0]!, compressed.get(name)!.indexBits);
  const bySize = [...names].sort((a, b) => safestBytes(b) - safestBytes(a));
  const totalBytes = bySize.reduce((sum, name) => sum + safestBytes(name), 0);
  const scanned = new Set<string>();
  for (let held = 0; held < scanShare * totalBytes && scanned.size < bySize.length;) {
    const name = bySize[scanned.size]!;
    scanned.add(name);
    held += safestBytes(name);
  }
  const scanTotal = scanned.size * keeps.length * bitsList.length;
  let scanDone = 0;
  const report = (phase: SearchProgress["phase"], done: number, total: number, detail: string) =>
    options.onProgress?.({ phase, done, total, detail });
  const scans = new Map<string, ScanPoint[]>();
  for (const name of names) {
    const elements = weights.get(name).data.length;
    const indexBits = compressed.get(name)!.indexBits;
    const points: ScanPoint[] = [];
    if (!scanned.has(name)) {
      // Not scanned: its one candidate is the safest setting (measured with every layer in the safest plan).
      const relativeError = relativeSquaredError(weights.get(name).data as Float32Array, layerValues(name, 1, bitsList[0]!));
      scans.set(name, [
        { keepFraction: 1, weightBits: bitsList[0]!, estimatedBytes: safestBytes(name), lost: 0, stopped: false, relativeError },
      ]);
      continue;
    }
    for (const keepFraction of keeps) {
      let widestFailed = false;
      for (const [b, weightBits] of bitsList.entries()) {
        // A candidate that loses more than twice the budget ends its row: past that, only the fact counts
        // (its loss is then a lower bound, which no threshold or choice below uses).
        const measured = await measure(new Map([[name, { keepFraction, weightBits }]]), "search", -allowance);
        const lost = lostOf(measured);
        const relativeError = relativeSquaredError(weights.get(name).data as Float32Array, layerValues(name, keepFraction, weightBits));
        const estimatedBytes = estimateLayerBytes(elements, keepFraction, weightBits, indexBits);
        const stopped = measured.stoppedAfter !== undefined;
        points.push({ keepFraction, weightBits, estimatedBytes, lost, stopped, relativeError });
        scanDone++;
        const lostText = stopped ? `> ${(2 * allowance).toFixed(2)}` : lost.toFixed(2);
        report("scan", scanDone, scanTotal, `${name} keep ${keepFraction} ${weightBits} bits: ${lostText} points`);
        if (stopped || lost > 2 * allowance) {
          scanDone += bitsList.length - b - 1;
          widestFailed = b === 0;
          break;
        }
      }
      if (widestFailed) {
        scanDone += (keeps.length - keeps.indexOf(keepFraction) - 1) * bitsList.length;
        break;
      }
    }
    scans.set(name, points);
  }

  // 2. Search. A rung of the ladder is a per-layer loss threshold t and an error cap e: each layer takes
  // its cheapest candidate that lost at most t alone and whose relative weight error is at most e (none:
  // its first, unpruned point). Rungs run from the safest plan through the smallest t with growing caps
  // to the largest t uncapped. Top-1 losses on a few hundred inputs are mostly 0: without the caps
  // nothing lies between the safest plan and the plan made of every layer's cheapest 0-loss candidate,
  // whose one-layer losses add up (measured on the LeNets: 98.5-98.9% agreement on unseen digits).
  const choose = (rung: Rung): LayerChoice[] =>
    names.map((name) => {
      const points = scans.get(name)!;
      const within = rung.threshold < 0 ? [] : points.filter((p) => !p.stopped && p.lost <= rung.threshold);
      const capped = within.filter((p) => p.relativeError <= rung.cap);
      const pick =
        rung.threshold < 0
          ? points[0]!
          : capped.length > 0
            ? capped.reduce((a, b) => (b.estimatedBytes < a.estimatedBytes ? b : a))
            : within.length > 0
              ? points[0]!
              : points.reduce((a, b) => (b.lost < a.lost || (b.lost === a.lost && b.estimatedBytes < a.estimatedBytes) ? b : a));
      const { lost, stopped: _stopped, ...rest } = pick;
      return { name, elements: weights.get(name).data.length, ...rest, pointsLostAlone: lost, scanned: scanned.has(name) };
    });
  const settingsOf = (choices: readonly LayerChoice[]) => new Map(choices.map((c) => [c.name, c]));
  const passes = (measured: Top1, split: DataSplit) => budgetSlack(budget, measured, baseline[split]) >= 0;
  const passesWithMargin = (measured: Top1) => budgetSlack(budget, measured, baseline.search) >= margin;

  const safest = choose({ threshold: -1, cap: Infinity });
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
    ...new Set(
      [...scans.values()]
        .flatMap((points) => points.filter((p) => !p.stopped).map((p) => p.lost))
        .filter((l) => l >= 0 && l <= 2 * allowance),
    ),
  ].sort((a, b) => a - b);
  const ladder = stepLadder(buildLadder(thresholds, choose, safest), safest);
  const searchTotal = Math.ceil(Math.log2(ladder.length + 1)) + 2;
  let searchDone = 0;
  // Largest rung whose plan passes the search split with the margin; -1 means the safest plan.
  let lo = -1;
  let hi = ladder.length;
  const searchResults = new Map<number, Top1>();
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    const measured = await measure(settingsOf(ladder[mid]!.choices), "search", margin);
    searchResults.set(mid, measured);
    report("search", ++searchDone, searchTotal, `${describeRung(ladder[mid]!)}: ${formatTop1(budget, measured, baseline.search)}`);
    if (passesWithMargin(measured)) lo = mid;
    else hi = mid;
  }

  // 3. Held-out check, backing off: from the chosen step to the whole rungs below it (stepping back
  // one layer at a time would measure nearly the same plan again and again).
  let backoffs = 0;
  for (let index = lo; index >= 0; index--) {
    if (index < lo && ladder[index]!.moved !== undefined) continue;
    const { choices, threshold, cap } = ladder[index]!;
    const search = searchResults.get(index) ?? (await measure(settingsOf(choices), "search", margin));
    if (!passesWithMargin(search)) continue;
    const holdout = await measure(settingsOf(choices), "holdout", 0);
    report("check", searchDone + backoffs + 1, searchTotal + backoffs + 1, `held-out: ${formatTop1(budget, holdout, baseline.holdout)}`);
    if (passes(holdout, "holdout")) {
      return {
        plan: planFromChoices(options.basePlan, compressed, choices),
        layers: choices,
        search,
        holdout,
        threshold,
        errorCap: cap,
        margin,
        backoffs,
        evaluations,
        stoppedEarly,
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
    errorCap: Infinity,
    margin,
    backoffs,
    evaluations,
    stoppedEarly,
  };
}
