import { reverseBits } from "./bit-writer.js";
import { MAX_ALPHABET_SIZE, MAX_CODE_LENGTH } from "./code-lengths.js";
import { HuffmanError } from "./errors.js";

/**
 * A canonical prefix code: `lengths[s]` bits for symbol `s` (0 = no codeword), codewords assigned in
 * order of (length, symbol), and the same codewords bit-reversed for LSB-first writing.
 */
export interface CanonicalCode {
  readonly lengths: Uint8Array;
  /** Codeword of each symbol, most-significant bit first (the textbook value). */
  readonly codewords: Uint32Array;
  /** `codewords[s]` reversed over `lengths[s]` bits: what `BitWriter.writeCodewords` takes. */
  readonly reversedCodewords: Uint32Array;
  /** Longest codeword length in use (0 for an empty code). */
  readonly maxLength: number;
  /** Number of symbols that have a codeword. */
  readonly usedSymbols: number;
}

/**
 * Checks that `lengths` describe a usable prefix code: every length 0..16, the Kraft sum at most 1
 * (KRAFT_VIOLATION otherwise) and exactly 1 (INCOMPLETE_CODE otherwise), except that a code with a
 * single symbol may use one 1-bit codeword. `what` names the code in error messages.
 */
export function validateCodeLengths(lengths: ArrayLike<number>, what = "code"): void {
  if (lengths.length > MAX_ALPHABET_SIZE) {
    throw new HuffmanError("INVALID_CODE_LENGTHS", `${what}: ${lengths.length} symbols exceed ${MAX_ALPHABET_SIZE}`);
  }
  const perLength = new Array<number>(MAX_CODE_LENGTH + 1).fill(0);
  let used = 0;
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s]!;
    if (!Number.isInteger(len) || len < 0 || len > MAX_CODE_LENGTH) {
      throw new HuffmanError("INVALID_CODE_LENGTHS", `${what}: symbol ${s} has code length ${len}, outside 0..${MAX_CODE_LENGTH}`);
    }
    if (len > 0) {
      perLength[len]!++;
      used++;
    }
  }
  // Kraft sum scaled by 2^16 so it stays an exact integer.
  let kraft = 0;
  for (let len = 1; len <= MAX_CODE_LENGTH; len++) kraft += perLength[len]! * 2 ** (MAX_CODE_LENGTH - len);
  const full = 2 ** MAX_CODE_LENGTH;
  if (kraft > full) {
    throw new HuffmanError("KRAFT_VIOLATION", `${what}: code lengths over-subscribe the code space (Kraft sum ${kraft / full} > 1)`);
  }
  if (used === 1) {
    if (perLength[1] !== 1) throw new HuffmanError("INCOMPLETE_CODE", `${what}: a single-symbol code must use one 1-bit codeword`);
    return;
  }
  if (used > 1 && kraft < full) {
    throw new HuffmanError("INCOMPLETE_CODE", `${what}: code lengths leave part of the code space unused (Kraft sum ${kraft / full} < 1)`);
  }
}

/** Assigns canonical codewords to validated `lengths` (DEFLATE's rule: shorter first, then by symbol). */
export function buildCanonicalCode(lengths: Uint8Array, what = "code"): CanonicalCode {
  validateCodeLengths(lengths, what);
  const perLength = new Uint32Array(MAX_CODE_LENGTH + 2);
  let maxLength = 0;
  let usedSymbols = 0;
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s]!;
    if (len > 0) {
      perLength[len]!++;
      usedSymbols++;
      if (len > maxLength) maxLength = len;
    }
  }
  const next = new Uint32Array(MAX_CODE_LENGTH + 2);
  let code = 0;
  for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
    code = (code + perLength[len - 1]!) << 1;
    next[len] = code;
  }
  // perLength[0] counted nothing (lengths of 0 are skipped), so the first length starts at code 0.
  const codewords = new Uint32Array(lengths.length);
  const reversedCodewords = new Uint32Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s]!;
    if (len === 0) continue;
    const c = next[len]!++;
    codewords[s] = c;
    reversedCodewords[s] = reverseBits(c, len);
  }
  return { lengths, codewords, reversedCodewords, maxLength, usedSymbols };
}
