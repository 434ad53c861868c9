import { COUNT_LIMIT, STATE_CEIL, STATE_FLOOR, TOP } from "./bit-tree.js";
import {
  FIELD,
  HEADER,
  SHIFTS,
  INCREMENTS,
  TREE,
  PREVIOUS,
  SLOTS,
  SIDE,
  OUTPUT,
  INPUT,
  PAGES,
  STATUS_TRUNCATED,
  STATUS_CORRUPT,
} from "./wasm-tree-layout.js";
import { signedLeb128, unsignedLeb128 } from "@dcnpi/base";

/*
 * A hand-assembled WebAssembly version of version 2's decode loop (`decodeTree` in bit-tree.ts), for
 * speed (issue 17: >= 30 MB/s of decoded codes in Node). The same bins in the same order with the
 * same int32 arithmetic, so it decodes every stream to the same symbols and fails on the same symbol
 * with the same error; what it saves is the bounds check on every typed-array access and V8's number
 * guards. No import, no growth: one instance with a fixed memory of three pages, reused by every call.
 *
 * Memory (byte offsets; everything the loop touches, each region bounded by a constant):
 *   HEADER   the loop's state and parameters as int32 fields (FIELD below), read on entry, written on exit
 *   SHIFTS   rate shift of a context's n-th update, one byte per n (rateShifts)
 *   INCREMENTS  what the n-th update adds to the count: 1, or 0 once it is COUNT_LIMIT
 *   TREE     both children of each internal node in one int32 (packedKids), <= 255 nodes
 *   PREVIOUS previousBase: the tree base for the next symbol after symbol s (class-coded streams)
 *   SLOTS    (state << 8) | count per context, <= MAX_CONTEXT_CLASSES trees x 511 slots
 *   SIDE     side[g + 1 .. g + n] for a call that decodes symbols g .. g + n - 1 (class-coded streams)
 *   OUTPUT   the call's decoded symbols, one byte each (n <= CHUNK)
 *   INPUT    a window of the payload, WINDOW bytes at most, then PAD zero bytes
 *
 * Input is windowed so that memory does not depend on the stream: a window is either the rest of the
 * payload (the last window: zeros follow it, as the JS loop reads 0 one byte past the end) or WINDOW
 * bytes, and a symbol is started only while at least MAX_BYTES_PER_SYMBOL bytes of the window remain
 * (LIMIT), so no read leaves it; the caller then slides the window to the current position. In the last
 * window the loop reads without checks and tests once a symbol whether it read beyond the byte after
 * the payload (END_PLUS_1): the JS loop throws TRUNCATED at that read, before the symbol's alphabet
 * check, and the loop here reports it for the same symbol, before its alphabet check; a symbol reads at
 * most MAX_BYTES_PER_SYMBOL bytes, which PAD covers. Every index is thus bounded by construction:
 * node < internal, base + child < 16 x 511, the input position, the output and side index < CHUNK.
 *
 * (func $decode (param $n i32) (result i32)        ;; returns the symbols decoded, i
 *   load range code pos base internal alphabet classed stride centre sideStride limit endPlus1
 *   status = 0
 *   while i < n and pos <= limit:
 *     node = 0; slot = slots[base]
 *     do:                                            ;; one bin
 *       cnt = slot & 255; p = slot >>> 8
 *       t = tree[node]; c0 = t & 0xffff; c1 = t >>> 16
 *       s0 = slots[base + c0]; s1 = slots[base + c1] ;; both children's slots before the bin is known
 *       bound = (range >>> 16) * (p >>> 8); bit = code <u bound
 *       range = bit ? bound : range - bound; code = bit ? code : code - bound
 *       slots[base + node] = (p + ((bit ? CEIL : FLOOR) - p) >>s shifts[cnt]) << 8 | cnt + ((cnt - 255) >>> 31)
 *       node = bit ? c1 : c0; slot = bit ? s1 : s0
 *       if range <u TOP: shift in a byte; if still range <u TOP: another
 *     while node < internal
 *     s = node - internal
 *     if pos > endPlus1: status = 1 (TRUNCATED), stop
 *     if s >=u alphabet: status = 2 (CORRUPT), stop
 *     out[i] = s
 *     base = classed ? previous[s] + side[i] * sideStride : stride & (((s ^ centre) - 1) >> 31)
 *     i++
 *   store range code pos base; return i
 */

