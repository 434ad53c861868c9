/**
 * Drawing an index with probability proportional to a weight, in O(log n) per draw: build the running
 * sums once, then binary-search a uniform number scaled to the total. The NPI trainer's curriculum and
 * the compressed-NPI retraining sampler both draw programs, lengths and invocations this way.
 */

/** Running sums of `weights` (non-negative): `out[i] = weights[0] + … + weights[i]`. */
export function cumulativeSums(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w;
    out[i] = acc;
  });
  return out;
}

/**
 * The index `i` whose interval `[cumulative[i-1], cumulative[i])` holds `u × total`, for `u` in [0, 1)
 * (e.g. `rng.float()`): index `i` comes out with probability `weights[i] / total`.
 */
export function indexAtFraction(cumulative: Float64Array, u: number): number {
  const target = u * cumulative[cumulative.length - 1]!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
