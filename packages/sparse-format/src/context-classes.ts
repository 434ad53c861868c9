import type { ContextClasses } from "@dcnpi/arithmetic";

/*
 * The context classes of `"arithmetic-context"` streams (container version 2, FORMAT.md "Context-coded
 * streams"): part of the format, so a reader rebuilds them from what it has already decoded. Why these
 * (measured on the repro's LeNet-300-100, the README's "Context-coded streams"):
 * - a sparse layer's weight code is 0 (a filler) only where its gap is the largest one, 2^b_i, so
 *   "gap is the largest" (side class) tells the coder where code 0 can occur at all, which a plain
 *   stream pays for twice; and signs of neighbouring weights are correlated (previous class);
 * - gaps come in runs (runs of fillers across pruned-away inputs, dense runs where a unit is alive):
 *   the previous gap's bucket.
 */

/** Sign class of a centroid: 0 if it is zero, 1 if negative, 2 if positive. */
function signClass(value: number): number {
  return value === 0 ? 0 : value < 0 ? 1 : 2;
}

/** Class of each code as the previous one (2^weightBits entries; codes past the codebook: 0, never decoded). */
function signMap(codebook: Float32Array, weightBits: number): Uint8Array {
  const map = new Uint8Array(2 ** weightBits);
  for (let c = 0; c < codebook.length && c < map.length; c++) map[c] = signClass(codebook[c]!);
  return map;
}

/** Gap streams: previous class = bucket of the previous stored gap value v (v = gap − 1): max, 0–1, 2–7, else. */
export function gapStreamClasses(indexBits: number): ContextClasses {
  const maxValue = 2 ** indexBits - 1;
  const previousMap = new Uint8Array(maxValue + 1);
  for (let v = 0; v <= maxValue; v++) previousMap[v] = v === maxValue ? 3 : v <= 1 ? 0 : v <= 7 ? 1 : 2;
  return { sideClasses: 1, previousClasses: 4, previousMap };
}

/**
 * Weight-code streams. Sparse layers (`gaps` given, the layer's decoded gap stream): side class 1 where
 * the entry's stored gap is 2^indexBits − 1 (the largest), else 0; previous class the sign class of the
 * previous entry's centroid. Quantized layers: the previous sign class only.
 */
export function weightStreamClasses(codebook: Float32Array, weightBits: number, gaps?: Uint16Array, indexBits?: number): ContextClasses {
  const previousMap = signMap(codebook, weightBits);
  if (gaps === undefined || indexBits === undefined) return { sideClasses: 1, previousClasses: 3, previousMap };
  const maxValue = 2 ** indexBits - 1;
  const side = new Uint8Array(gaps.length);
  for (let k = 0; k < gaps.length; k++) side[k] = gaps[k] === maxValue ? 1 : 0;
  return { sideClasses: 2, side, previousClasses: 3, previousMap };
}
