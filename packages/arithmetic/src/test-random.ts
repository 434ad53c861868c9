// Test-only helpers: a seeded generator (mulberry32) and stream shapes like Deep Compression's.
// Not exported from index.ts.

export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** k-means-like codes: a discretised Laplacian around `center` with scale `spread`, clipped to the alphabet. */
export function laplacianCodes(random: () => number, count: number, alphabetSize: number, center: number, spread: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const u = random() - 0.5;
    const x = -Math.sign(u) * Math.log(1 - 2 * Math.abs(u)) * spread;
    out[i] = Math.max(0, Math.min(alphabetSize - 1, Math.round(center + x)));
  }
  return out;
}

/** Geometric gaps (probability `p` of stopping), capped at `max`. */
export function geometricGaps(random: () => number, count: number, p: number, max: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.min(max, Math.floor(Math.log(1 - random()) / Math.log(1 - p)));
  return out;
}
