import { formatShape, type HostTensor, type WeightMap } from "@dcnpi/tensor";
import { PruningError } from "./errors.js";
import { countEligible, magnitudeOfBits, selectSmallest, writeMask, type SelectionSegment } from "./magnitude-selection.js";
import { countKept, MaskSet } from "./mask-set.js";
import {
  isCountTarget,
  parseCountTarget,
  parsePruneTarget,
  prunedCountFor,
  type CountTarget,
  type PruneTarget,
  type StdOf,
} from "./prune-target.js";

/** One computed mask and what it achieved. */
export interface MaskResult {
  /** 1 = kept, 0 = pruned; a new array. */
  readonly mask: Uint8Array;
  readonly size: number;
  readonly keptCount: number;
  readonly prunedCount: number;
  readonly sparsity: number;
  /**
   * The magnitude at the cut: every kept weight has |w| >= threshold, every pruned one (except those
   * an earlier mask pruned) has |w| <= threshold. For `quality` targets, quality x std.
   */
  readonly threshold: number;
  /** The standard deviation the quality rule used (quality targets only). */
  readonly std?: number;
  /**
   * False when an earlier mask had already pruned more than the target asks: pruned weights never
   * come back, so the result keeps the earlier mask and is sparser than asked.
   */
  readonly targetMet: boolean;
}

export interface ComputeMaskOptions {
  /** The mask of an earlier round (1 = kept). Weights it pruned stay pruned; the target counts them. */
  readonly previousMask?: Uint8Array | undefined;
  /** Used in error messages. */
  readonly name?: string;
}

function asValues(weights: Float32Array | HostTensor, name: string): Float32Array {
  if (weights instanceof Float32Array) return weights;
  if (weights.dtype !== "float32" || !(weights.data instanceof Float32Array)) {
    throw new PruningError("INVALID_OPTION", `${name}: only float32 weights can be pruned, got ${weights.dtype}`);
  }
  return weights.data;
}

/**
 * Population standard deviation (divide by n) of the weights, over the survivors of `mask` or over
 * every entry; computed in float64, two passes.
 */
export function weightStd(values: Float32Array, options: { mask?: Uint8Array | undefined; stdOf?: StdOf } = {}): number {
  const mask = options.stdOf === "all" ? undefined : options.mask;
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    sum += values[i]!;
    n++;
  }
  if (n === 0) return 0;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    const d = values[i]! - mean;
    squares += d * d;
  }
  return Math.sqrt(squares / n);
}

function finish(mask: Uint8Array, threshold: number, targetMet: boolean, std?: number): MaskResult {
  const keptCount = countKept(mask);
  const prunedCount = mask.length - keptCount;
  return {
    mask,
    size: mask.length,
    keptCount,
    prunedCount,
    sparsity: mask.length === 0 ? 0 : prunedCount / mask.length,
    threshold,
    ...(std === undefined ? {} : { std }),
    targetMet,
  };
}

function thresholdMask(values: Float32Array, threshold: number, previous: Uint8Array | undefined, name: string): Uint8Array {
  const mask = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    if (previous !== undefined && previous[i] === 0) continue;
    const v = values[i]!;
    if (Number.isNaN(v)) throw new PruningError("NON_FINITE_WEIGHT", `${name}: weight ${i} is NaN; masks need finite weights`);
    mask[i] = Math.abs(v) < threshold ? 0 : 1;
  }
  return mask;
}

/**
 * The mask of one weight for `target`, composing with `previousMask`.
 *
 * - `{sparsity}`, `{keepFraction}`, `{pruneCount}`, `{keepCount}`: exactly that many weights of the
 *   whole tensor end up pruned (earlier-pruned ones included), the smallest |w| first; ties at the cut
 *   go by index, the lower index pruned first. O(n) selection, no sort.
 * - `{quality, stdOf}`: the paper's rule, prune |w| < quality x std (std over survivors by default).
 * - `{threshold}`: prune |w| < threshold.
 */
export function computeMask(weights: Float32Array | HostTensor, target: PruneTarget, options: ComputeMaskOptions = {}): MaskResult {
  const name = options.name ?? "weight";
  const values = asValues(weights, name);
  const checked = parsePruneTarget(target, name);
  const previous = options.previousMask;
  if (previous !== undefined && previous.length !== values.length) {
    throw new PruningError("SHAPE_MISMATCH", `${name}: previous mask has ${previous.length} entries, the weight has ${values.length}`);
  }
  if ("quality" in checked) {
    const std = weightStd(values, { mask: previous, stdOf: checked.stdOf ?? "survivors" });
    const threshold = checked.quality * std;
    return finish(thresholdMask(values, threshold, previous, name), threshold, true, std);
  }
  if ("threshold" in checked) return finish(thresholdMask(values, checked.threshold, previous, name), checked.threshold, true);

  const segment: SelectionSegment = { name, values, mask: previous };
  // Without an earlier mask every weight is eligible (NaN is caught by the selection pass).
  const eligible = previous === undefined ? values.length : countEligible(segment);
  const wanted = prunedCountFor(checked, values.length, name);
  const extra = Math.max(0, wanted - (values.length - eligible));
  const cut = selectSmallest([segment], extra);
  const mask = new Uint8Array(values.length);
  writeMask(segment, cut, cut.tiesToPrune, mask);
  return finish(mask, extra === 0 ? 0 : magnitudeOfBits(cut.boundaryBits), wanted >= values.length - eligible);
}

