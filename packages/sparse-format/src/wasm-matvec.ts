import type { PackedCsrMatrix } from "./csr.js";
import { SparseFormatError } from "./errors.js";
import { signedLeb128, unsignedLeb128 } from "@dcnpi/base";

/*
 * A hand-assembled WebAssembly version of the packed mat-vec kernel. Same arithmetic in the same
 * order as the JS kernel (float64 accumulation in four partial sums, float32 inputs and outputs), so
 * the results are bit-identical; what it saves is the per-access bounds checks and number-type
 * guards V8 keeps in the JS loop. The module is ~250 bytes, built once, with no imports.
 *
 * (func $matvec (param rows ptr ent cb x y i32)   ;; byte offsets into the module's own memory
 *   (local r k end e i32) (local s0 s1 s2 s3 f64)
 *   k = load ptr[0]
 *   for r in 0..rows: end = load ptr[r+1]; s0..s3 = 0
 *     while k + 3 < end: four times s_j += f64(cb[e >>> 16]) * f64(x[e & 0xffff]), e = ent[k + j]; k += 4
 *     while k < end: s0 += ...; k += 1
 *     y[r] = f32((s0 + s1) + (s2 + s3))
 */

const I32 = 0x7f;
const F64 = 0x7c;
const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  i32Load: 0x28,
  f32Load: 0x2a,
  f32Store: 0x38,
  i32Const: 0x41,
  f64Const: 0x44,
  i32GeS: 0x4e,
  i32Add: 0x6a,
  i32And: 0x71,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  f64Add: 0xa0,
  f64Mul: 0xa2,
  f32DemoteF64: 0xb6,
  f64PromoteF32: 0xbb,
} as const;
const VOID = 0x40;
// Parameters 0..5, then locals.
const [ROWS, PTR, ENT, CB, X, Y, R, K, END, E] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
const S = [10, 11, 12, 13] as const;

const uleb = unsignedLeb128;
const sleb = signedLeb128;

const get = (i: number) => [op.localGet, i];
const set = (i: number) => [op.localSet, i];
const i32 = (v: number) => [op.i32Const, ...sleb(v)];
const load32 = (offset: number) => [op.i32Load, 2, ...uleb(offset)];
const loadF32 = [op.f32Load, 2, 0];
const loadF32At = (offset: number) => [op.f32Load, 2, ...uleb(offset)];
const zeroF64 = [op.f64Const, 0, 0, 0, 0, 0, 0, 0, 0];

/** s += f64(cb[e >>> 16]) * f64(x[e & 0xffff]) with e = ent[k + j]. */
function accumulate(s: number, j: number): number[] {
  return [
    ...get(ENT),
    ...get(K),
    ...i32(2),
    op.i32Shl,
    op.i32Add,
    ...load32(4 * j),
    ...set(E),
    ...get(s),
    ...get(CB),
    ...get(E),
    ...i32(16),
    op.i32ShrU,
    ...i32(2),
    op.i32Shl,
    op.i32Add,
    ...loadF32,
    op.f64PromoteF32,
    ...get(X),
    ...get(E),
    ...i32(0xffff),
    op.i32And,
    ...i32(2),
    op.i32Shl,
    op.i32Add,
    ...loadF32,
    op.f64PromoteF32,
    op.f64Mul,
    op.f64Add,
    ...set(s),
  ];
}

