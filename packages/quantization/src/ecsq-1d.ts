/**
 * Entropy-constrained scalar quantization (ECSQ) of 1-D data: Choi, El-Khamy, Lee, "Towards the Limit
 * of Network Quantization", ICLR 2017 (arXiv 1612.01543), §4.2, their iterative solution after Chou,
 * Lookabaugh and Gray (1989). It minimises distortion + λ · rate instead of distortion alone:
 *
 *   cost(w, j) = (w - c_j)^2 + λ · (-log2 p_j)
 *
 * where p_j is the fraction of values in cluster j. Each step assigns every value to its cheapest
 * cluster, then moves each centroid to the mean of its members and sets p_j to its share. A rarely
 * used cluster gets expensive and loses its members to its neighbours, so the codes' entropy (what a
 * Huffman or arithmetic coder pays per weight) drops at a small cost in squared error. λ = 0 is
 * Lloyd's k-means.
 *
 * O(m · k) per step (every value against every cluster): the rate term makes the cheapest cluster of
 * a value depend on every p_j, and the weights this runs on are at most a few hundred thousand
 * survivors of 2^bits ≤ 256 clusters here.
 */

export interface EcsqResult {
  /** Centroid of every cluster, in the order of `initial`; an emptied cluster keeps its last centroid. */
  readonly centroids: Float64Array;
  /** Cluster of each value of `values`. */
  readonly assignment: Uint16Array;
  /** Members per cluster. */
  readonly counts: Float64Array;
  readonly iterations: number;
  /** True when a step changed no assignment. */
  readonly converged: boolean;
  /** Empirical entropy of `assignment`, bits per value (the rate an ideal coder reaches). */
  readonly entropyBits: number;
  /** Sum of (value - centroid)^2 over all values. */
  readonly squaredError: number;
}

/** Entropy in bits per symbol of a histogram. */
export function histogramEntropyBits(counts: ArrayLike<number>): number {
  let total = 0;
  for (let j = 0; j < counts.length; j++) total += counts[j]!;
  if (total === 0) return 0;
  let bits = 0;
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j]!;
    if (c > 0) bits -= (c / total) * Math.log2(c / total);
  }
  return bits;
}

/**
 * ECSQ iterations from the centroids `initial` (k ≤ 65536) on `values`, with the rate weighted by
 * `lambda` (in units of squared value: the caller scales it, e.g. by the values' variance). Stops at a
 * fixed point or after `maxIterations` assignment steps. Deterministic: ties go to the lower cluster.
 */
export function ecsq1d(values: Float32Array, initial: Float64Array, options: { lambda: number; maxIterations: number }): EcsqResult {
  const m = values.length;
  const k = initial.length;
  const { lambda, maxIterations } = options;
  const centroids = Float64Array.from(initial);
  const assignment = new Uint16Array(m);
  // Start from the nearest centroid (rate ignored), so λ = 0 is exactly Lloyd's algorithm.
  for (let i = 0; i < m; i++) assignment[i] = nearest(values[i]!, centroids);
  let counts = countClusters(assignment, k);
  const sums = new Float64Array(k);
  const rate = new Float64Array(k);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    // Update: centroids to their members' means, rates from the shares (an empty cluster is never chosen again).
    sums.fill(0);
    for (let i = 0; i < m; i++) sums[assignment[i]!]! += values[i]!;
    for (let j = 0; j < k; j++) {
      const c = counts[j]!;
      if (c > 0) centroids[j] = sums[j]! / c;
      rate[j] = c > 0 ? -Math.log2(c / m) * lambda : Number.POSITIVE_INFINITY;
    }
    // Assign: the cheapest cluster of every value.
    let changed = 0;
    for (let i = 0; i < m; i++) {
      const v = values[i]!;
      let best = 0;
      let bestCost = Number.POSITIVE_INFINITY;
      for (let j = 0; j < k; j++) {
        const d = v - centroids[j]!;
        const cost = d * d + rate[j]!;
        if (cost < bestCost) {
          bestCost = cost;
          best = j;
        }
      }
      if (assignment[i] !== best) {
        assignment[i] = best;
        changed++;
      }
    }
    counts = countClusters(assignment, k);
    if (changed === 0) {
      converged = true;
      break;
    }
  }
  // Final centroids are the means of the final members (a fixed point already has them).
  sums.fill(0);
  for (let i = 0; i < m; i++) sums[assignment[i]!]! += values[i]!;
  for (let j = 0; j < k; j++) if (counts[j]! > 0) centroids[j] = sums[j]! / counts[j]!;
  let squaredError = 0;
  for (let i = 0; i < m; i++) squaredError += (values[i]! - centroids[assignment[i]!]!) ** 2;
  return { centroids, assignment, counts, iterations, converged, entropyBits: histogramEntropyBits(counts), squaredError };
}

function nearest(v: number, centroids: Float64Array): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let j = 0; j < centroids.length; j++) {
    const d = Math.abs(v - centroids[j]!);
    if (d < bestDistance) {
      bestDistance = d;
      best = j;
    }
  }
  return best;
}

function countClusters(assignment: Uint16Array, k: number): Float64Array {
  const counts = new Float64Array(k);
  for (let i = 0; i < assignment.length; i++) counts[assignment[i]!]!++;
  return counts;
}