/** Per-weight report of `computeMasks` / `computeGlobalMasks`. */
export interface LayerMaskReport extends Omit<MaskResult, "mask"> {
  readonly name: string;
  readonly target: PruneTarget;
}

export interface MaskComputation {
  /** Every mask of `previous` plus the new ones (new masks replace the old ones of the same weight). */
  readonly masks: MaskSet;
  /** One entry per weight a target was given for, in the order of the weight map. */
  readonly layers: readonly LayerMaskReport[];
}

export type TargetsByName = ReadonlyMap<string, PruneTarget> | Readonly<Record<string, PruneTarget>>;

function targetEntries(targets: TargetsByName): [string, PruneTarget][] {
  return targets instanceof Map ? [...targets.entries()] : Object.entries(targets as Record<string, PruneTarget>);
}

function floatValues(weights: WeightMap, name: string): { values: Float32Array; shape: readonly number[] } {
  if (!weights.has(name)) {
    throw new PruningError("UNKNOWN_WEIGHT", `computeMasks: no weight "${name}" (has: ${weights.names().join(", ")})`);
  }
  const t = weights.get(name);
  return { values: asValues(t, name), shape: t.shape };
}

function previousFor(previous: MaskSet | undefined, name: string, shape: readonly number[]): Uint8Array | undefined {
  const entry = previous?.has(name) === true ? previous.entry(name) : undefined;
  if (entry !== undefined && entry.mask.length !== shape.reduce((a, b) => a * b, 1)) {
    throw new PruningError("SHAPE_MISMATCH", `${name}: previous mask is ${formatShape(entry.shape)}, the weight is ${formatShape(shape)}`);
  }
  return entry?.mask;
}

/**
 * Masks for several weights of a map, one target each (see `computeMask`), composing with
 * `previous`. Weights without a target keep their previous mask (or stay dense).
 */
export function computeMasks(weights: WeightMap, targets: TargetsByName, options: { previous?: MaskSet } = {}): MaskComputation {
  const masks = options.previous?.clone() ?? new MaskSet();
  const order = new Map(weights.names().map((n, i) => [n, i]));
  const entries = targetEntries(targets).sort((a, b) => (order.get(a[0]) ?? -1) - (order.get(b[0]) ?? -1));
  const layers: LayerMaskReport[] = [];
  for (const [name, target] of entries) {
    const { values, shape } = floatValues(weights, name);
    const result = computeMask(values, target, { name, previousMask: previousFor(options.previous, name, shape) });
    masks.set(name, shape, result.mask);
    const { mask: _mask, ...report } = result;
    layers.push({ name, target, ...report });
  }
  return { masks, layers };
}

/**
 * One magnitude cut across several weights (TF-MOT/torch "global" pruning): exactly the target's
 * count of the named weights' elements end up pruned in total, the smallest |w| of any layer first.
 * Ties at the cut go by weight order, then index.
 */
export function computeGlobalMasks(
  weights: WeightMap,
  target: CountTarget,
  options: { names: readonly string[]; previous?: MaskSet },
): MaskComputation {
  const checked = parseCountTarget(target, "computeGlobalMasks");
  if (options.names.length === 0) throw new PruningError("INVALID_OPTION", "computeGlobalMasks: names must list at least one weight");
  const order = new Map(weights.names().map((n, i) => [n, i]));
  const names = [...new Set(options.names)].sort((a, b) => (order.get(a) ?? -1) - (order.get(b) ?? -1));
  const segments: (SelectionSegment & { shape: readonly number[] })[] = names.map((name) => {
    const { values, shape } = floatValues(weights, name);
    return { name, values, shape, mask: previousFor(options.previous, name, shape) };
  });
  const size = segments.reduce((a, s) => a + s.values.length, 0);
  const eligible = segments.reduce((a, s) => a + (s.mask === undefined ? s.values.length : countEligible(s)), 0);
  const wanted = prunedCountFor(checked, size, "computeGlobalMasks");
  const extra = Math.max(0, wanted - (size - eligible));
  const cut = selectSmallest(segments, extra);
  const threshold = extra === 0 ? 0 : magnitudeOfBits(cut.boundaryBits);
  const masks = options.previous?.clone() ?? new MaskSet();
  const layers: LayerMaskReport[] = [];
  let ties = cut.tiesToPrune;
  for (const segment of segments) {
    const mask = new Uint8Array(segment.values.length);
    ties = writeMask(segment, cut, ties, mask);
    masks.set(segment.name, segment.shape, mask);
    const { mask: _mask, ...report } = finish(mask, threshold, wanted >= size - eligible);
    layers.push({ name: segment.name, target: checked, ...report });
  }
  return { masks, layers };
}

export { isCountTarget };
export type { CountTarget };
