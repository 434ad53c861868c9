import { MAX_CONTEXT_CLASSES } from "./bit-tree.js";

/*
 * The memory layout and calling convention shared by the WebAssembly decode loop's emitter
 * (wasm-tree-emitter.ts, which bakes the offsets into the module) and its caller (wasm-tree-decoder.ts).
 * Changing anything here changes the module: regenerate wasm-tree-module.ts (see there).
 */

/** Symbols a call decodes at most (the OUTPUT and SIDE regions). */
export const CHUNK = 32_768;
/** Bytes of payload in memory at once. */
export const WINDOW = 65_536;
/** Zero bytes after the last window: more than one symbol can read. */
export const PAD = 64;
export const MAX_SPAN = 511;
export const FIELD = {
  range: 0,
  code: 4,
  pos: 8,
  base: 12,
  status: 16,
  internal: 20,
  alphabet: 24,
  classed: 28,
  stride: 32,
  center: 36,
  sideStride: 40,
  limit: 44,
  endPlus1: 48,
} as const;
export const HEADER = 0;
export const SHIFTS = 64;
export const INCREMENTS = SHIFTS + 256;
export const TREE = INCREMENTS + 256;
export const PREVIOUS = TREE + 256 * 4;
export const SLOTS = PREVIOUS + 256 * 4;
export const SIDE = SLOTS + MAX_CONTEXT_CLASSES * MAX_SPAN * 4;
export const OUTPUT = SIDE + CHUNK;
export const INPUT = OUTPUT + CHUNK;
export const PAGE = 65_536;
export const PAGES = Math.ceil((INPUT + WINDOW + PAD) / PAGE);
export const STATUS_TRUNCATED = 1;
export const STATUS_CORRUPT = 2;
export const INT32_MAX = 0x7fff_ffff;
