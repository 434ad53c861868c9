/** Nearest-centroid lookup over an ascending codebook, shared by plain and error-feedback code assignment. */

/** Midpoints between consecutive float32 centroids from index `from` on, in float64. */
export function midpoints(centroids: Float32Array, from: number): Float64Array {
  const mids = new Float64Array(Math.max(0, centroids.length - from - 1));
  for (let j = 0; j < mids.length; j++) mids[j] = (centroids[from + j]! + centroids[from + j + 1]!) / 2;
  return mids;
}

/** Index (from the first centroid) of the centroid nearest `v`: a binary search; a value on a midpoint takes the lower one. */
export function nearestIndex(mids: Float64Array, v: number): number {
  let lo = 0;
  let hi = mids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v > mids[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
