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
export const STATE_HALF = 1 << 23;
/** Lowest state: P = 2^-11. */
export const STATE_FLOOR = 1 << 13;
export const STATE_CEIL = STATE_ONE - STATE_FLOOR;
/** Smallest probability (of either outcome) the engine is given, times 2^16. */
export const MIN_P16 = STATE_FLOOR >>> 8;
export const MIN_RATE_SHIFT = 4;
export const MAX_RATE_SHIFT = 8;
const CONDITIONED_FLAG = 0x10;
const SHAPED_FLAG = 0x20;
const CLASSED_FLAG = 0x40;
/**
 * Most trees a class-coded stream may declare (side classes x previous classes): bounds the model's
 * memory (16 x 511 slots, 32 KB) whatever a header says.
 */
export const MAX_CONTEXT_CLASSES = 16;
export const COUNT_LIMIT = 255;
/** Version 2 renormalises below 2^23 and keeps the range below 2^31 (RangeEncoder's `narrow`). */
export const TOP = 2 ** 23;

/**
 * How the contexts adapt: stored in the stream's model byte (bits 0-3 rateShift, bit 4 conditioned,
 * bit 5 shaped, bit 6 class-coded).
 */
export interface TreeModel {
  readonly rateShift: number;
  readonly conditioned: boolean;
  /** A Huffman-shaped tree whose code lengths follow the model byte (else the balanced tree). */
  readonly shaped: boolean;
  /**
   * Class-coded (bit 6): one tree per context class, the class of each symbol given by the caller
   * (ContextClasses); a class byte follows the model byte. Never together with `conditioned`, which
   * is the special case "previous class = (previous symbol is the centre)".
   */
  readonly classed?: boolean;
}

export function modelByte(model: TreeModel): number {
  return (
    model.rateShift |
    (model.conditioned ? CONDITIONED_FLAG : 0) |
    (model.shaped ? SHAPED_FLAG : 0) |
    (model.classed === true ? CLASSED_FLAG : 0)
  );
}

/** The model a byte declares, or undefined if no encoder writes that byte. */
export function parseModelByte(byte: number): TreeModel | undefined {
  const rateShift = byte & 0x0f;
  if ((byte & ~(0x0f | CONDITIONED_FLAG | SHAPED_FLAG | CLASSED_FLAG)) !== 0 || rateShift < MIN_RATE_SHIFT || rateShift > MAX_RATE_SHIFT)
    return undefined;
  const model = { rateShift, conditioned: (byte & CONDITIONED_FLAG) !== 0, shaped: (byte & SHAPED_FLAG) !== 0 };
  if ((byte & CLASSED_FLAG) === 0) return model;
  return model.conditioned ? undefined : { ...model, classed: true };
}

/**
 * The context classes of a class-coded stream, defined by the caller and known to both ends (e.g. by
 * a container format for the stream's role): symbol i is coded with tree
 * side[i] x previousClasses + previousMap[symbol i - 1] (previous class 0 for the first symbol).
 */
export interface ContextClasses {
  /** Classes `side` may take, 1..16 (sideClasses x previousClasses <= 16). */
  readonly sideClasses: number;
  /** One side class per symbol (< sideClasses), e.g. from another stream decoded first; omit when sideClasses is 1. */
  readonly side?: Uint8Array;
  /** Classes `previousMap` may take, 1..16. */
  readonly previousClasses: number;
  /** The class of each symbol as the previous symbol (< previousClasses), at least one per alphabet symbol; omit when previousClasses is 1. */
  readonly previousMap?: Uint8Array;
}

/** The class byte: (sideClasses - 1) << 4 | (previousClasses - 1). */
export function classByte(classes: Pick<ContextClasses, "sideClasses" | "previousClasses">): number {
  return ((classes.sideClasses - 1) << 4) | (classes.previousClasses - 1);
}

/** The class counts a class byte declares, or undefined if their product exceeds MAX_CONTEXT_CLASSES. */
export function parseClassByte(byte: number): { sideClasses: number; previousClasses: number } | undefined {
  const sideClasses = (byte >>> 4) + 1;
  const previousClasses = (byte & 0x0f) + 1;
  return sideClasses * previousClasses > MAX_CONTEXT_CLASSES ? undefined : { sideClasses, previousClasses };
}

