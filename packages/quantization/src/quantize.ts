import { formatShape, type HostTensor, type Rng, type Shape, type WeightMap } from "@dcnpi/tensor";
import { z } from "zod";
import { CENTROID_INITS, initialCentroids, type CentroidInit } from "./centroid-init.js";
import { QuantizationError } from "./errors.js";
import { ecsq1d } from "./ecsq-1d.js";
import { assignWithFeedback, type FeedbackFactor } from "./error-feedback.js";
import { midpoints, nearestIndex } from "./nearest-code.js";
import { lloyd1d, type EmptyClusterPolicy } from "./kmeans-1d.js";
import { sortFloat32 } from "./sort-float32.js";

/**
 * A weight after weight sharing (DC §3): a codebook of 2^bits float32 values and one b-bit code
 * per weight, row-major in the weight's shape.
 *
 * Codebook convention (shared with `@dcnpi/sparse-format`): when the weight was quantized with a
 * pruning mask (`masked`), codebook[0] is exactly 0.0 and is the code of every pruned weight; the
 * other 2^bits - 1 entries are the k-means centroids of the surviving weights, ascending. Without a
 * mask all 2^bits entries are centroids of every weight, ascending. Unused (empty-cluster) codes keep
 * their last centroid value.
 */
export interface QuantizedWeight {
  readonly shape: Shape;
  readonly bits: number;
  readonly codebook: Float32Array;
  /** Uint8Array for bits <= 8, Uint16Array for 9..16 bits. */
  readonly codes: Uint8Array | Uint16Array;
  /** True when code 0 is the reserved pruned zero (quantized with a mask). */
  readonly masked: boolean;
}

/** How the clustering went, for reports. */
export interface KMeansReport {
  readonly init: CentroidInit;
  /** Weights clustered (the survivors when masked). */
  readonly clustered: number;
  /** Centroids fitted: 2^bits - 1 when masked, else 2^bits. */
  readonly clusters: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly emptyClusters: number;
  /** Sum over clustered weights of (w - codebook[code])^2, float64. */
  readonly squaredError: number;
  /** Present when `entropyWeight` > 0: the entropy-constrained refinement after k-means (`ecsq1d`). */
  readonly ecsq?: EcsqReport;
}

/** How the entropy-constrained refinement went (Choi et al., ICLR 2017). */
export interface EcsqReport {
  readonly entropyWeight: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Entropy of the survivors' codes after the refinement, bits per weight. */
  readonly entropyBits: number;
  /** The same before it (plain k-means). */
  readonly kmeansEntropyBits: number;
}

export interface QuantizeOptions {
  /** Index bits, 1..16 (the paper: 8 for conv, 5 for fc, 6 for LeNet-300-100). */
  readonly bits: number;
  /** Centroid initialisation; default `linear` (the paper's winner). */
  readonly init?: CentroidInit;
  /** 1 = kept; only kept weights are clustered, pruned ones get code 0 (= 0.0). */
  readonly mask?: Uint8Array | undefined;
  /**
   * Cap on Lloyd assignment steps (default 10000; each costs O(k log n), exact convergence on 1M normal weights
   * at 5 bits takes ~1000); iteration stops earlier at a fixed point.
   */
  readonly maxIterations?: number;
  /** Empty-cluster policy (default `keep`; see `lloyd1d`). */
  readonly emptyClusters?: EmptyClusterPolicy;
  /**
   * λ of entropy-constrained scalar quantization (Choi, El-Khamy, Lee, ICLR 2017, arXiv 1612.01543),
   * in units of the clustered weights' variance: after k-means, codes are reassigned to minimise
   * (w - c)^2 / σ² + λ · (-log2 p_code), which lowers the codes' entropy. Default 0: plain k-means (the paper).
   */
  readonly entropyWeight?: number;
  /**
   * Codes chosen with error feedback from the layer's inputs instead of each weight's nearest centroid
   * (GPTQ, Frantar et al., ICLR 2023; `feedbackFactor` in error-feedback.ts). The codebook is the
   * same k-means codebook. The weight is read as [factor.size, length / size]. Not with `entropyWeight`.
   */
  readonly feedback?: FeedbackFactor | undefined;
  /** Required for `random` and `kmeans++`. */
  readonly rng?: Rng;
  /** Used in error messages. */
  readonly name?: string;
}

export interface QuantizeResult extends QuantizedWeight {
  readonly report: KMeansReport;
}

/** Per-layer quantization settings as data (for plans read from files). */
export const quantizeSettingsSchema = z.strictObject({
  bits: z.number().int().min(1).max(16),
  init: z.enum(CENTROID_INITS as [CentroidInit, ...CentroidInit[]]).optional(),
  maxIterations: z.number().int().min(1).optional(),
  emptyClusters: z.enum(["keep", "split"]).optional(),
  entropyWeight: z.number().min(0).max(1e6).optional(),
});
export type QuantizeSettings = z.infer<typeof quantizeSettingsSchema>;

