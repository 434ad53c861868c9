import { Rng } from "@dcnpi/tensor";
import type { LayerInput } from "../src/layer-codec.js";

/**
 * A pruned, quantized layer like the pipeline produces: Laplacian weights, the smallest pruned
 * away to `density`, the rest mapped to the nearest of 2^bits - 1 linear centroids (code 0 is 0.0).
 */
export function makeSparseLayer(
  rng: Rng,
  name: string,
  shape: readonly number[],
  options: { density: number; weightBits: number; indexBits: number; huffman?: { weights?: boolean; indices?: boolean } },
): LayerInput {
  const n = shape.reduce((a, b) => a * b, 1);
  const weights = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.float() - 0.5;
    weights[i] = -Math.sign(u) * Math.log(1 - 2 * Math.abs(u) + 1e-12) * 0.05;
  }
  const sorted = Float32Array.from(weights, Math.abs).sort();
  const threshold = n === 0 ? 0 : sorted[Math.min(n - 1, Math.floor(n * (1 - options.density)))]!;
  const centroids = 2 ** options.weightBits - 1;
  const lo = -0.3;
  const hi = 0.3;
  const codebook = new Float32Array(centroids + 1);
  for (let c = 1; c <= centroids; c++) codebook[c] = centroids === 1 ? hi : lo + ((hi - lo) * (c - 1)) / (centroids - 1);
  const codes = options.weightBits <= 8 ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (Math.abs(w) < threshold || (options.density < 1 && Math.abs(w) === threshold && threshold === 0)) continue;
    const c = centroids === 1 ? 1 : 1 + Math.round(((Math.min(hi, Math.max(lo, w)) - lo) / (hi - lo)) * (centroids - 1));
    codes[i] = c;
  }
  return {
    name,
    shape,
    codes,
    codebook,
    weightBits: options.weightBits,
    indexBits: options.indexBits,
    ...(options.huffman ? { huffman: options.huffman } : {}),
  };
}

/** A quantized, unpruned layer: every weight a code, codebook with no reserved zero. */
export function makeQuantizedLayer(rng: Rng, name: string, shape: readonly number[], weightBits: number): LayerInput {
  const n = shape.reduce((a, b) => a * b, 1);
  const size = 2 ** weightBits;
  const codebook = new Float32Array(size);
  for (let c = 0; c < size; c++) codebook[c] = rng.normal(0, 0.1);
  const codes = new Uint16Array(n);
  for (let i = 0; i < n; i++) codes[i] = Math.min(size - 1, Math.floor(Math.abs(rng.normal(0, size / 4))));
  return { name, shape, codes, codebook, weightBits };
}

/** Naive dense y = W x over a row-major [rows, cols] matrix, in float64. */
export function denseMatVec(w: Float32Array, rows: number, cols: number, x: Float32Array): Float64Array {
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c]! * x[c]!;
    y[r] = s;
  }
  return y;
}