/**
 * How the coder picks a symbol's tree, as the loops use it: tree base of symbol i + 1 =
 * previousBase[s_i] + side[(i + 1) & sideMask] x sideStride. `side` is padded by one (the symbol
 * after the last), or a single 0 with sideMask 0 when there is no side class. Built for plain and
 * conditioned streams too, so one loop codes all three.
 */
export interface TreeSelection {
  readonly trees: number;
  readonly previousBase: Int32Array;
  readonly side: Uint8Array;
  readonly sideMask: number;
  readonly sideStride: number;
}

const NO_SIDE = new Uint8Array(1);

/**
 * The selection for `model` over `leaves` leaf slots (previousBase covers every leaf, so a decoded
 * symbol past the alphabet still indexes it; it is rejected right after). `classes` must have been
 * checked (checkClasses) when the model is classed.
 */
export function treeSelection(model: TreeModel, shape: TreeShape, center: number, count: number, classes?: ContextClasses): TreeSelection {
  const leaves = shape.span - shape.internal;
  const previousBase = new Int32Array(Math.max(leaves, shape.codes.length));
  if (model.classed === true && classes !== undefined) {
    const map = classes.previousClasses > 1 ? classes.previousMap : undefined;
    if (map !== undefined) for (let s = 0; s < previousBase.length && s < map.length; s++) previousBase[s] = map[s]! * shape.span;
    if (classes.side === undefined || classes.sideClasses === 1) {
      return { trees: classes.sideClasses * classes.previousClasses, previousBase, side: NO_SIDE, sideMask: 0, sideStride: 0 };
    }
    const side = new Uint8Array(count + 1);
    side.set(classes.side.subarray(0, count));
    return {
      trees: classes.sideClasses * classes.previousClasses,
      previousBase,
      side,
      sideMask: -1,
      sideStride: classes.previousClasses * shape.span,
    };
  }
  if (model.conditioned) previousBase[center] = shape.span;
  return { trees: model.conditioned ? 2 : 1, previousBase, side: NO_SIDE, sideMask: 0, sideStride: 0 };
}

/**
 * Checks a caller's class definition for `count` symbols over `alphabetSize` symbols; returns a
 * message naming the first problem, or undefined.
 */
