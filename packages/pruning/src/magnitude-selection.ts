import { PruningError } from "./errors.js";

/**
 * Selection of the k smallest magnitudes without sorting.
 *
 * For a float32 the bit pattern with the sign bit cleared is a non-negative integer that orders
 * exactly like |w| (IEEE 754), so the k-th smallest magnitude is found with two counting passes: a
 * histogram of the top 16 bits finds the bucket holding rank k, a histogram of the low 16 bits of
 * that bucket's members finds the exact value. That is O(n) with two 65536-entry tables, about as
 * fast as reading the data, and it is exact (no sampling, no float comparisons).
 */

/** One array of weights taking part in a selection, with its current mask (1 = still kept). */
export interface SelectionSegment {
  readonly name: string;
  readonly values: Float32Array;
  readonly mask?: Uint8Array | undefined;
}

/** Where the cut falls: prune every eligible weight with magnitude bits < `boundaryBits`, plus the first `tiesToPrune` with bits equal to it. */
export interface SelectionCut {
  readonly boundaryBits: number;
  readonly tiesToPrune: number;
}

const MAGNITUDE = 0x7fffffff;
const INFINITY_BITS = 0x7f800000;

export function bitsOf(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** The float32 magnitude whose bit pattern is `bits`. */
export function magnitudeOfBits(bits: number): number {
  const word = new Uint32Array([bits >>> 0]);
  return new Float32Array(word.buffer)[0]!;
}

function nonFinite(segment: SelectionSegment, index: number): PruningError {
  return new PruningError("NON_FINITE_WEIGHT", `${segment.name}: weight ${index} is ${segment.values[index]}; masks need finite weights`);
}

/** Number of eligible (mask 1 or no mask) weights, checking that none is NaN. */
export function countEligible(segment: SelectionSegment): number {
  const bits = bitsOf(segment.values);
  const { mask } = segment;
  let eligible = 0;
  for (let i = 0; i < bits.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    if ((bits[i]! & MAGNITUDE) > INFINITY_BITS) throw nonFinite(segment, i);
    eligible++;
  }
  return eligible;
}

/**
 * Finds the cut that prunes exactly `k` of the eligible weights of `segments`, the smallest
 * magnitudes first. Ties at the boundary are broken by position: segments in order, then index
 * ascending (the earlier weight is pruned first), so the result never depends on anything but the data.
 */
export function selectSmallest(segments: readonly SelectionSegment[], k: number): SelectionCut {
  if (k <= 0) return { boundaryBits: 0, tiesToPrune: 0 };
  const high = new Float64Array(65536);
  for (const segment of segments) {
    const bits = bitsOf(segment.values);
    const { mask } = segment;
    if (mask === undefined) {
      for (let i = 0; i < bits.length; i++) {
        const b = bits[i]! & MAGNITUDE;
        if (b > INFINITY_BITS) throw nonFinite(segment, i);
        high[b >>> 16] = high[b >>> 16]! + 1;
      }
    } else {
      for (let i = 0; i < bits.length; i++) {
        if (mask[i] === 0) continue;
        const b = bits[i]! & MAGNITUDE;
        if (b > INFINITY_BITS) throw nonFinite(segment, i);
        high[b >>> 16] = high[b >>> 16]! + 1;
      }
    }
  }
  // rank is 0-based: the k-th smallest has k - 1 eligible weights before it.
  const rank = k - 1;
  let below = 0;
  let bucket = 0;
  while (bucket < 65536 && below + high[bucket]! <= rank) below += high[bucket++]!;
  if (bucket === 65536) throw new RangeError(`selectSmallest: asked for ${k} weights, fewer are eligible`);

  const low = new Float64Array(65536);
  for (const segment of segments) {
    const bits = bitsOf(segment.values);
    const { mask } = segment;
    for (let i = 0; i < bits.length; i++) {
      if (mask !== undefined && mask[i] === 0) continue;
      const b = bits[i]! & MAGNITUDE;
      if (b >>> 16 === bucket) low[b & 0xffff] = low[b & 0xffff]! + 1;
    }
  }
  let lowIndex = 0;
  while (below + low[lowIndex]! <= rank) below += low[lowIndex++]!;
  return { boundaryBits: ((bucket << 16) | lowIndex) >>> 0, tiesToPrune: k - below };
}

/**
 * Writes the mask of one segment for `cut` into `out` (1 = kept) and returns how many ties at the
 * boundary it consumed. Weights already masked stay masked.
 */
export function writeMask(segment: SelectionSegment, cut: SelectionCut, tiesLeft: number, out: Uint8Array): number {
  const bits = bitsOf(segment.values);
  const { mask } = segment;
  const boundary = cut.boundaryBits;
  let ties = tiesLeft;
  for (let i = 0; i < bits.length; i++) {
    if (mask !== undefined && mask[i] === 0) {
      out[i] = 0;
      continue;
    }
    const b = bits[i]! & MAGNITUDE;
    if (b < boundary) out[i] = 0;
    else if (b === boundary && ties > 0) {
      out[i] = 0;
      ties--;
    } else out[i] = 1;
  }
  return ties;
}