function checkOptions(options: QuantizeOptions, name: string): void {
  const parsed = quantizeSettingsSchema.safeParse({
    bits: options.bits,
    ...(options.init === undefined ? {} : { init: options.init }),
    ...(options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations }),
    ...(options.emptyClusters === undefined ? {} : { emptyClusters: options.emptyClusters }),
    ...(options.entropyWeight === undefined ? {} : { entropyWeight: options.entropyWeight }),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new QuantizationError("INVALID_OPTION", `${name}: ${issue.path.join(".")}: ${issue.message}`);
  }
  if (options.feedback !== undefined && (options.entropyWeight ?? 0) > 0)
    throw new QuantizationError("INVALID_OPTION", `${name}: error feedback and entropyWeight cannot be combined`);
  if ((options.init === "random" || options.init === "kmeans++") && options.rng === undefined) {
    throw new QuantizationError("MISSING_RNG", `${name}: init "${options.init}" needs an rng (pass options.rng)`);
  }
}

function asValues(weights: Float32Array | HostTensor, name: string): { values: Float32Array; shape: Shape } {
  if (weights instanceof Float32Array) return { values: weights, shape: [weights.length] };
  if (!(weights.data instanceof Float32Array))
    throw new QuantizationError("INVALID_OPTION", `${name}: only float32 weights can be quantized, got ${weights.dtype}`);
  return { values: weights.data, shape: weights.shape };
}

/**
 * 1-D k-means weight sharing for one weight: sort the (surviving) values once, initialise, run exact
 * Lloyd iterations to a fixed point (or `maxIterations`), round the centroids to float32, then give
 * each weight the code of its nearest codebook entry (a binary search over the midpoints; a value on
 * a midpoint takes the lower code). Deterministic: only `random` and `kmeans++` draw from `rng`.
 */
export function quantizeWeights(weights: Float32Array | HostTensor, options: QuantizeOptions): QuantizeResult {
  const name = options.name ?? "weight";
  checkOptions(options, name);
  const { values, shape } = asValues(weights, name);
  const { bits, mask } = options;
  const init = options.init ?? "linear";
  if (options.feedback !== undefined && values.length % options.feedback.size !== 0)
    throw new QuantizationError(
      "SHAPE_MISMATCH",
      `${name}: error feedback over ${options.feedback.size} input features does not divide the weight ${formatShape(shape)}`,
    );
  if (mask !== undefined && mask.length !== values.length) {
    throw new QuantizationError(
      "SHAPE_MISMATCH",
      `${name}: mask has ${mask.length} entries, the weight ${formatShape(shape)} has ${values.length}`,
    );
  }
  const masked = mask !== undefined;
  const size = 2 ** bits;
  const offset = masked ? 1 : 0;
  const k = size - offset;

  let survivors = 0;
  for (let i = 0; i < values.length; i++) {
    if (masked && mask[i] === 0) continue;
    if (!Number.isFinite(values[i]!)) throw new QuantizationError("NON_FINITE_WEIGHT", `${name}: weight ${i} is ${values[i]}`);
    survivors++;
  }
  let clustered: Float32Array;
  if (masked) {
    clustered = new Float32Array(survivors);
    let o = 0;
    for (let i = 0; i < values.length; i++) if (mask[i] !== 0) clustered[o++] = values[i]!;
  } else clustered = values;
  const sorted = sortFloat32(clustered);

  const codebook = new Float32Array(size);
  let iterations = 0;
  let converged = true;
  let emptyClusters = 0;
  if (survivors <= k) {
    // At most one value per centroid: every weight is represented exactly; spare codes repeat the largest value.
    for (let j = 0; j < k; j++) codebook[offset + j] = survivors === 0 ? 0 : sorted[Math.min(j, survivors - 1)]!;
    emptyClusters = k - survivors;
  } else {
    const start = initialCentroids(sorted, k, init, options.rng);
    const result = lloyd1d(sorted, start, {
      maxIterations: options.maxIterations ?? 10_000,
      emptyClusters: options.emptyClusters ?? "keep",
    });
    ({ iterations, converged, emptyClusters } = result);
    if ((options.entropyWeight ?? 0) > 0) {
      return entropyConstrained(
        values,
        shape,
        { bits, mask, offset, init, clustered, centroids: result.centroids, iterations, converged },
        options,
      );
    }
    for (let j = 0; j < k; j++) codebook[offset + j] = result.centroids[j]!;
    // float32 rounding may reorder two nearly equal centroids; keep the codebook ascending.
    codebook.subarray(offset).sort();
  }

  const codes = bits <= 8 ? new Uint8Array(values.length) : new Uint16Array(values.length);
  const mids = midpoints(codebook, offset);
  let squaredError = 0;
  if (options.feedback !== undefined) squaredError = assignWithFeedback(values, codebook, mids, offset, mask, options.feedback, codes);
  else {
    for (let i = 0; i < values.length; i++) {
      if (masked && mask[i] === 0) continue;
      const code = nearestIndex(mids, values[i]!) + offset;
      codes[i] = code;
      squaredError += (values[i]! - codebook[code]!) ** 2;
    }
  }
  return {
    shape: [...shape],
    bits,
    codebook,
    codes,
    masked,
    report: { init, clustered: survivors, clusters: k, iterations, converged, emptyClusters, squaredError },
  };
}