export function checkClasses(classes: ContextClasses, count: number, alphabetSize: number): string | undefined {
  const { sideClasses, previousClasses, side, previousMap } = classes;
  for (const [name, value] of [
    ["sideClasses", sideClasses],
    ["previousClasses", previousClasses],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_CONTEXT_CLASSES)
      return `${name} must be an integer in 1..${MAX_CONTEXT_CLASSES}, got ${value}`;
  }
  if (sideClasses * previousClasses > MAX_CONTEXT_CLASSES)
    return `${sideClasses} x ${previousClasses} classes exceed the limit of ${MAX_CONTEXT_CLASSES} trees`;
  if (sideClasses > 1) {
    if (!(side instanceof Uint8Array) || side.length !== count)
      return `side must be a Uint8Array of one class per symbol (${count}), got ${side === undefined ? "none" : side.length}`;
    for (let i = 0; i < count; i++) if (side[i]! >= sideClasses) return `side[${i}] is ${side[i]}, not below ${sideClasses}`;
  }
  if (previousClasses > 1) {
    if (!(previousMap instanceof Uint8Array) || previousMap.length < alphabetSize)
      return `previousMap must be a Uint8Array of at least one class per symbol (${alphabetSize}), got ${previousMap?.length ?? "none"}`;
    for (let s = 0; s < alphabetSize; s++)
      if (previousMap[s]! >= previousClasses) return `previousMap[${s}] is ${previousMap[s]}, not below ${previousClasses}`;
  }
  return undefined;
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

/** Every (rate, conditioning) pair the encoder considers, for either tree shape. */
export const TREE_MODELS: readonly TreeModel[] = [false, true].flatMap((conditioned) =>
  Array.from({ length: MAX_RATE_SHIFT - MIN_RATE_SHIFT + 1 }, (_, i) => ({ rateShift: MIN_RATE_SHIFT + i, conditioned, shaped: false })),
);

/** Every rate the encoder considers for a class-coded stream (no conditioning: the classes replace it). */
export const CLASSED_MODELS: readonly TreeModel[] = Array.from({ length: MAX_RATE_SHIFT - MIN_RATE_SHIFT + 1 }, (_, i) => ({
  rateShift: MIN_RATE_SHIFT + i,
  conditioned: false,
  shaped: false,
  classed: true,
}));

/**
 * A binary tree over the alphabet: internal nodes 0..internal-1 (0 the root), a leaf for symbol
 * s numbered internal + s; kids[2k + bit] is node k's child. codes/lengths give each coded
 * symbol's path (MSB first). `span` = internal + leaf slots: one tree's share of the state array.
 */
export interface TreeShape {
  readonly internal: number;
  readonly span: number;
  readonly kids: Int32Array;
  readonly codes: Uint32Array;
  readonly lengths: Uint8Array;
  /** Fewest bins any symbol costs (bounds the symbols a byte holds). */
  readonly minBins: number;
}

const balancedShapes = new Map<number, TreeShape>();

/**
 * The balanced tree of version 2 without the shaped flag: the symbol's b bits, MSB first. Built once per
 * alphabet size (at most 256 of them) and shared: shapes are never modified, and building one was the
 * largest fixed cost of decoding a short stream.
 */
export function balancedShape(alphabetSize: number): TreeShape {
  let shape = balancedShapes.get(alphabetSize);
  if (shape === undefined) {
    shape = buildBalancedShape(alphabetSize);
    if (alphabetSize <= TREE_MAX_ALPHABET) balancedShapes.set(alphabetSize, shape);
  }
  return shape;
}

function buildBalancedShape(alphabetSize: number): TreeShape {
  const bits = treeBits(alphabetSize);
  const leaves = 1 << bits;
  const internal = leaves - 1;
  const kids = new Int32Array(2 * internal);
  for (let k = 0; k < internal; k++) {
    for (let bit = 0; bit < 2; bit++) {
      const heap = 2 * (k + 1) + bit; // heap numbering: root 1, children 2n and 2n + 1
      kids[2 * k + bit] = heap < leaves ? heap - 1 : internal + heap - leaves;
    }
  }
  const codes = Uint32Array.from({ length: alphabetSize }, (_, s) => s);
  const lengths = new Uint8Array(alphabetSize).fill(bits);
  return { internal, span: internal + leaves, kids, codes, lengths, minBins: bits };
}

/** Longest path of a shaped tree (code lengths are stored in 4 bits). */
export const MAX_SHAPED_LENGTH = 15;

/**
 * The canonical tree of code lengths (0 = symbol absent), or undefined unless they form a
 * complete prefix code over at least two symbols with lengths <= 15 (Kraft sum exactly 1).
 */
export function shapeFromLengths(lengths: Uint8Array): TreeShape | undefined {
  const perLength = new Uint32Array(MAX_SHAPED_LENGTH + 1);
  let used = 0;
  let kraft = 0;
  let minBins = MAX_SHAPED_LENGTH;
  for (const length of lengths) {
    if (length === 0) continue;
    if (length > MAX_SHAPED_LENGTH) return undefined;
    perLength[length]!++;
    used++;
    kraft += 1 << (MAX_SHAPED_LENGTH - length);
    if (length < minBins) minBins = length;
  }
  if (used < 2 || kraft !== 1 << MAX_SHAPED_LENGTH) return undefined;
  const next = new Uint32Array(MAX_SHAPED_LENGTH + 1);
  let code = 0;
  for (let length = 1; length <= MAX_SHAPED_LENGTH; length++) {
    code = (code + perLength[length - 1]!) << 1;
    next[length] = code;
  }
  const internal = used - 1;
  const codes = new Uint32Array(lengths.length);
  const kids = new Int32Array(2 * internal).fill(-1);
  let nextInternal = 1;
  for (let s = 0; s < lengths.length; s++) {
    const length = lengths[s]!;
    if (length === 0) continue;
    const c = next[length]!++;
    codes[s] = c;
    let node = 0;
    for (let j = length - 1; j > 0; j--) {
      const slot = 2 * node + ((c >>> j) & 1);
      if (kids[slot]! < 0) kids[slot] = nextInternal++;
      node = kids[slot]!;
    }
    kids[2 * node + (c & 1)] = internal + s;
  }
  return { internal, span: internal + lengths.length, kids, codes, lengths: lengths.slice(), minBins };
}

/**
 * Huffman code lengths of the symbols' counts, limited to 15 (counts are halved, keeping used
 * symbols at >= 1, until the longest fits); undefined when fewer than two symbols occur.
 */
export function huffmanLengths(counts: Uint32Array): Uint8Array | undefined {
  let weights = Array.from(counts);
  if (weights.filter((w) => w > 0).length < 2) return undefined;
  for (;;) {
    const lengths = new Uint8Array(counts.length);
    // Nodes: leaves 0..A-1, then merges; pick the two lightest live nodes (lowest index on ties).
    const weight: number[] = [];
    const parent: number[] = [];
    const live: number[] = [];
    weights.forEach((w, s) => {
      weight.push(w);
      parent.push(-1);
      if (w > 0) live.push(s);
    });
    while (live.length > 1) {
      live.sort((x, y) => weight[x]! - weight[y]! || x - y);
      const [x, y] = live.splice(0, 2) as [number, number];
      const merged = weight.length;
      weight.push(weight[x]! + weight[y]!);
      parent.push(-1);
      parent[x] = merged;
      parent[y] = merged;
      live.push(merged);
    }
    let longest = 0;
    for (let s = 0; s < counts.length; s++) {
      if (weights[s] === 0) continue;
      let depth = 0;
      for (let node = s; parent[node]! >= 0; node = parent[node]!) depth++;
      lengths[s] = depth;
      if (depth > longest) longest = depth;
    }
    if (longest <= MAX_SHAPED_LENGTH) return lengths;
    weights = weights.map((w) => (w === 0 ? 0 : Math.max(1, Math.floor(w / 2))));
  }
}

/** Bytes of a shaped tree's length table: two 4-bit lengths a byte, even symbol in the low nibble. */
export function lengthTableBytes(alphabetSize: number): number {
  return (alphabetSize + 1) >>> 1;
}

export function writeLengthTable(out: number[], lengths: Uint8Array): void {
  for (let s = 0; s < lengths.length; s += 2) out.push(lengths[s]! | ((lengths[s + 1] ?? 0) << 4));
}

/** The lengths a table declares, or undefined if an odd alphabet's unused last nibble is not 0. */
export function readLengthTable(bytes: Uint8Array, start: number, alphabetSize: number): Uint8Array | undefined {
  const lengths = new Uint8Array(alphabetSize);
  for (let s = 0; s < alphabetSize; s += 2) {
    const byte = bytes[start + (s >>> 1)]!;
    lengths[s] = byte & 0x0f;
    if (s + 1 < alphabetSize) lengths[s + 1] = byte >>> 4;
    else if (byte >>> 4 !== 0) return undefined;
  }
  return lengths;
}

/** Codes `symbols` (each with a path in `shape`) into `encoder` with fresh contexts. */
export function encodeTree(
  encoder: RangeEncoder,
  symbols: ArrayLike<number>,
  shape: TreeShape,
  center: number,
  model: TreeModel,
  classes?: ContextClasses,
): void {
  const { trees, previousBase, side, sideMask, sideStride } = treeSelection(model, shape, center, symbols.length, classes);
  const state = new Int32Array(trees * shape.span).fill(STATE_HALF);
  const counts = new Uint8Array(trees * shape.span);
  const shifts = rateShifts(model.rateShift);
  const { kids, codes, lengths } = shape;
  let base = side[0]! * sideStride;
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    const code = codes[s]!;
    let node = 0;
    for (let j = lengths[s]! - 1; j >= 0; j--) {
      const bit = (code >>> j) & 1;
      const idx = base + node;
      const p = state[idx]!;
      const n = counts[idx]!;
      const shift = shifts[n]!;
      if (n < COUNT_LIMIT) counts[idx] = n + 1;
      encoder.encodeBit16(bit, p >>> 8);
      state[idx] = p + (((bit !== 0 ? STATE_CEIL : STATE_FLOOR) - p) >> shift);
      node = kids[2 * node + bit]!;
    }
    base = previousBase[s]! + side[(i + 1) & sideMask]! * sideStride;
  }
}

