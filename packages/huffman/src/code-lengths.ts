import { HuffmanError } from "./errors.js";

/** Largest alphabet a code can cover: symbols 0..65535 (16-bit weight codes, index gaps). */
export const MAX_ALPHABET_SIZE = 65_536;
/** Longest codeword allowed; bounds the decode table (see `buildDecodeTable`). */
export const MAX_CODE_LENGTH = 16;

export interface CodeLengthOptions {
  /** Longest codeword, 1..16 (default 16). Must leave room for every used symbol: 2^max >= used. */
  readonly maxCodeLength?: number;
}

/** How often each symbol 0..alphabetSize-1 occurs in `symbols`; checks every symbol is in range. */
export function countFrequencies(symbols: ArrayLike<number>, alphabetSize: number): Uint32Array {
  if (!Number.isInteger(alphabetSize) || alphabetSize < 0 || alphabetSize > MAX_ALPHABET_SIZE) {
    throw new HuffmanError("INVALID_ARGUMENT", `alphabet size must be an integer in 0..${MAX_ALPHABET_SIZE}, got ${alphabetSize}`);
  }
  const counts = new Uint32Array(alphabetSize);
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    if (!(s >= 0 && s < alphabetSize) || s !== Math.floor(s)) {
      throw new HuffmanError("INVALID_ARGUMENT", `symbol ${i} is ${s}, outside 0..${alphabetSize - 1}`);
    }
    counts[s]!++;
  }
  return counts;
}

/**
 * Optimal code lengths under a length limit, by package-merge (Larmore and Hirschberg, 1990).
 *
 * Symbols with frequency 0 get length 0 (no codeword). One used symbol gets length 1, so every
 * coded symbol costs at least one bit: a decoder can then reject a declared count that the bytes
 * cannot hold. Deterministic: symbols are ranked by (frequency, symbol index), and equal weights in
 * a merge take the leaf first, so equal inputs always give equal lengths.
 */
export function buildCodeLengths(frequencies: ArrayLike<number>, options: CodeLengthOptions = {}): Uint8Array {
  const maxLength = options.maxCodeLength ?? MAX_CODE_LENGTH;
  const alphabetSize = frequencies.length;
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_CODE_LENGTH) {
    throw new HuffmanError("INVALID_ARGUMENT", `maxCodeLength must be an integer in 1..${MAX_CODE_LENGTH}, got ${maxLength}`);
  }
  if (alphabetSize > MAX_ALPHABET_SIZE) {
    throw new HuffmanError("INVALID_ARGUMENT", `alphabet of ${alphabetSize} symbols exceeds ${MAX_ALPHABET_SIZE}`);
  }
  const used: number[] = [];
  for (let s = 0; s < alphabetSize; s++) {
    const f = frequencies[s]!;
    if (!Number.isSafeInteger(f) || f < 0) {
      throw new HuffmanError("INVALID_ARGUMENT", `frequency of symbol ${s} must be a non-negative integer, got ${f}`);
    }
    if (f > 0) used.push(s);
  }
  const lengths = new Uint8Array(alphabetSize);
  const n = used.length;
  if (n === 0) return lengths;
  if (n <= 2) {
    for (const s of used) lengths[s] = 1;
    return lengths;
  }
  if (n > 2 ** maxLength) {
    throw new HuffmanError("INVALID_ARGUMENT", `${n} used symbols cannot fit codes of at most ${maxLength} bits`);
  }
  used.sort((a, b) => frequencies[a]! - frequencies[b]! || a - b);
  const leaves = new Float64Array(n);
  for (let i = 0; i < n; i++) leaves[i] = frequencies[used[i]!]!;

  // Lists are built from the deepest level (maxLength) up to level 1. Only the first 2n-2 items of
  // any list can ever be selected, so each list is cut there.
  const cap = 2 * n - 2;
  const isLeaf: Uint8Array[] = new Array(maxLength);
  let previous = leaves.subarray(0, Math.min(n, cap));
  isLeaf[maxLength - 1] = new Uint8Array(previous.length).fill(1);
  for (let level = maxLength - 2; level >= 0; level--) {
    const packages = previous.length >>> 1;
    const flags = new Uint8Array(Math.min(cap, n + packages));
    const weights = new Float64Array(flags.length);
    let li = 0;
    let pi = 0;
    let k = 0;
    while (k < flags.length) {
      const packageWeight = pi < packages ? previous[2 * pi]! + previous[2 * pi + 1]! : Infinity;
      if (li < n && leaves[li]! <= packageWeight) {
        weights[k] = leaves[li++]!;
        flags[k++] = 1;
      } else {
        weights[k] = packageWeight;
        flags[k++] = 0;
        pi++;
      }
    }
    isLeaf[level] = flags;
    previous = weights;
  }

  // Walk back down: the leaves among the first m items of level j each gain one bit; the packages
  // among them expand to the first 2 * packages items of level j + 1.
  const depth = new Uint8Array(n);
  let m = cap;
  for (let level = 0; level < maxLength && m > 0; level++) {
    const flags = isLeaf[level]!;
    let leavesTaken = 0;
    for (let k = 0; k < m; k++) leavesTaken += flags[k]!;
    for (let i = 0; i < leavesTaken; i++) depth[i]!++;
    m = 2 * (m - leavesTaken);
  }
  for (let i = 0; i < n; i++) lengths[used[i]!] = depth[i]!;
  return lengths;
}
