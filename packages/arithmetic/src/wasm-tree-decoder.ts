import { decodeBase64 } from "@dcnpi/base";
import {
  COUNT_LIMIT,
  INITIAL_RANGE,
  MAX_BYTES_PER_SYMBOL,
  STATE_HALF,
  finishDecoding,
  packedKids,
  rateShifts,
  startDecoding,
  treeSelection,
  truncatedError,
  type ContextClasses,
  type TreeModel,
  type TreeShape,
} from "./bit-tree.js";
import { ArithmeticError } from "./errors.js";
import type { SymbolArray } from "./symbol-binarisation.js";
import { TREE_DECODER_WASM } from "./wasm-tree-module.js";
import {
  CHUNK,
  WINDOW,
  PAD,
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
  STATUS_TRUNCATED,
  STATUS_CORRUPT,
  INT32_MAX,
} from "./wasm-tree-layout.js";

/*
 * The caller of the WebAssembly decode loop (its design, layout and pseudo-code: wasm-tree-emitter.ts).
 * The module's bytes come from wasm-tree-module.ts, generated from the emitter and checked against it by
 * a test, so the decoder bundle carries the module's 1,089 bytes rather than the emitter.
 */

// The few WebAssembly JS-API members used here (the project's TypeScript lib has no DOM types).
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
}

interface Kernel {
  readonly decode: (n: number) => number;
  readonly decodeBalanced: (n: number) => number;
  readonly header: Int32Array;
  readonly bytes: Uint8Array;
  readonly words: Int32Array;
}

let kernel: Kernel | null | undefined;

/** The one instance, built on first use; null where WebAssembly is missing or refuses the module. */
function instance(): Kernel | null {
  if (kernel === undefined) {
    kernel = null;
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (api !== undefined) {
      try {
        const exports = new api.Instance(new api.Module(decodeBase64(TREE_DECODER_WASM)!), {}).exports;
        const buffer = (exports["memory"] as { buffer: ArrayBuffer }).buffer;
        new Uint8Array(buffer, INCREMENTS, COUNT_LIMIT + 1).fill(1, 0, COUNT_LIMIT);
        kernel = {
          decode: exports["decode"] as (n: number) => number,
          decodeBalanced: exports["decodeBalanced"] as (n: number) => number,
          header: new Int32Array(buffer, HEADER, 16),
          bytes: new Uint8Array(buffer),
          words: new Int32Array(buffer),
        };
      } catch {
        kernel = null;
      }
    }
  }
  return kernel;
}

/** True when this runtime can run the WebAssembly decoder (compiled once, on the first call). */
export function wasmTreeDecoderAvailable(): boolean {
  return instance() !== null;
}

/**
 * `decodeTree` (bit-tree.ts) on the WebAssembly loop: same arguments, same result, same errors (the
 * same code and message for the same stream). Throws INVALID_ARGUMENT when WebAssembly is missing.
 */
export function decodeTreeWasm(
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
  const k = instance();
  if (k === null) throw new ArithmeticError("INVALID_ARGUMENT", `${what}: WebAssembly is not available here`);
  const { header, bytes: memory, words } = k;
  const { trees, previousBase, side, sideMask, sideStride } = treeSelection(model, shape, center, count, classes);
  const started = startDecoding(bytes, start, end, what);
  // Node numbers and tree bases as byte offsets (x 4) from here on.
  memory.set(rateShifts(model.rateShift), SHIFTS);
  const kids = packedKids(shape);
  for (let node = 0; node < kids.length; node++) words[(TREE >>> 2) + node] = kids[node]! << 2;
  for (let s = 0; s < 256 && s < previousBase.length; s++) words[(PREVIOUS >>> 2) + s] = previousBase[s]! << 2;
  words.fill(STATE_HALF << 8, SLOTS >>> 2, (SLOTS >>> 2) + trees * shape.span);
  header[FIELD.range >>> 2] = INITIAL_RANGE;
  header[FIELD.code >>> 2] = started.code;
  header[FIELD.base >>> 2] = side[0]! * sideStride * 4;
  header[FIELD.internal >>> 2] = shape.internal * 4;
  header[FIELD.alphabet >>> 2] = alphabetSize;
  header[FIELD.classed >>> 2] = model.classed === true ? 1 : 0;
  header[FIELD.stride >>> 2] = model.conditioned ? shape.span * 4 : 0;
  header[FIELD.center >>> 2] = center;
  header[FIELD.sideStride >>> 2] = sideStride * 4;
  // The window starts at windowStart; pos is relative to it; a symbol starts only while pos <= limit.
  let windowStart = started.pos;
  let pos = 0;
  let limit = -1; // no window yet
  const decode = model.shaped ? k.decode : k.decodeBalanced;
  for (let done = 0; done < count;) {
    if (pos > limit) {
      // Slide the window to the current position: the rest of the payload if it fits (then zeros), else WINDOW bytes.
      windowStart += pos;
      pos = 0;
      const last = end - windowStart <= WINDOW;
      const length = Math.max(0, Math.min(end - windowStart, WINDOW));
      memory.set(bytes.subarray(windowStart, windowStart + length), INPUT);
      if (last) memory.fill(0, INPUT + length, INPUT + length + PAD);
      limit = last ? INT32_MAX : length - MAX_BYTES_PER_SYMBOL;
      header[FIELD.limit >>> 2] = limit;
      header[FIELD.endPlus1 >>> 2] = last ? end - windowStart + 1 : INT32_MAX;
      header[FIELD.pos >>> 2] = 0;
    }
    const n = Math.min(CHUNK, count - done);
    if (sideMask !== 0) memory.set(side.subarray(done + 1, done + n + 1), SIDE);
    const decoded = decode(n);
    const status = header[FIELD.status >>> 2]!;
    if (status === STATUS_TRUNCATED) throw truncatedError(what, end + 1, end);
    if (status === STATUS_CORRUPT)
      throw new ArithmeticError("CORRUPT", `${what}: symbol ${done + decoded} lies outside the alphabet of ${alphabetSize}`);
    out.set(memory.subarray(OUTPUT, OUTPUT + decoded), done);
    done += decoded;
    pos = header[FIELD.pos >>> 2]!;
  }
  return finishDecoding(bytes, windowStart + pos, end, header[FIELD.code >>> 2]!, what);
}
