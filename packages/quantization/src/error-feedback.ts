/**
 * Choosing each weight's code with error feedback, from the layer's inputs (beyond the paper).
 *
 * Deep Compression gives every weight its nearest centroid and then retrains the centroids (§3.1-3.2).
 * A graph model, or a user without a training loop, gets no retraining, and nearest-centroid rounding
 * then leaves errors that add up through the layer's outputs. GPTQ (Frantar, Ashkboos, Hoefler,
 * Alistarh, ICLR 2023, arXiv 2210.17323; after Optimal Brain Quantization, Frantar & Alistarh,
 * NeurIPS 2022) keeps the outputs instead: the input features are taken one at a time, each weight
 * of that feature's row gets the nearest centroid, and its rounding error is spread over the
 * not-yet-coded weights of the same output in proportion to how the inputs correlate
 * (H = Σ x xᵀ over real inputs). The codebook is the paper's k-means codebook, unchanged; only which
 * code each weight gets differs, so the file format and every decoder are unchanged.
 *
 * A weight of `length` elements is read as [size, length / size]: one row per input feature, the
 * outputs contiguous. That is tfjs's layout for Dense kernels [in, out], 1x1 convolutions
 * [1, 1, in, out] and (with H over kh·kw·in patch features) any Conv2D kernel [kh, kw, in, out].
 */
import { QuantizationError } from "./errors.js";
import { nearestIndex } from "./nearest-code.js";

/** Σ x xᵀ over a layer's input features x (from real inputs), row-major, float64. */
export interface InputCovariance {
  /** Input features per sample: the weight's first dimensions multiplied (its rows). */
  readonly size: number;
  /** size × size. */
  readonly matrix: Float64Array;
}

/** What error feedback needs of one layer's covariance, computed once and reused for every bit width tried. */
export interface FeedbackFactor {
  readonly size: number;
  /** Upper Cholesky factor U of (H + λI)⁻¹ = UᵀU, row-major. */
  readonly upper: Float64Array;
  /** λ / mean(diag H) that made the factorisation succeed. */
  readonly damping: number;
}

/**
 * Lower Cholesky factor of `a` (size × size) as a new array, or undefined if a pivot is not
 * positive (the matrix is not positive definite at this damping).
 */
function cholesky(a: Float64Array, size: number): Float64Array | undefined {
  const l = new Float64Array(size * size);
  for (let j = 0; j < size; j++) {
    const rowJ = j * size;
    let pivot = a[rowJ + j]!;
    for (let k = 0; k < j; k++) pivot -= l[rowJ + k]! * l[rowJ + k]!;
    if (!(pivot > 0)) return undefined;
    const d = Math.sqrt(pivot);
    l[rowJ + j] = d;
    for (let i = j + 1; i < size; i++) {
      const rowI = i * size;
      let s = a[rowI + j]!;
      for (let k = 0; k < j; k++) s -= l[rowI + k]! * l[rowJ + k]!;
      l[rowI + j] = s / d;
    }
  }
  return l;
}

/** (L Lᵀ)⁻¹ from the lower factor L: L⁻¹ by forward substitution, then L⁻ᵀ L⁻¹ (symmetric). */
function inverseFromCholesky(l: Float64Array, size: number): Float64Array {
  const li = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    li[i * size + i] = 1 / l[i * size + i]!;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l[i * size + k]! * li[k * size + j]!;
      li[i * size + j] = -s / l[i * size + i]!;
    }
  }
  const inverse = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = i; j < size; j++) {
      let s = 0;
      for (let k = j; k < size; k++) s += li[k * size + i]! * li[k * size + j]!;
      inverse[i * size + j] = s;
      inverse[j * size + i] = s;
    }
  }
  return inverse;
}

