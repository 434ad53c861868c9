import { ArithmeticError } from "./errors.js";
import type { RangeEncoder } from "./range-coder.js";
import type { SymbolArray } from "./symbol-binarisation.js";

/*
 * Format version 2: a binary-tree (bit-plane) binarisation for alphabets up to 256 symbols. A
 * symbol of b = ceil(log2 A) bits (at least 1) is coded MSB first; the bin at depth j has its own
 * adaptive context, chosen by the bits above it (the tree node: 1, then 2 + bit, ...), so the
 * 2^b - 1 contexts are exactly a fully adaptive order-0 model of the symbol (every symbol's
 * probability is the product of its path's bin probabilities) with no bypass bin. Optionally
 * (the "conditioned" flag) there are two such trees, chosen by whether the previous symbol was
 * the centre (the stream's mode): runs of fillers and of zero gaps.
 *
 * Each context is one estimator with a count-driven rate: the n-th update moves the estimate by
 * about 1/(n + 1.5) of the way towards the bin (a KT-like running average while few bins have
 * been seen), down to a floor of 2^-rateShift, the stream's adaptation rate. A stationary stream
 * wants a slow floor (rateShift 7-8, an error of ~0.1-0.3 % of a bit per bin); a drifting one a
 * faster floor. The encoder tries every rateShift in [MIN_RATE_SHIFT, MAX_RATE_SHIFT] with and
 * without conditioning on the cost model, and stores its choice in the header's model byte.
 *
 * States hold P(bin = 1) * 2^24 in an Int32Array and move towards targets STATE_FLOOR and
 * 2^24 - STATE_FLOOR rather than 0 and 1, so they stay in [STATE_FLOOR, 2^24 - STATE_FLOOR]
 * without a clamp: the engine sees p16 = state >>> 8 in [32, 2^16 - 32], i.e. every bin costs at
 * least -log2(1 - 2^-11) bits, which bounds the bins a byte can hold (MAX_TREE_BINS_PER_PAYLOAD_BYTE).
 *
 * The decoder is one loop over local variables: the range decoder's range, value and position,
 * the context state and counts in typed arrays, no call or allocation per bin.
 */

/** Largest alphabet version 2 codes (8-bit symbols); larger alphabets use version 1. */
export const TREE_MAX_ALPHABET = 256;
const STATE_ONE = 1 << 24;
const STATE_HALF = 1 << 23;
/** Lowest state: P = 2^-11. */
export const STATE_FLOOR = 1 << 13;
const STATE_CEIL = STATE_ONE - STATE_FLOOR;
/** Smallest probability (of either outcome) the engine is given, times 2^16. */
export const MIN_P16 = STATE_FLOOR >>> 8;
export const MIN_RATE_SHIFT = 4;
export const MAX_RATE_SHIFT = 8;
const CONDITIONED_FLAG = 0x10;
const COUNT_LIMIT = 255;
/** Version 2 renormalises below 2^23 and keeps the range below 2^31 (RangeEncoder's `narrow`). */
const TOP = 2 ** 23;

/** How the contexts adapt: stored in the stream's model byte (bits 0-3 rateShift, bit 4 conditioned). */
export interface TreeModel {
  readonly rateShift: number;
  readonly conditioned: boolean;
}

export function modelByte(model: TreeModel): number {
  return model.rateShift | (model.conditioned ? CONDITIONED_FLAG : 0);
}

/** The model a byte declares, or undefined if no encoder writes that byte. */
export function parseModelByte(byte: number): TreeModel | undefined {
  const rateShift = byte & 0x0f;
  if ((byte & ~(0x0f | CONDITIONED_FLAG)) !== 0 || rateShift < MIN_RATE_SHIFT || rateShift > MAX_RATE_SHIFT) return undefined;
  return { rateShift, conditioned: (byte & CONDITIONED_FLAG) !== 0 };
}

/** Bins per symbol: ceil(log2 alphabetSize), at least 1 (so every symbol costs a bin). */
export function treeBits(alphabetSize: number): number {
  return alphabetSize <= 2 ? 1 : 32 - Math.clz32(alphabetSize - 1);
}

