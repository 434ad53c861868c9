import type { Rng } from "@dcnpi/tensor";

/** How the k-means centroids start (DC §3.2); `linear` is the paper's winner and the default. */
export type CentroidInit = "linear" | "density" | "random" | "kmeans++";

export const CENTROID_INITS: readonly CentroidInit[] = ["linear", "density", "random", "kmeans++"];

/**
 * Initial centroids for `k` clusters of the ascending `sorted` values (length m > k >= 1), ascending.
 *
 * - linear: k points evenly spaced between the smallest and the largest value.
 * - density: the empirical quantiles at y = (j + 0.5) / k, i.e. even spacing on the CDF's y axis
 *   mapped back through the CDF (linear interpolation between order statistics). The half-step
 *   offset gives each centroid the middle of an equal-mass slice; the paper does not say whether the
 *   ends y = 0 and y = 1 are included.
 * - random: Forgy, k distinct values drawn from the weights themselves with `rng` (not TF-MOT's
 *   uniform-between-min-and-max "random").
 * - kmeans++: Arthur and Vassilvitskii's D^2 sampling with `rng`.
 */
export function initialCentroids(sorted: Float32Array, k: number, init: CentroidInit, rng: Rng | undefined): Float64Array {
  const m = sorted.length;
  const out = new Float64Array(k);
  switch (init) {
    case "linear": {
      const low = sorted[0]!;
      const high = sorted[m - 1]!;
      if (k === 1) out[0] = (low + high) / 2;
      else for (let j = 0; j < k; j++) out[j] = low + ((high - low) * j) / (k - 1);
      return out;
    }
    case "density": {
      for (let j = 0; j < k; j++) {
        const position = ((j + 0.5) / k) * (m - 1);
        const lo = Math.floor(position);
        const hi = Math.min(lo + 1, m - 1);
        out[j] = sorted[lo]! + (position - lo) * (sorted[hi]! - sorted[lo]!);
      }
      return out;
    }
    case "random": {
      const picked = rng!.sampleIndices(m, k);
      for (let j = 0; j < k; j++) out[j] = sorted[picked[j]!]!;
      return out.sort();
    }
    case "kmeans++":
      return kmeansPlusPlus(sorted, k, rng!);
  }
}

const BLOCK = 1024;

/**
 * k-means++ on sorted 1-D data in about O(m + k (m / BLOCK + BLOCK) + m): the squared distance to
 * the nearest chosen centre only changes on the contiguous run of points around a new centre (the
 * data are sorted), and sampling walks per-block sums before walking one block.
 */
function kmeansPlusPlus(sorted: Float32Array, k: number, rng: Rng): Float64Array {
  const m = sorted.length;
  const d2 = new Float64Array(m);
  const blocks = new Float64Array(Math.ceil(m / BLOCK));
  const centres = new Float64Array(k);
  const first = sorted[rng.int(m)]!;
  centres[0] = first;
  for (let i = 0; i < m; i++) d2[i] = (sorted[i]! - first) ** 2;
  for (let b = 0; b < blocks.length; b++) blocks[b] = sumBlock(d2, b);
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let b = 0; b < blocks.length; b++) total += blocks[b]!;
    let index: number;
    if (total <= 0) {
      index = rng.int(m); // every point already sits on a centre
    } else {
      let r = rng.float() * total;
      let b = 0;
      while (b < blocks.length - 1 && r >= blocks[b]!) r -= blocks[b++]!;
      index = b * BLOCK;
      const end = Math.min(m, index + BLOCK);
      while (index < end - 1 && r >= d2[index]!) r -= d2[index++]!;
    }
    const c = sorted[index]!;
    centres[j] = c;
    // Update the run around `index` where the new centre is nearer, and the sums of its blocks.
    let lo = index;
    while (lo > 0 && (sorted[lo - 1]! - c) ** 2 < d2[lo - 1]!) lo--;
    let hi = index;
    while (hi < m - 1 && (sorted[hi + 1]! - c) ** 2 < d2[hi + 1]!) hi++;
    for (let i = lo; i <= hi; i++) d2[i] = Math.min(d2[i]!, (sorted[i]! - c) ** 2);
    for (let b = Math.floor(lo / BLOCK); b <= Math.floor(hi / BLOCK); b++) blocks[b] = sumBlock(d2, b);
  }
  return centres.sort();
}

function sumBlock(d2: Float64Array, b: number): number {
  let s = 0;
  const end = Math.min(d2.length, (b + 1) * BLOCK);
  for (let i = b * BLOCK; i < end; i++) s += d2[i]!;
  return s;
}