function functionBody(): number[] {
  const body = [
    // k = ptr[0]; r = 0 (locals start at zero)
    ...get(PTR),
    ...load32(0),
    ...set(K),
    op.block,
    VOID,
    op.loop,
    VOID,
    ...get(R),
    ...get(ROWS),
    op.i32GeS,
    op.brIf,
    1,
    ...get(PTR),
    ...get(R),
    ...i32(2),
    op.i32Shl,
    op.i32Add,
    ...load32(4),
    ...set(END),
    ...zeroF64,
    ...set(S[0]),
    ...zeroF64,
    ...set(S[1]),
    ...zeroF64,
    ...set(S[2]),
    ...zeroF64,
    ...set(S[3]),
    // four at a time
    op.block,
    VOID,
    op.loop,
    VOID,
    ...get(K),
    ...i32(3),
    op.i32Add,
    ...get(END),
    op.i32GeS,
    op.brIf,
    1,
    ...accumulate(S[0], 0),
    ...accumulate(S[1], 1),
    ...accumulate(S[2], 2),
    ...accumulate(S[3], 3),
    ...get(K),
    ...i32(4),
    op.i32Add,
    ...set(K),
    op.br,
    0,
    op.end,
    op.end,
    // the rest, one at a time
    op.block,
    VOID,
    op.loop,
    VOID,
    ...get(K),
    ...get(END),
    op.i32GeS,
    op.brIf,
    1,
    ...accumulate(S[0], 0),
    ...get(K),
    ...i32(1),
    op.i32Add,
    ...set(K),
    op.br,
    0,
    op.end,
    op.end,
    // y[r] = f32((s0 + s1) + (s2 + s3))
    ...get(Y),
    ...get(R),
    ...i32(2),
    op.i32Shl,
    op.i32Add,
    ...get(S[0]),
    ...get(S[1]),
    op.f64Add,
    ...get(S[2]),
    ...get(S[3]),
    op.f64Add,
    op.f64Add,
    op.f32DemoteF64,
    op.f32Store,
    2,
    0,
    ...get(R),
    ...i32(1),
    op.i32Add,
    ...set(R),
    op.br,
    0,
    op.end,
    op.end,
    op.end,
  ];
  const locals = [2, 4, I32, 4, F64]; // two groups: 4 x i32, 4 x f64
  return [...uleb(locals.length + body.length), ...locals, ...body];
}

/**
 * (func $matmul4 (param rows ptr ent cb xt y i32)): four vectors at once, xt interleaved
 * [cols][4] and y written interleaved [rows][4]; the same arithmetic as the JS `matMul4Packed`.
 */
function matMul4Body(): number[] {
  const V = 14;
  const BASE = 15;
  const lane = (s: number, offset: number) => [
    ...get(s),
    ...get(V),
    ...get(BASE),
    ...loadF32At(offset),
    op.f64PromoteF32,
    op.f64Mul,
    op.f64Add,
    ...set(s),
  ];
  const store = (s: number, offset: number) => [
    ...get(Y),
    ...get(R),
    ...i32(4),
    op.i32Shl,
    op.i32Add,
    ...get(s),
    op.f32DemoteF64,
    op.f32Store,
    2,
    ...uleb(offset),
  ];
  const body = [
    ...get(PTR),
    ...load32(0),
    ...set(K),
    op.block,
    VOID,
    op.loop,
    VOID,
    ...get(R),
    ...get(ROWS),
    op.i32GeS,
    op.brIf,
    1,
    ...get(PTR),
    ...get(R),
    ...i32(2),
    op.i32Shl,
    op.i32Add,
    ...load32(4),
    ...set(END),
    ...zeroF64,
    ...set(S[0]),
    ...zeroF64,
    ...set(S[1]),
    ...zeroF64,
    ...set(S[2]),
    ...zeroF64,
    ...set(S[3]),
    op.block,
    VOID,
    op.loop,
    VOID,
    ...get(K),
    ...get(END),
    op.i32GeS,
    op.brIf,
    1,
    ...get(ENT),
    ...get(K),
    ...i32(2),
    op.i32Shl,
    op.i32Add,
    ...load32(0),
    ...set(E),
    ...get(CB),
    ...get(E),
    ...i32(16),
    op.i32ShrU,
    ...i32(2),
    op.i32Shl,
    op.i32Add,
    ...loadF32,
    op.f64PromoteF32,
    ...set(V),
    ...get(X),
    ...get(E),
    ...i32(0xffff),
    op.i32And,
    ...i32(4),
    op.i32Shl,
    op.i32Add,
    ...set(BASE),
    ...lane(S[0], 0),
    ...lane(S[1], 4),
    ...lane(S[2], 8),
    ...lane(S[3], 12),
    ...get(K),
    ...i32(1),
    op.i32Add,
    ...set(K),
    op.br,
    0,
    op.end,
    op.end,
    ...store(S[0], 0),
    ...store(S[1], 4),
    ...store(S[2], 8),
    ...store(S[3], 12),
    ...get(R),
    ...i32(1),
    op.i32Add,
    ...set(R),
    op.br,
    0,
    op.end,
    op.end,
    op.end,
  ];
  const locals = [3, 4, I32, 5, F64, 1, I32]; // r k end e; s0..s3 v; base
  return [...uleb(locals.length + body.length), ...locals, ...body];
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function name(text: string): number[] {
  return [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
}

function moduleBytes(): Uint8Array {
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 6, I32, I32, I32, I32, I32, I32, 0]), // type: (i32 x 6) -> ()
    ...section(3, [2, 0, 0]), // two functions of type 0
    ...section(5, [1, 0x00, 1]), // one memory, at least 1 page
    ...section(7, [3, ...name("matvec"), 0x00, 0, ...name("matmul4"), 0x00, 1, ...name("memory"), 0x02, 0]),
    ...section(10, [2, ...functionBody(), ...matMul4Body()]),
  ]);
}

