import type { WeightMap } from "@dcnpi/tensor";
import { applyMasks } from "./apply-masks.js";
import { computeMask } from "./compute-mask.js";
import { PruningError } from "./errors.js";
import { MaskSet } from "./mask-set.js";

/** One pruned point of a sensitivity curve. */
export interface SensitivityPoint {
  /** The whole layer's sparsity at this point (earlier-pruned weights included). */
  readonly sparsity: number;
  readonly metric: number;
}

export interface SensitivityCurve {
  readonly layer: string;
  readonly points: readonly SensitivityPoint[];
}

export interface SensitivityReport {
  /** The metric with no extra pruning (only `previous`, if given). */
  readonly baseline: number;
  readonly curves: readonly SensitivityCurve[];
}

export interface SensitivityOptions {
  readonly weights: WeightMap;
  /** The weights to probe, one at a time. */
  readonly layers: readonly string[];
  /** Sparsities in [0,1] to probe each layer at (sorted ascending in the report). */
  readonly sparsities: readonly number[];
  /**
   * Measures the metric for a weight map in which only `point.layer` is pruned (to
   * `point.sparsity`; null for the baseline). It may be async; calls are made one at a time.
   */
  readonly evaluate: (
    weights: WeightMap,
    point: { readonly layer: string | null; readonly sparsity: number | null },
  ) => number | Promise<number>;
  /** Masks already in force (applied to every probe; a probe's sparsity counts them). */
  readonly previous?: MaskSet;
  /** Called after each probe, e.g. for a progress bar. */
  readonly onProbe?: (done: number, total: number) => void;
}

/**
 * Sensitivity analysis (LWC §4, Distiller's `sensitivity` command): prunes one layer at a time by
 * magnitude over a range of sparsities and measures the caller's metric, giving one curve per layer.
 */
export async function analyzeSensitivity(options: SensitivityOptions): Promise<SensitivityReport> {
  const { weights, layers, evaluate } = options;
  const sparsities = [...new Set(options.sparsities)].sort((a, b) => a - b);
  for (const s of sparsities) {
    if (!Number.isFinite(s) || s < 0 || s > 1)
      throw new PruningError("INVALID_OPTION", `analyzeSensitivity: sparsity ${s} is outside [0,1]`);
  }
  for (const layer of layers) {
    if (!weights.has(layer)) throw new PruningError("UNKNOWN_WEIGHT", `analyzeSensitivity: no weight "${layer}"`);
  }
  const previous = options.previous ?? new MaskSet();
  const base = applyMasks(weights, previous);
  const baseline = await evaluate(base, { layer: null, sparsity: null });
  const total = layers.length * sparsities.length;
  let done = 0;
  const curves: SensitivityCurve[] = [];
  for (const layer of layers) {
    const points: SensitivityPoint[] = [];
    const values = weights.get(layer);
    for (const sparsity of sparsities) {
      const { mask, sparsity: achieved } = computeMask(values, { sparsity }, { name: layer, previousMask: previous.get(layer) });
      const masks = previous.clone().set(layer, values.shape, mask);
      const metric = await evaluate(applyMasks(weights, masks), { layer, sparsity });
      points.push({ sparsity: achieved, metric });
      options.onProbe?.(++done, total);
    }
    curves.push({ layer, points });
  }
  return { baseline, curves };
}

export interface ChooseSparsitiesOptions {
  /** How far the metric may move from the baseline in the bad direction. */
  readonly tolerance: number;
  /** True for accuracy-like metrics, false for loss/error-like ones. */
  readonly higherIsBetter: boolean;
  /** Tolerance as a fraction of |baseline| rather than in the metric's units (default false). */
  readonly relative?: boolean;
}

/**
 * Per-layer targets from sensitivity curves: for each layer, the largest probed sparsity such that
 * it and every smaller probed sparsity stay within `tolerance` of the baseline (0 when even the
 * smallest fails). The result feeds `computeMasks` directly.
 */
export function chooseSparsities(report: SensitivityReport, options: ChooseSparsitiesOptions): Record<string, { sparsity: number }> {
  const { tolerance, higherIsBetter, relative = false } = options;
  if (!Number.isFinite(tolerance) || tolerance < 0)
    throw new PruningError("INVALID_OPTION", `chooseSparsities: tolerance must be >= 0, got ${tolerance}`);
  const allowed = relative ? tolerance * Math.abs(report.baseline) : tolerance;
  const out: Record<string, { sparsity: number }> = {};
  for (const { layer, points } of report.curves) {
    let chosen = 0;
    for (const { sparsity, metric } of [...points].sort((a, b) => a.sparsity - b.sparsity)) {
      const loss = higherIsBetter ? report.baseline - metric : metric - report.baseline;
      if (!(loss <= allowed)) break;
      chosen = sparsity;
    }
    out[layer] = { sparsity: chosen };
  }
  return out;
}