const I32 = 0x7f;
const VOID = 0x40;
const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Load8U: 0x2d,
  i32Load16U: 0x2f,
  i32Store: 0x36,
  i32Store8: 0x3a,
  i32Const: 0x41,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
} as const;

// Parameter 0, then the i32 locals.
const N = 0;
const [RANGE, CODE, POS, BASE, NODE, SLOT, T, C0, C1, S0, S1, BOUND, BIT, P, CNT, I] = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
];
const [INTERNAL, ALPHABET, CLASSED, STRIDE, CENTER, SIDE_STRIDE, LIMIT, END_PLUS_1, S] = [17, 18, 19, 20, 21, 22, 23, 24, 25];
const LOCALS = 25;

const uleb = unsignedLeb128;
const sleb = signedLeb128;

const get = (i: number) => [op.localGet, i];
const set = (i: number) => [op.localSet, i];
const i32 = (v: number) => [op.i32Const, ...sleb(v)];
/** i32.load / load8_u / store / store8 at a constant region offset plus the address on the stack. */
const load = (offset: number) => [op.i32Load, 2, ...uleb(offset)];
const load8 = (offset: number) => [op.i32Load8U, 0, ...uleb(offset)];
const load16 = (offset: number) => [op.i32Load16U, 1, ...uleb(offset)];
const store = (offset: number) => [op.i32Store, 2, ...uleb(offset)];
const store8 = (offset: number) => [op.i32Store8, 0, ...uleb(offset)];
/** The address of int32 element `index` (a local) of a region: index << 2. */
const word = (index: number) => [...get(index), ...i32(2), op.i32Shl];
/** status = code (a constant). */
const setStatus = (code: number) => [...i32(0), ...i32(code), ...store(HEADER + FIELD.status)];

/** One byte into the value: range <<= 8; code = (code << 8) | input[pos]; pos++. */
const shiftInByte = [
  ...get(RANGE),
  ...i32(8),
  op.i32Shl,
  ...set(RANGE),
  ...get(CODE),
  ...i32(8),
  op.i32Shl,
  ...get(POS),
  ...load8(INPUT),
  op.i32Or,
  ...set(CODE),
  ...get(POS),
  ...i32(1),
  op.i32Add,
  ...set(POS),
];

/**
 * s0, s1 = the slots of node's children, c0, c1 = their byte offsets. Any shape: from the tree table.
 * The balanced tree: its children are 2 node + 1 and 2 node + 2 (heap numbering, balancedShape), i.e.
 * at byte offsets 2 node' + 4 and 2 node' + 8 for node' = 4 node: computed, which takes the table load
 * off the chain from one bin's outcome to the next bin's probability, and adjacent, so one address.
 */
function children(balanced: boolean): number[] {
  if (balanced) {
    return [
      // c0 = (node << 1) + base; s0 = slots[c0 + 4]; s1 = slots[c0 + 8] (c0, c1 here include base; see select below)
      ...get(NODE),
      ...i32(1),
      op.i32Shl,
      op.localTee,
      C0,
      ...get(BASE),
      op.i32Add,
      op.localTee,
      T,
      ...load(SLOTS + 4),
      ...set(S0),
      ...get(T),
      ...load(SLOTS + 8),
      ...set(S1),
      // c1 = c0 + 8; c0 += 4 (offsets within the tree)
      ...get(C0),
      ...i32(8),
      op.i32Add,
      ...set(C1),
      ...get(C0),
      ...i32(4),
      op.i32Add,
      ...set(C0),
    ];
  }
  return [
    // c0 = tree[node] low half, c1 = high half (two 16-bit loads); s0 = slots[base + c0]; s1 = slots[base + c1]
    ...get(NODE),
    ...load16(TREE),
    op.localTee,
    C0,
    ...get(BASE),
    op.i32Add,
    ...load(SLOTS),
    ...set(S0),
    ...get(NODE),
    ...load16(TREE + 2),
    op.localTee,
    C1,
    ...get(BASE),
    op.i32Add,
    ...load(SLOTS),
    ...set(S1),
  ];
}