// The few WebAssembly JS-API members used here (the project's TypeScript lib has no DOM types).
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: WasmModule | null | undefined;

function wasmModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = wasmApi === undefined ? null : new wasmApi.Module(moduleBytes());
    } catch {
      compiled = null;
    }
  }
  return compiled ?? null;
}

/** True when this runtime can run the WebAssembly kernel. */
export function wasmMatVecAvailable(): boolean {
  return wasmModule() !== null;
}

/** A packed CSR matrix copied into a WebAssembly instance's memory, ready for repeated products. */
export interface CompiledMatVec {
  readonly rows: number;
  readonly cols: number;
  /** y = A x (y is allocated when omitted). */
  matVec(x: Float32Array, y?: Float32Array): Float32Array;
  /** Y = A X for `batch` vectors back to back ([batch, cols] in, [batch, rows] out), four at a time. */
  matMul(x: Float32Array, batch: number, y?: Float32Array): Float32Array;
}

const PAGE = 65_536;

/** The kernel trusts its memory, so a hand-made matrix is checked once here (O(nnz)). */
function checkPacked(a: PackedCsrMatrix): void {
  const bad = (why: string) => new SparseFormatError("INVALID_ARGUMENT", `compileMatVec: ${why}`);
  if (!(a.rowPointers instanceof Int32Array) || a.rowPointers.length !== a.rows + 1)
    throw bad("rowPointers must be an Int32Array of rows + 1");
  if (!(a.entries instanceof Uint32Array) || !(a.codebook instanceof Float32Array))
    throw bad("entries must be a Uint32Array and codebook a Float32Array");
  if (a.rowPointers[0] !== 0 || a.rowPointers[a.rows] !== a.entries.length)
    throw bad("rowPointers must run from 0 to the number of entries");
  for (let r = 0; r < a.rows; r++) if (a.rowPointers[r + 1]! < a.rowPointers[r]!) throw bad(`rowPointers decrease at row ${r}`);
  for (let k = 0; k < a.entries.length; k++) {
    const e = a.entries[k]!;
    if ((e & 0xffff) >= a.cols || e >>> 16 >= a.codebook.length) throw bad(`entry ${k} points outside the matrix or the codebook`);
  }
}

/**
 * Copies `a` into a fresh WebAssembly instance (rowPointers, entries, codebook, then room for x and
 * y) and returns a kernel for repeated batch-1 products: the EIE-style product without per-access
 * bounds checks. Throws INVALID_ARGUMENT when WebAssembly is unavailable or the matrix does not fit
 * 32-bit memory; `sparseMatVec` on the packed matrix is the portable equivalent.
 */