let costTable: Float64Array | undefined;

/** -log2(p16 / 2^16) for every p16. */
function costs(): Float64Array {
  costTable ??= Float64Array.from({ length: 1 << 16 }, (_, p) => (p === 0 ? 0 : -Math.log2(p / 65_536)));
  return costTable;
}

/** Ideal code length in bits of `encodeTree` with the same arguments (no coder, no flush). */
export function treeCostBits(
  symbols: ArrayLike<number>,
  shape: TreeShape,
  center: number,
  model: TreeModel,
  classes?: ContextClasses,
): number {
  const table = costs();
  const { trees, previousBase, side, sideMask, sideStride } = treeSelection(model, shape, center, symbols.length, classes);
  const state = new Int32Array(trees * shape.span).fill(STATE_HALF);
  const counts = new Uint8Array(trees * shape.span);
  const shifts = rateShifts(model.rateShift);
  const { kids, codes, lengths } = shape;
  let base = side[0]! * sideStride;
  let total = 0;
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    const code = codes[s]!;
    let node = 0;
    for (let j = lengths[s]! - 1; j >= 0; j--) {
      const bit = (code >>> j) & 1;
      const idx = base + node;
      const p = state[idx]!;
      const n = counts[idx]!;
      const shift = shifts[n]!;
      if (n < COUNT_LIMIT) counts[idx] = n + 1;
      const p16 = p >>> 8;
      total += table[bit !== 0 ? p16 : 65_536 - p16]!;
      state[idx] = p + (((bit !== 0 ? STATE_CEIL : STATE_FLOOR) - p) >> shift);
      node = kids[2 * node + bit]!;
    }
    base = previousBase[s]! + side[(i + 1) & sideMask]! * sideStride;
  }
  return total;
}

