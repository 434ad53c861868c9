/**
 * Exact Lloyd iterations for 1-D k-means on sorted data.
 *
 * With the data sorted and the centroids sorted, every cluster is a contiguous run of the data
 * between the midpoints of neighbouring centroids. The assignment step is therefore k - 1 binary
 * searches and the update step k range means from prefix sums, so one iteration costs O(k log m)
 * instead of O(m k): iterating to exact convergence is free once the data are sorted.
 */

/** What to do with a centroid whose cluster is empty after an assignment step. */
export type EmptyClusterPolicy = "keep" | "split";

export interface LloydResult {
  /** Ascending centroids. */
  readonly centroids: Float64Array;
  readonly iterations: number;
  /** True when an iteration changed no assignment (a fixed point of Lloyd's algorithm). */
  readonly converged: boolean;
  /** Clusters with no member at the end. */
  readonly emptyClusters: number;
}

/** Index of the first value > `x` (values ascending). */
export function upperBound(sorted: Float32Array, x: number, from = 0, to = sorted.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface PrefixSums {
  readonly sum: Float64Array;
  readonly squares: Float64Array;
}

export function prefixSums(sorted: Float32Array): PrefixSums {
  const m = sorted.length;
  const sum = new Float64Array(m + 1);
  const squares = new Float64Array(m + 1);
  let s = 0;
  let q = 0;
  for (let i = 0; i < m; i++) {
    const v = sorted[i]!;
    s += v;
    q += v * v;
    sum[i + 1] = s;
    squares[i + 1] = q;
  }
  return { sum, squares };
}

/**
 * Runs Lloyd's algorithm from `initial` (any order) on the ascending `sorted` values until no
 * assignment changes or `maxIterations` assignment steps have run. A value exactly on the midpoint
 * of two centroids belongs to the lower one.
 *
 * Empty clusters: `keep` leaves the centroid where it was (plain Lloyd; the code stays in the
 * codebook unused unless a later step gives it members); `split` moves it onto the member farthest
 * from its centroid in the cluster with the largest squared error, which strictly lowers the error,
 * then carries on (as scikit-learn relocates empty clusters). A cluster is only split if its squared
 * error is positive, so data with fewer distinct values than k still converge.
 */
export function lloyd1d(
  sorted: Float32Array,
  initial: Float64Array,
  options: { maxIterations: number; emptyClusters: EmptyClusterPolicy; sums?: PrefixSums },
): LloydResult {
  const m = sorted.length;
  const k = initial.length;
  const centroids = Float64Array.from(initial).sort();
  const { sum, squares } = options.sums ?? prefixSums(sorted);
  let bounds = new Int32Array(k + 1);
  let previous = new Int32Array(k + 1).fill(-1);
  let iterations = 0;
  let converged = false;
  while (iterations < options.maxIterations) {
    iterations++;
    bounds[0] = 0;
    bounds[k] = m;
    for (let j = 1; j < k; j++) {
      bounds[j] = upperBound(sorted, (centroids[j - 1]! + centroids[j]!) / 2, bounds[j - 1]!, m);
    }
    let same = true;
    for (let j = 0; j <= k; j++) {
      if (bounds[j] !== previous[j]) {
        same = false;
        break;
      }
    }
    if (same) {
      converged = true;
      break;
    }
    let split = false;
    const sse = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      const start = bounds[j]!;
      const end = bounds[j + 1]!;
      if (end > start) {
        const count = end - start;
        const s = sum[end]! - sum[start]!;
        centroids[j] = s / count;
        sse[j] = squares[end]! - squares[start]! - (s * s) / count;
      }
    }
    if (options.emptyClusters === "split") {
      for (let j = 0; j < k; j++) {
        if (bounds[j + 1]! > bounds[j]!) continue;
        let worst = -1;
        for (let c = 0; c < k; c++) if (bounds[c + 1]! - bounds[c]! >= 2 && sse[c]! > 0 && (worst < 0 || sse[c]! > sse[worst]!)) worst = c;
        if (worst < 0) break;
        const start = bounds[worst]!;
        const end = bounds[worst + 1]!;
        const mean = centroids[worst]!;
        const low = sorted[start]!;
        const high = sorted[end - 1]!;
        centroids[j] = mean - low > high - mean ? low : high;
        sse[worst] = 0; // split each cluster at most once per step
        split = true;
      }
    }
    centroids.sort();
    const swap = previous;
    previous = bounds;
    bounds = swap;
    if (split) previous.fill(-1); // a relocation is a change even if the bounds repeat
  }
  let emptyClusters = 0;
  let runStart = 0;
  for (let j = 0; j < k; j++) {
    const runEnd = j === k - 1 ? m : upperBound(sorted, (centroids[j]! + centroids[j + 1]!) / 2, runStart, m);
    if (runEnd === runStart) emptyClusters++;
    runStart = runEnd;
  }
  return { centroids, iterations, converged, emptyClusters };
}