/**
 * The factor error feedback uses for a layer: U with (H + λI)⁻¹ = UᵀU, λ = `damping` · mean(diag H)
 * (GPTQ's 1%); a feature no input ever used (H_jj = 0) gets H_jj = mean(diag H), so its weights
 * are simply rounded (its row and column are zero: nothing is spread from or to it). When H + λI is
 * not positive definite in float64 the damping is raised tenfold, at most 4 times.
 */
export function feedbackFactor(covariance: InputCovariance, options: { damping?: number; name?: string } = {}): FeedbackFactor {
  const { size, matrix } = covariance;
  const name = options.name ?? "weight";
  if (!Number.isInteger(size) || size < 1 || matrix.length !== size * size)
    throw new QuantizationError(
      "SHAPE_MISMATCH",
      `${name}: an input covariance of size ${size} needs ${size}² entries, got ${matrix.length}`,
    );
  let mean = 0;
  for (let i = 0; i < size; i++) {
    const v = matrix[i * size + i]!;
    if (!Number.isFinite(v) || v < 0) throw new QuantizationError("INVALID_OPTION", `${name}: input covariance diagonal ${i} is ${v}`);
    mean += v;
  }
  mean = mean / size || 1;
  let damping = options.damping ?? 0.01;
  if (!(damping >= 0) || !Number.isFinite(damping))
    throw new QuantizationError("INVALID_OPTION", `${name}: damping must be ≥ 0, got ${damping}`);
  for (let attempt = 0; attempt < 5; attempt++, damping = Math.max(damping * 10, 1e-6)) {
    const h = matrix.slice();
    for (let i = 0; i < size; i++) {
      if (h[i * size + i] === 0) h[i * size + i] = mean;
      h[i * size + i]! += damping * mean;
    }
    const l = cholesky(h, size);
    if (l === undefined) continue;
    const lower = cholesky(inverseFromCholesky(l, size), size);
    if (lower === undefined) continue;
    // U = Lᵀ of the inverse's lower factor.
    const upper = new Float64Array(size * size);
    for (let i = 0; i < size; i++) for (let j = i; j < size; j++) upper[i * size + j] = lower[j * size + i]!;
    return { size, upper, damping };
  }
  throw new QuantizationError("INVALID_OPTION", `${name}: the input covariance is not positive definite even with damping ${damping / 10}`);
}

/**
 * Codes for `values` with error feedback (GPTQ's update, one feature row at a time, in order),
 * written into `codes`. `codebook[offset..]` ascending are the centroids, `mids` their midpoints;
 * with a `mask`, a pruned weight takes code 0 (codebook[0] = 0, `offset` 1) and its whole value is
 * the error spread onward. Returns Σ (w − codebook[code])² over the survivors against the original values.
 */
export function assignWithFeedback(
  values: Float32Array,
  codebook: Float32Array,
  mids: Float64Array,
  offset: number,
  mask: Uint8Array | undefined,
  factor: FeedbackFactor,
  codes: Uint8Array | Uint16Array,
): number {
  const { size, upper } = factor;
  const outputs = values.length / size;
  const work = Float64Array.from(values);
  const error = new Float64Array(outputs);
  let squaredError = 0;
  for (let row = 0; row < size; row++) {
    const base = row * outputs;
    const diagonal = upper[row * size + row]!;
    for (let r = 0; r < outputs; r++) {
      const i = base + r;
      const w = work[i]!;
      let code = 0;
      if (mask === undefined || mask[i] !== 0) {
        code = nearestIndex(mids, w) + offset;
        squaredError += (values[i]! - codebook[code]!) ** 2;
      }
      codes[i] = code;
      error[r] = (w - codebook[code]!) / diagonal;
    }
    // The rows after this one absorb its error: W[k, :] -= U[row, k] · error (contiguous over outputs).
    for (let k = row + 1; k < size; k++) {
      const u = upper[row * size + k]!;
      if (u === 0) continue;
      const kBase = k * outputs;
      for (let r = 0; r < outputs; r++) work[kBase + r]! -= u * error[r]!;
    }
  }
  return squaredError;
}