/**
 * A shaped tree is chosen when its total (payload + length table) is within this fraction of the
 * balanced tree's: it decodes in ~H + 1 bins a symbol instead of ceil(log2 A).
 */
export const SHAPED_SIZE_TOLERANCE = 0.002;

/** Which tree the encoder may use: "auto" (the rule below), or one forced (tests; "shaped" needs two distinct symbols). */
export type TreeChoiceRule = "auto" | "balanced" | "shaped";

/** What the encoder picked: the model, its tree, and the ideal payload bits (table excluded). */
export interface TreeChoice {
  readonly model: TreeModel;
  readonly shape: TreeShape;
  readonly bits: number;
}

function bestOf(symbols: ArrayLike<number>, shape: TreeShape, center: number, models: readonly TreeModel[], classes?: ContextClasses) {
  let best = models[0]!;
  let bestBits = Infinity;
  for (const model of models) {
    const cost = treeCostBits(symbols, shape, center, model, classes);
    if (cost < bestBits) {
      best = model;
      bestBits = cost;
    }
  }
  return { model: best, bits: bestBits };
}

/**
 * The encoder's choice: the best (rate, conditioning) on the balanced tree (the first on ties);
 * then, if at least two symbols occur, the best rate on the Huffman-shaped tree with the same
 * conditioning, kept if its payload plus length table is within SHAPED_SIZE_TOLERANCE of the
 * balanced payload.
 */
