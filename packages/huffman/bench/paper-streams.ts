import { Rng } from "@dcnpi/tensor";

/**
 * Symbol streams shaped like Deep Compression's fc layers (§4, Figure 5): a Laplacian weight matrix
 * pruned by magnitude to `density`, quantized to 2^bits codes (code 0 is the exact zero used by
 * filler entries; codes 1..2^bits-1 are linearly spaced centroids between the kept min and max),
 * and the relative-index gaps (stored as gap - 1 in `indexBits` bits, filler when a gap exceeds
 * 2^indexBits). Built here rather than with @dcnpi/sparse-format because huffman depends on nothing.
 */
export interface PaperStreams {
  readonly weightCodes: Uint8Array;
  readonly indexGaps: Uint8Array;
  readonly nonzeros: number;
  readonly fillers: number;
}

export function makePaperStreams(rows: number, cols: number, density: number, bits: number, indexBits: number, seed: string): PaperStreams {
  const rng = Rng.fromSeed(seed);
  const n = rows * cols;
  const weights = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.float() - 0.5; // Laplace(0, 1) by inverse CDF
    weights[i] = -Math.sign(u) * Math.log(1 - 2 * Math.abs(u)) * 0.01;
  }
  const magnitudes = Float32Array.from(weights, Math.abs).sort();
  const threshold = magnitudes[Math.floor(n * (1 - density))]!;
  let lo = Infinity;
  let hi = -Infinity;
  for (const w of weights) {
    if (Math.abs(w) >= threshold) {
      lo = Math.min(lo, w);
      hi = Math.max(hi, w);
    }
  }
  const centroids = (1 << bits) - 1;
  const step = (hi - lo) / (centroids - 1);
  const codes: number[] = [];
  const gaps: number[] = [];
  const maxGap = 1 << indexBits;
  let previous = -1;
  let nonzeros = 0;
  let fillers = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (Math.abs(w) < threshold) continue;
    while (i - previous > maxGap) {
      previous += maxGap;
      codes.push(0);
      gaps.push(maxGap - 1);
      fillers++;
    }
    gaps.push(i - previous - 1);
    codes.push(1 + Math.round((w - lo) / step));
    previous = i;
    nonzeros++;
  }
  return { weightCodes: Uint8Array.from(codes), indexGaps: Uint8Array.from(gaps), nonzeros, fillers };
}