const shiftTables = new Map<number, Uint8Array>();

/**
 * Rate shift of a context's n-th update (n capped at 255): round(log2(n + 1.5)), between 1 and
 * rateShift, computed in integers ((2n + 3)^2 against powers of two) so every platform agrees.
 */
export function rateShifts(rateShift: number): Uint8Array {
  let table = shiftTables.get(rateShift);
  if (table === undefined) {
    table = new Uint8Array(COUNT_LIMIT + 1);
    for (let n = 0; n <= COUNT_LIMIT; n++) {
      const square = (2 * n + 3) ** 2; // (2(n + 1.5))^2; round(log2(n + 1.5)) = k iff 2^(2k+1) <= square < 2^(2k+3)
      let k = 0;
      while (square >= 2 ** (2 * k + 3)) k++;
      table[n] = Math.min(rateShift, Math.max(1, k));
    }
    shiftTables.set(rateShift, table);
  }
  return table;
}

/** Every model the encoder considers. */
export const TREE_MODELS: readonly TreeModel[] = [false, true].flatMap((conditioned) =>
  Array.from({ length: MAX_RATE_SHIFT - MIN_RATE_SHIFT + 1 }, (_, i) => ({ rateShift: MIN_RATE_SHIFT + i, conditioned })),
);

/** Codes `symbols` (each < 2^bits) into `encoder` with fresh contexts. */
export function encodeTree(encoder: RangeEncoder, symbols: ArrayLike<number>, bits: number, center: number, model: TreeModel): void {
  const state = new Int32Array(2 << bits).fill(STATE_HALF);
  const counts = new Uint8Array(2 << bits);
  const shifts = rateShifts(model.rateShift);
  const stride = model.conditioned ? 1 << bits : 0;
  let base = 0;
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    let node = 1;
    for (let b = bits - 1; b >= 0; b--) {
      const bit = (s >>> b) & 1;
      const idx = base + node;
      const p = state[idx]!;
      const n = counts[idx]!;
      const shift = shifts[n]!;
      if (n < COUNT_LIMIT) counts[idx] = n + 1;
      encoder.encodeBit16(bit, p >>> 8);
      state[idx] = p + (((bit !== 0 ? STATE_CEIL : STATE_FLOOR) - p) >> shift);
      node = node * 2 + bit;
    }
    base = s === center ? stride : 0;
  }
}

let costTable: Float64Array | undefined;

/** -log2(p16 / 2^16) for every p16. */
function costs(): Float64Array {
  costTable ??= Float64Array.from({ length: 1 << 16 }, (_, p) => (p === 0 ? 0 : -Math.log2(p / 65_536)));
  return costTable;
}

/** Ideal code length in bits of `encodeTree` with the same arguments (no coder, no flush). */
export function treeCostBits(symbols: ArrayLike<number>, bits: number, center: number, model: TreeModel): number {
  const table = costs();
  const state = new Int32Array(2 << bits).fill(STATE_HALF);
  const counts = new Uint8Array(2 << bits);
  const shifts = rateShifts(model.rateShift);
  const stride = model.conditioned ? 1 << bits : 0;
  let base = 0;
  let total = 0;
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    let node = 1;
    for (let b = bits - 1; b >= 0; b--) {
      const bit = (s >>> b) & 1;
      const idx = base + node;
      const p = state[idx]!;
      const n = counts[idx]!;
      const shift = shifts[n]!;
      if (n < COUNT_LIMIT) counts[idx] = n + 1;
      const p16 = p >>> 8;
      total += table[bit !== 0 ? p16 : 65_536 - p16]!;
      state[idx] = p + (((bit !== 0 ? STATE_CEIL : STATE_FLOOR) - p) >> shift);
      node = node * 2 + bit;
    }
    base = s === center ? stride : 0;
  }
  return total;
}