/**
 * One bin: the body of the inner loop (see the pseudo-code above). Node numbers, tree bases and the
 * tree table's children are kept as byte offsets (4 x the JS loop's indices), so no address needs a shift.
 */
const bin = (balanced: boolean) => [
  // cnt = slot & 255; p = slot >>> 8
  ...get(SLOT),
  ...i32(255),
  op.i32And,
  ...set(CNT),
  ...get(SLOT),
  ...i32(8),
  op.i32ShrU,
  ...set(P),
  ...children(balanced),
  // bound = (range >>> 16) * (slot >>> 16) (= p >>> 8, one step less between bins); bit = code <u bound
  ...get(RANGE),
  ...i32(16),
  op.i32ShrU,
  ...get(SLOT),
  ...i32(16),
  op.i32ShrU,
  op.i32Mul,
  ...set(BOUND),
  ...get(CODE),
  ...get(BOUND),
  op.i32LtU,
  ...set(BIT),
  // range = bit ? bound : range - bound
  ...get(BOUND),
  ...get(RANGE),
  ...get(BOUND),
  op.i32Sub,
  ...get(BIT),
  op.select,
  ...set(RANGE),
  // code = bit ? code : code - bound
  ...get(CODE),
  ...get(CODE),
  ...get(BOUND),
  op.i32Sub,
  ...get(BIT),
  op.select,
  ...set(CODE),
  // slots[base + node] = slot + ((((bit ? CEIL : FLOOR) - p) >>s shifts[cnt]) << 8) + increments[cnt]: the JS
  // loop's (p + ((target - p) >> shift)) << 8 | (cnt + (cnt < 255)), the same bits mod 2^32 (cnt + 1 <= 255)
  ...get(BASE),
  ...get(NODE),
  op.i32Add,
  ...get(SLOT),
  ...i32(STATE_CEIL),
  ...i32(STATE_FLOOR),
  ...get(BIT),
  op.select,
  ...get(P),
  op.i32Sub,
  ...get(CNT),
  ...load8(SHIFTS),
  op.i32ShrS,
  ...i32(8),
  op.i32Shl,
  op.i32Add,
  ...get(CNT),
  ...load8(INCREMENTS),
  op.i32Add,
  ...store(SLOTS),
  // node = bit ? c1 : c0; slot = bit ? s1 : s0
  ...get(C1),
  ...get(C0),
  ...get(BIT),
  op.select,
  ...set(NODE),
  ...get(S1),
  ...get(S0),
  ...get(BIT),
  op.select,
  ...set(SLOT),
  // Renormalise: at most two bytes a bin (p16 >= 32 leaves range >= 2^12).
  ...get(RANGE),
  ...i32(TOP),
  op.i32LtU,
  op.if,
  VOID,
  ...shiftInByte,
  ...get(RANGE),
  ...i32(TOP),
  op.i32LtU,
  op.if,
  VOID,
  ...shiftInByte,
  op.end,
  op.end,
];

/** The fields read on entry (the state and the stream's parameters), into their locals. */
const entry: [number, number][] = [
  [RANGE, FIELD.range],
  [CODE, FIELD.code],
  [POS, FIELD.pos],
  [BASE, FIELD.base],
  [INTERNAL, FIELD.internal],
  [ALPHABET, FIELD.alphabet],
  [CLASSED, FIELD.classed],
  [STRIDE, FIELD.stride],
  [CENTER, FIELD.center],
  [SIDE_STRIDE, FIELD.sideStride],
  [LIMIT, FIELD.limit],
  [END_PLUS_1, FIELD.endPlus1],
];
/** The state written back on exit, so the next call continues. */
const exit: [number, number][] = [
  [RANGE, FIELD.range],
  [CODE, FIELD.code],
  [POS, FIELD.pos],
  [BASE, FIELD.base],
];

