import { SparseFormatError } from "./errors.js";

/**
 * Relative indexing with filler zeros (Deep Compression §2, Figure 2).
 *
 * Convention (the paper leaves it open; written down here and in FORMAT.md):
 * - Entries run over the tensor flattened in row-major order of its stored shape.
 * - Each entry stores `gap - 1`, where gap = position - previous position and the previous position
 *   starts at -1. So `b` index bits reach gaps 1..2^b, and a non-zero at position 0 stores 0.
 *   (Figure 2 counts its first difference from position 0, so it shows 1 where our first gap is 2.)
 * - When a gap exceeds 2^b, a filler entry is placed 2^b positions after the previous entry (it
 *   stores 2^b - 1) with weight code 0, the exact-zero centroid; repeat until the gap fits.
 * - After the last non-zero, `tailFillers` says what follows. `false`: nothing (the shape gives the
 *   length; files written before issue 16). `"expressible"` (format version 1 since issue 16): only
 *   as many fillers, every 2^b positions, as make the entries cover the shape, n ≤ (s + 1)·2^b, the
 *   rule readers enforce; a layer that already meets it gets none, so such files keep their bytes.
 *   `true` (format version 2): fillers until at most 2^b positions follow the last entry.
 */
export interface RelativeIndexEntries {
  /** Weight code per entry: the caller's code for real entries, 0 for fillers. */
  readonly codes: Uint16Array;
  /** `gap - 1` per entry, each in 0..2^indexBits - 1. */
  readonly gaps: Uint16Array;
  readonly nonzeroCount: number;
  readonly fillerCount: number;
}

function checkIndexBits(indexBits: number): void {
  if (!Number.isInteger(indexBits) || indexBits < 1 || indexBits > 16) {
    throw new SparseFormatError("INVALID_ARGUMENT", `index bits must be an integer in 1..16, got ${indexBits}`);
  }
}

/**
 * Turns a dense array of weight codes (0 = pruned) into relative-index entries with `indexBits`-bit
 * gaps and filler entries where a gap does not fit.
 */
export function encodeRelativeIndex(
  codes: ArrayLike<number>,
  indexBits: number,
  tailFillers: boolean | "expressible" = false,
): RelativeIndexEntries {
  checkIndexBits(indexBits);
  const maxGap = 2 ** indexBits;
  const n = codes.length;
  // Fillers after the last non-zero. Version 2: until position n - 1 is within one gap of the last
  // entry. "expressible": until (entries + 1)·2^b >= n; each filler lands at most at n - 1, since the
  // last entry sits at or before entries·2^b - 1 and n > (entries + 1)·2^b while one is needed.
  const tail = (last: number, entries: number) => {
    if (tailFillers === "expressible") return Math.max(0, Math.ceil(n / maxGap) - 1 - entries);
    return tailFillers && n - 1 - last > maxGap ? Math.ceil((n - 1 - last) / maxGap) - 1 : 0;
  };
  // Pass 1: count entries so the outputs are allocated once at their exact size.
  let nonzeroCount = 0;
  let fillerCount = 0;
  let previous = -1;
  for (let i = 0; i < n; i++) {
    if (codes[i] === 0) continue;
    fillerCount += Math.ceil((i - previous) / maxGap) - 1;
    nonzeroCount++;
    previous = i;
  }
  fillerCount += tail(previous, nonzeroCount + fillerCount);
  const entries = nonzeroCount + fillerCount;
  const outCodes = new Uint16Array(entries);
  const gaps = new Uint16Array(entries);
  let k = 0;
  previous = -1;
  for (let i = 0; i < n; i++) {
    const code = codes[i]!;
    if (code === 0) continue;
    while (i - previous > maxGap) {
      previous += maxGap;
      gaps[k] = maxGap - 1;
      outCodes[k++] = 0;
    }
    gaps[k] = i - previous - 1;
    outCodes[k++] = code;
    previous = i;
  }
  for (let t = entries - k; t > 0; t--) {
    gaps[k] = maxGap - 1;
    outCodes[k++] = 0;
  }
  return { codes: outCodes, gaps, nonzeroCount, fillerCount };
}

export interface SparsePositions {
  /** Positions (flattened, ascending) of the non-zero entries; fillers are dropped. */
  readonly positions: Int32Array;
  /** Weight code of each non-zero entry (never 0). */
  readonly codes: Uint16Array;
  readonly fillerCount: number;
}

/**
 * Walks relative-index entries back to absolute positions in a tensor of `length` elements.
 * Throws CORRUPT_STREAM if an entry lands past the end or the stream lengths disagree. Entries
 * with code 0 are fillers and are dropped (any gap is accepted for them, not only 2^b). With
 * `maxTail` (format version 2: 2^b) more than `maxTail` positions after the last entry are CORRUPT_STREAM.
 */
export function decodeRelativeIndex(
  codes: ArrayLike<number>,
  gaps: ArrayLike<number>,
  length: number,
  what = "relative index",
  maxTail = Number.POSITIVE_INFINITY,
): SparsePositions {
  if (codes.length !== gaps.length) {
    throw new SparseFormatError("CORRUPT_STREAM", `${what}: ${codes.length} weight codes but ${gaps.length} index gaps`);
  }
  const entries = codes.length;
  let nonzeroCount = 0;
  for (let k = 0; k < entries; k++) if (codes[k] !== 0) nonzeroCount++;
  const positions = new Int32Array(nonzeroCount);
  const outCodes = new Uint16Array(nonzeroCount);
  let position = -1;
  let j = 0;
  for (let k = 0; k < entries; k++) {
    position += gaps[k]! + 1;
    if (position >= length) {
      throw new SparseFormatError(
        "CORRUPT_STREAM",
        `${what}: entry ${k} lands at position ${position}, past the end of ${length} elements`,
      );
    }
    const code = codes[k]!;
    if (code !== 0) {
      positions[j] = position;
      outCodes[j++] = code;
    }
  }
  if (length - 1 - position > maxTail) {
    throw new SparseFormatError(
      "CORRUPT_STREAM",
      `${what}: ${length - 1 - position} positions follow the last entry, at most ${maxTail} may (version 2 stores no zero tail)`,
    );
  }
  return { positions, codes: outCodes, fillerCount: entries - nonzeroCount };
}