/** The model with the smallest ideal size (the first on ties) and that size in bits. */
export function chooseTreeModel(symbols: ArrayLike<number>, bits: number, center: number): { model: TreeModel; bits: number } {
  let best = TREE_MODELS[0]!;
  let bestBits = Infinity;
  for (const model of TREE_MODELS) {
    const cost = treeCostBits(symbols, bits, center, model);
    if (cost < bestBits) {
      best = model;
      bestBits = cost;
    }
  }
  return { model: best, bits: bestBits };
}

function truncated(what: string, pos: number, end: number): ArithmeticError {
  return new ArithmeticError("TRUNCATED", `${what}: ends ${pos - end} byte(s) early`);
}

/**
 * Decodes `count` symbols of the stream whose payload starts at `bytes[start]` into
 * `out[0..count)`, mirroring `encodeTree`; the caller's bytes stop at `end`. Reads exactly one
 * byte past the payload (0 past `end`, two past it is TRUNCATED), checks the encoder's flush and
 * returns the index one past the payload's last byte. A symbol >= alphabetSize is CORRUPT.
 */
export function decodeTree(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: SymbolArray,
  count: number,
  alphabetSize: number,
  center: number,
  model: TreeModel,
  what: string,
): number {
  const bits = treeBits(alphabetSize);
  const top = 1 << bits;
  // Room for the speculative loads of a leaf's (unused) children.
  const state = new Int32Array(4 << bits).fill(STATE_HALF);
  const counts = new Uint8Array(2 << bits);
  const shifts = rateShifts(model.rateShift);
  const stride = model.conditioned ? top : 0;
  const span = STATE_CEIL - STATE_FLOOR;
  let pos = start;
  let range = 0x7fff_ffff;
  let code = 0;
  for (let k = 0; k < 4; k++, pos++) {
    if (pos < end) code = code * 256 + bytes[pos]!;
    else if (pos > end) throw truncated(what, pos, end);
    else code *= 256;
  }
  // A first byte >= 0x80 puts the value outside the initial interval; no encoder writes that.
  if (code >= range) throw new ArithmeticError("CORRUPT", `${what}: first bytes lie outside the coding interval`);
  // From here on range, code and bound are int32 (range < 2^31), and each bin is branch-free:
  // mask = -1 for a 1 (code < bound), 0 for a 0. Both children's states are loaded before the
  // bin is decided, so the next bin's probability does not wait for a load.
  let base = 0;
  for (let i = 0; i < count; i++) {
    let node = 1;
    let p = state[base + 1]!;
    do {
      const idx = base + node;
      const n = counts[idx]!;
      if (n < COUNT_LIMIT) counts[idx] = n + 1;
      const shift = shifts[n]!;
      const child = idx + node;
      const p0 = state[child]!;
      const p1 = state[child + 1]!;
      const bound = (range >>> 16) * (p >>> 8);
      const mask = (code - bound) >> 31;
      range = (bound & mask) | ((range - bound) & ~mask);
      code -= bound & ~mask;
      state[idx] = p + ((STATE_FLOOR + (span & mask) - p) >> shift);
      node = (node << 1) - mask;
      p = (p1 & mask) | (p0 & ~mask);
      while (range < TOP) {
        range <<= 8;
        if (pos < end) code = (code << 8) | bytes[pos]!;
        else if (pos > end) throw truncated(what, pos, end);
        else code <<= 8;
        pos++;
      }
    } while (node < top);
    const s = node - top;
    if (s >= alphabetSize) throw new ArithmeticError("CORRUPT", `${what}: symbol ${i} lies outside the alphabet of ${alphabetSize}`);
    out[i] = s;
    base = s === center ? stride : 0;
  }
  // The flush: the value lies less than 256 above the interval's start (see range-coder.ts).
  const lastByte = pos - 1 < end ? bytes[pos - 1]! : 0;
  const offset = code - lastByte;
  if (offset < 0 || offset >= 256) {
    throw new ArithmeticError("CORRUPT", `${what}: does not end the way an encoder ends a stream (truncated or damaged)`);
  }
  return pos - 1;
}