export function compileMatVec(a: PackedCsrMatrix): CompiledMatVec {
  const module = wasmModule();
  if (module === null || wasmApi === undefined)
    throw new SparseFormatError("INVALID_ARGUMENT", "compileMatVec: WebAssembly is not available here");
  checkPacked(a);
  const align = (n: number) => Math.ceil(n / 16) * 16;
  const ptrOffset = 0;
  const entOffset = align(ptrOffset + a.rowPointers.byteLength);
  const cbOffset = align(entOffset + a.entries.byteLength);
  // x and y regions hold four interleaved vectors (for matMul); matVec uses their start.
  const xOffset = align(cbOffset + a.codebook.byteLength);
  const yOffset = align(xOffset + a.cols * 16);
  const total = align(yOffset + a.rows * 16);
  if (total > 2 ** 32 - PAGE)
    throw new SparseFormatError("INVALID_ARGUMENT", `compileMatVec: ${total} bytes do not fit 32-bit WebAssembly memory`);
  const instance = new wasmApi.Instance(module, {});
  const memory = instance.exports["memory"] as WasmMemory;
  type Kernel = (rows: number, ptr: number, ent: number, cb: number, x: number, y: number) => void;
  const run = instance.exports["matvec"] as Kernel;
  const run4 = instance.exports["matmul4"] as Kernel;
  const pages = Math.ceil(total / PAGE);
  if (pages > 1) memory.grow(pages - 1);
  const buffer = memory.buffer;
  new Int32Array(buffer, ptrOffset, a.rowPointers.length).set(a.rowPointers);
  new Uint32Array(buffer, entOffset, a.entries.length).set(a.entries);
  new Float32Array(buffer, cbOffset, a.codebook.length).set(a.codebook);
  const xView = new Float32Array(buffer, xOffset, a.cols);
  const yView = new Float32Array(buffer, yOffset, a.rows);
  const xtView = new Float32Array(buffer, xOffset, a.cols * 4);
  const ytView = new Float32Array(buffer, yOffset, a.rows * 4);
  return {
    rows: a.rows,
    cols: a.cols,
    matVec(x: Float32Array, y: Float32Array = new Float32Array(a.rows)): Float32Array {
      if (!(x instanceof Float32Array) || x.length !== a.cols)
        throw new SparseFormatError("INVALID_ARGUMENT", `matVec: x must be a Float32Array of ${a.cols}`);
      if (!(y instanceof Float32Array) || y.length !== a.rows)
        throw new SparseFormatError("INVALID_ARGUMENT", `matVec: y must be a Float32Array of ${a.rows}`);
      xView.set(x);
      run(a.rows, ptrOffset, entOffset, cbOffset, xOffset, yOffset);
      y.set(yView);
      return y;
    },
    matMul(x: Float32Array, batch: number, y: Float32Array = new Float32Array(batch * a.rows)): Float32Array {
      if (!Number.isInteger(batch) || batch < 1)
        throw new SparseFormatError("INVALID_ARGUMENT", `matMul: batch must be a positive integer, got ${batch}`);
      if (!(x instanceof Float32Array) || x.length !== batch * a.cols)
        throw new SparseFormatError("INVALID_ARGUMENT", `matMul: x must be a Float32Array of ${batch} x ${a.cols}`);
      if (!(y instanceof Float32Array) || y.length !== batch * a.rows)
        throw new SparseFormatError("INVALID_ARGUMENT", `matMul: y must be a Float32Array of ${batch} x ${a.rows}`);
      if (batch === 1) return this.matVec(x, y);
      const { rows, cols } = a;
      for (let first = 0; first < batch; first += 4) {
        const lanes = Math.min(4, batch - first);
        xtView.fill(0);
        for (let lane = 0; lane < lanes; lane++) {
          const base = (first + lane) * cols;
          for (let c = 0; c < cols; c++) xtView[c * 4 + lane] = x[base + c]!;
        }
        run4(rows, ptrOffset, entOffset, cbOffset, xOffset, yOffset);
        for (let lane = 0; lane < lanes; lane++) {
          const base = (first + lane) * rows;
          for (let r = 0; r < rows; r++) y[base + r] = ytView[r * 4 + lane]!;
        }
      }
      return y;
    },
  };
}