export function chooseTreeModel(
  symbols: ArrayLike<number>,
  alphabetSize: number,
  center: number,
  tree: TreeChoiceRule = "auto",
  classes?: ContextClasses,
): TreeChoice {
  const balanced = balancedShape(alphabetSize);
  const flat = bestOf(symbols, balanced, center, classes === undefined ? TREE_MODELS : CLASSED_MODELS, classes);
  const counts = new Uint32Array(alphabetSize);
  for (let i = 0; i < symbols.length; i++) counts[symbols[i]!]!++;
  const lengths = tree === "balanced" ? undefined : huffmanLengths(counts);
  const shape = lengths === undefined ? undefined : shapeFromLengths(lengths);
  if (shape !== undefined) {
    const candidates = classes === undefined ? TREE_MODELS : CLASSED_MODELS;
    const models = candidates.filter((m) => m.conditioned === flat.model.conditioned).map((m) => ({ ...m, shaped: true }));
    const shaped = bestOf(symbols, shape, center, models, classes);
    if (
      tree === "shaped" ||
      (tree === "auto" && shaped.bits + 8 * lengthTableBytes(alphabetSize) <= flat.bits * (1 + SHAPED_SIZE_TOLERANCE))
    ) {
      return { model: shaped.model, shape, bits: shaped.bits };
    }
  }
  return { model: flat.model, shape: balanced, bits: flat.bits };
}

export function truncatedError(what: string, pos: number, end: number): ArithmeticError {
  return new ArithmeticError("TRUNCATED", `${what}: ends ${pos - end} byte(s) early`);
}

/** Most bytes one symbol can pull in: at most MAX_SHAPED_LENGTH bins, each at most 2 bytes (p16 >= 32 keeps range >= 2^12). */
export const MAX_BYTES_PER_SYMBOL = 2 * MAX_SHAPED_LENGTH;
/** Symbols decoded into a scratch array before they are copied out (keeps the inner loop's store monomorphic). */
const CHUNK = 4096;
let scratch: Uint8Array | undefined;

/**
 * Decodes `count` symbols of the stream whose payload starts at `bytes[start]` into
 * `out[0..count)`, mirroring `encodeTree`; the caller's bytes stop at `end`. Reads exactly one
 * byte past the payload (0 past `end`, two past it is TRUNCATED), checks the encoder's flush and
 * returns the index one past the payload's last byte. A symbol >= alphabetSize is CORRUPT.
 *
 * Speed (issue 17: >= 30 MB/s of decoded codes in Node): each context is one int32, its state in
 * the top 24 bits and its update count in the low 8, so a bin touches one slot; a node's two
 * children are one int32 too; the next tree (conditioning) is picked without a branch; symbols go into a
 * Uint8Array scratch (one store type whatever `out` is) and are copied out in chunks; and while
 * at least MAX_BYTES_PER_SYMBOL bytes remain, a symbol's renormalisation reads bytes without the
 * end-of-input checks, which only the stream's last symbols need. The arithmetic is the same bin
 * for bin as `encodeTree`, so the format is unchanged.
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
  shape: TreeShape,
  what: string,
  classes?: ContextClasses,
): number {
  const internal = shape.internal;
  const { trees, previousBase, side, sideMask, sideStride } = treeSelection(model, shape, center, count, classes);
  const classed = model.classed === true;
  const stride = model.conditioned ? shape.span : 0;
  // Both children of a node in one int32: one load a bin instead of two.
  const tree = packedKids(shape);
  // (state << 8) | count: the state is < 2^24, so the top bit may be set; read it back with >>> 8.
  const slots = new Int32Array(trees * shape.span).fill(STATE_HALF << 8);
  const shifts = rateShifts(model.rateShift);
  const span = STATE_CEIL - STATE_FLOOR;
  const symbols = (scratch ??= new Uint8Array(CHUNK));
  const fastEnd = end - MAX_BYTES_PER_SYMBOL;
  let range = INITIAL_RANGE;
  const started = startDecoding(bytes, start, end, what);
  let code = started.code;
  let pos = started.pos;
  // From here on range, code and bound are int32 (range < 2^31), and each bin is branch-free:
  // mask = -1 for a 1 (code < bound), 0 for a 0. Both children's slots are loaded before the
  // bin is decided (a leaf's slot is a dummy), so the next bin's probability is ready.
  let base = side[0]! * sideStride;
  for (let done = 0; done < count;) {
    const chunk = Math.min(CHUNK, count - done);
    for (let i = 0; i < chunk; i++) {
      const fast = pos <= fastEnd;
      let node = 0;
      let slot = slots[base]!;
      do {
        const n = slot & 0xff;
        const p = slot >>> 8;
        const t = tree[node]!;
        const c0 = t & 0xffff;
        const c1 = t >>> 16;
        const s0 = slots[base + c0]!;
        const s1 = slots[base + c1]!;
        const bound = (range >>> 16) * (p >>> 8);
        const mask = (code - bound) >> 31;
        range = (bound & mask) | ((range - bound) & ~mask);
        code -= bound & ~mask;
        const next = p + ((STATE_FLOOR + (span & mask) - p) >> shifts[n]!);
        // The count stops at COUNT_LIMIT (255): add 1 while it is below.
        slots[base + node] = (next << 8) | (n + ((n - COUNT_LIMIT) >>> 31));
        node = (c1 & mask) | (c0 & ~mask);
        slot = (s1 & mask) | (s0 & ~mask);
        if (range < TOP) {
          if (fast) {
            range <<= 8;
            code = (code << 8) | bytes[pos++]!;
            if (range < TOP) {
              range <<= 8;
              code = (code << 8) | bytes[pos++]!;
            }
          } else {
            do {
              range <<= 8;
              if (pos < end) code = (code << 8) | bytes[pos]!;
              else if (pos > end) throw truncatedError(what, pos, end);
              else code <<= 8;
              pos++;
            } while (range < TOP);
          }
        }
      } while (node < internal);
      const s = node - internal;
      if (s >= alphabetSize)
        throw new ArithmeticError("CORRUPT", `${what}: symbol ${done + i} lies outside the alphabet of ${alphabetSize}`);
      symbols[i] = s;
      // The next symbol's tree, with no branch the data could mispredict (`classed` is the same for every
      // symbol of a stream). Plain and conditioned streams: stride if s is the centre, else 0, computed
      // rather than loaded (the next symbol's first load waits on it). Class-coded: table lookups.
      const sideBase = side[(done + i + 1) & sideMask]! * sideStride;
      base = classed ? previousBase[s]! + sideBase : stride & (((s ^ center) - 1) >> 31);
    }
    out.set(symbols.subarray(0, chunk), done);
    done += chunk;
  }
  return finishDecoding(bytes, pos, end, code, what);
}

/** The engine's range before the first bin: 2^31 - 1. */
export const INITIAL_RANGE = 0x7fff_ffff;

