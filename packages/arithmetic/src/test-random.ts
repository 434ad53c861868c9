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

/**
 * A sparse layer's two streams as `@dcnpi/sparse-format` builds them (relative indices with fillers,
 * `indexBits`-bit gaps): a rows × cols matrix with `density` non-zeros, a fifth of the rows all zero
 * (dead inputs: runs of fillers), codes 1..codeCount-1 (code 0 is the filler). `side` is 1 where the
 * gap is the largest one (the only entries whose code may be 0).
 */
export function sparseStreams(
  random: () => number,
  rows: number,
  cols: number,
  density: number,
  codeCount: number,
  indexBits: number,
): { codes: Uint8Array; gaps: Uint8Array; side: Uint8Array } {
  const maxGap = 2 ** indexBits;
  const codes: number[] = [];
  const gaps: number[] = [];
  let previous = -1;
  for (let r = 0; r < rows; r++) {
    if (random() < 0.2) continue;
    for (let c = 0; c < cols; c++) {
      if (random() >= density) continue;
      const i = r * cols + c;
      while (i - previous > maxGap) {
        previous += maxGap;
        gaps.push(maxGap - 1);
        codes.push(0);
      }
      gaps.push(i - previous - 1);
      // Clustered signs: the lower half of the codes in even rows, the upper half in odd ones, mostly.
      const half = (r % 2 === 0) === random() < 0.8 ? 0 : 1;
      codes.push(1 + half * ((codeCount - 1) >> 1) + Math.floor(random() * ((codeCount - 1) >> 1)));
      previous = i;
    }
  }
  const side = Uint8Array.from(gaps, (g) => (g === maxGap - 1 ? 1 : 0));
  return { codes: Uint8Array.from(codes), gaps: Uint8Array.from(gaps), side };
}