function functionBody(balanced: boolean): number[] {
  const body = [
    ...entry.flatMap(([local, field]) => [...i32(0), ...load(HEADER + field), ...set(local)]),
    ...setStatus(0),
    op.block, // $exit
    VOID,
    op.loop, // $symbol
    VOID,
    // stop after n symbols, or when the window may not hold the next symbol's bytes
    ...get(I),
    ...get(N),
    op.i32GeU,
    op.brIf,
    1,
    ...get(POS),
    ...get(LIMIT),
    op.i32GtS,
    op.brIf,
    1,
    // node = 0; slot = slots[base]
    ...i32(0),
    ...set(NODE),
    ...get(BASE),
    ...load(SLOTS),
    ...set(SLOT),
    op.loop, // $bin
    VOID,
    ...bin(balanced),
    ...get(NODE),
    ...get(INTERNAL),
    op.i32LtS,
    op.brIf,
    0,
    op.end,
    // s = (node - internal) >> 2 (both byte offsets)
    ...get(NODE),
    ...get(INTERNAL),
    op.i32Sub,
    ...i32(2),
    op.i32ShrS,
    ...set(S),
    // read past the byte after the payload: TRUNCATED (before the alphabet check, as in the JS loop)
    ...get(POS),
    ...get(END_PLUS_1),
    op.i32GtS,
    op.if,
    VOID,
    ...setStatus(STATUS_TRUNCATED),
    op.br,
    2,
    op.end,
    // a leaf past the alphabet: CORRUPT
    ...get(S),
    ...get(ALPHABET),
    op.i32GeU,
    op.if,
    VOID,
    ...setStatus(STATUS_CORRUPT),
    op.br,
    2,
    op.end,
    // out[i] = s
    ...get(I),
    ...get(S),
    ...store8(OUTPUT),
    // base = classed ? previous[s] + side[i] * sideStride : stride & (((s ^ centre) - 1) >> 31)
    ...get(CLASSED),
    op.if,
    I32,
    ...word(S),
    ...load(PREVIOUS),
    ...get(I),
    ...load8(SIDE),
    ...get(SIDE_STRIDE),
    op.i32Mul,
    op.i32Add,
    op.else,
    ...get(STRIDE),
    ...get(S),
    ...get(CENTER),
    op.i32Xor,
    ...i32(1),
    op.i32Sub,
    ...i32(31),
    op.i32ShrS,
    op.i32And,
    op.end,
    ...set(BASE),
    // i++
    ...get(I),
    ...i32(1),
    op.i32Add,
    ...set(I),
    op.br,
    0,
    op.end,
    op.end,
    ...exit.flatMap(([local, field]) => [...i32(0), ...get(local), ...store(HEADER + field)]),
    ...get(I),
    op.end,
  ];
  const locals = [1, ...uleb(LOCALS), I32];
  return [...uleb(locals.length + body.length), ...locals, ...body];
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function name(text: string): number[] {
  return [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
}

/** The module's bytes: one function (i32) -> i32, one memory of PAGES pages, both exported. */
export function treeDecoderModuleBytes(): Uint8Array {
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 1, I32, 1, I32]), // type 0: (i32) -> i32
    ...section(3, [2, 0, 0]), // two functions of type 0
    ...section(5, [1, 0x01, ...uleb(PAGES), ...uleb(PAGES)]), // one memory, exactly PAGES pages
    ...section(7, [3, ...name("decode"), 0x00, 0, ...name("decodeBalanced"), 0x00, 1, ...name("memory"), 0x02, 0]),
    ...section(10, [2, ...functionBody(false), ...functionBody(true)]),
  ]);
}