/**
 * Reads the first four payload bytes at `bytes[start]` (the caller's bytes stop at `end`) into the
 * decoder's value: TRUNCATED past the one byte after `end`, CORRUPT when the value lies outside the
 * initial interval (a first byte >= 0x80, which no encoder writes).
 */
export function startDecoding(bytes: Uint8Array, start: number, end: number, what: string): { code: number; pos: number } {
  let pos = start;
  let code = 0;
  for (let k = 0; k < 4; k++, pos++) {
    if (pos < end) code = code * 256 + bytes[pos]!;
    else if (pos > end) throw truncatedError(what, pos, end);
    else code *= 256;
  }
  if (code >= INITIAL_RANGE) throw new ArithmeticError("CORRUPT", `${what}: first bytes lie outside the coding interval`);
  return { code, pos };
}

/**
 * The end check after the last symbol (`pos` one past the last byte read, `code` the value): the
 * value lies less than 256 above the interval's start, as the encoder's flush leaves it (see
 * range-coder.ts). Returns the index one past the payload's last byte.
 */
export function finishDecoding(bytes: Uint8Array, pos: number, end: number, code: number, what: string): number {
  const lastByte = pos - 1 < end ? bytes[pos - 1]! : 0;
  const offset = code - lastByte;
  if (offset < 0 || offset >= 256) {
    throw new ArithmeticError("CORRUPT", `${what}: does not end the way an encoder ends a stream (truncated or damaged)`);
  }
  return pos - 1;
}

const packedTrees = new WeakMap<TreeShape, Int32Array>();

/** Both children of each internal node in one int32 (child 0 low, child 1 high; node numbers are < 2^10). */
export function packedKids(shape: TreeShape): Int32Array {
  let tree = packedTrees.get(shape);
  if (tree !== undefined) return tree;
  tree = new Int32Array(shape.internal);
  packedTrees.set(shape, tree);
  for (let k = 0; k < shape.internal; k++) tree[k] = shape.kids[2 * k]! | (shape.kids[2 * k + 1]! << 16);
  return tree;
}