function variance(values: Float32Array): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i]! - mean) ** 2;
  return sq / values.length;
}

/**
 * The `entropyWeight` > 0 path of `quantizeWeights`: ECSQ from the k-means centroids, then the clusters
 * sorted by their float32 centroid (the codebook stays ascending; emptied clusters keep their last
 * centroid, unused). A weight's code is its ECSQ cluster, which is not always its nearest centroid.
 */
function entropyConstrained(
  values: Float32Array,
  shape: Shape,
  state: {
    bits: number;
    mask: Uint8Array | undefined;
    offset: number;
    init: CentroidInit;
    clustered: Float32Array;
    centroids: Float64Array;
    iterations: number;
    converged: boolean;
  },
  options: QuantizeOptions,
): QuantizeResult {
  const { bits, mask, offset, clustered } = state;
  const entropyWeight = options.entropyWeight!;
  const k = state.centroids.length;
  const kmeans = ecsq1d(clustered, state.centroids, { lambda: 0, maxIterations: 1 });
  const result = ecsq1d(clustered, state.centroids, {
    lambda: entropyWeight * variance(clustered),
    maxIterations: options.maxIterations ?? 10_000,
  });
  const rounded = Float32Array.from(result.centroids);
  const order = Array.from({ length: k }, (_, j) => j).sort((a, b) => rounded[a]! - rounded[b]! || a - b);
  const rank = new Uint16Array(k);
  const codebook = new Float32Array(2 ** bits);
  order.forEach((cluster, position) => {
    rank[cluster] = position;
    codebook[offset + position] = rounded[cluster]!;
  });
  const codes = bits <= 8 ? new Uint8Array(values.length) : new Uint16Array(values.length);
  let squaredError = 0;
  let o = 0;
  for (let i = 0; i < values.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    const code = offset + rank[result.assignment[o++]!]!;
    codes[i] = code;
    squaredError += (values[i]! - codebook[code]!) ** 2;
  }
  let emptyClusters = 0;
  for (let j = 0; j < k; j++) if (result.counts[j] === 0) emptyClusters++;
  return {
    shape: [...shape],
    bits,
    codebook,
    codes,
    masked: mask !== undefined,
    report: {
      init: state.init,
      clustered: clustered.length,
      clusters: k,
      iterations: state.iterations,
      converged: state.converged,
      emptyClusters,
      squaredError,
      ecsq: {
        entropyWeight,
        iterations: result.iterations,
        converged: result.converged,
        entropyBits: result.entropyBits,
        kmeansEntropyBits: kmeans.entropyBits,
      },
    },
  };
}

/** The shared weights codebook[codes] as a new Float32Array (pruned weights read codebook[0] = 0). */
export function dequantize(quantized: QuantizedWeight): Float32Array {
  const { codebook, codes } = quantized;
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codebook[codes[i]!]!;
  return out;
}

/** Anything that maps a weight name to its pruning mask (a `MaskSet` from `@dcnpi/pruning` is one). */
export interface MaskLookup {
  get(name: string): Uint8Array | undefined;
}

export type SettingsByName = ReadonlyMap<string, QuantizeSettings> | Readonly<Record<string, QuantizeSettings>>;

/**
 * Quantizes several weights of a map, each with its own settings (bits per layer), each on its own
 * survivors when `masks` has a mask for it. The rng is forked per weight name, so adding or removing
 * a layer does not change the others' codebooks.
 */
export function quantizeWeightMap(
  weights: WeightMap,
  settings: SettingsByName,
  options: { masks?: MaskLookup; rng?: Rng } = {},
): Map<string, QuantizeResult> {
  const entries = settings instanceof Map ? [...settings.entries()] : Object.entries(settings as Record<string, QuantizeSettings>);
  const order = new Map(weights.names().map((n, i) => [n, i]));
  entries.sort((a, b) => (order.get(a[0]) ?? -1) - (order.get(b[0]) ?? -1));
  const out = new Map<string, QuantizeResult>();
  for (const [name, setting] of entries) {
    if (!weights.has(name))
      throw new QuantizationError("UNKNOWN_WEIGHT", `quantizeWeightMap: no weight "${name}" (has: ${weights.names().join(", ")})`);
    const rng = options.rng?.fork(`quantize:${name}`);
    out.set(
      name,
      quantizeWeights(weights.get(name), { ...setting, name, mask: options.masks?.get(name), ...(rng === undefined ? {} : { rng }) }),
    );
  }
  return out;
}

/**
 * DC Eq. 1: the compression rate of weight sharing alone, r = n b / (n log2 k + k b), for n weights
 * of b bits (32) shared through k = 2^bits centroids.
 */
export function weightSharingRate(count: number, bits: number, weightBits = 32): number {
  const k = 2 ** bits;
  return (count * weightBits) / (count * bits + k * weightBits);
}
