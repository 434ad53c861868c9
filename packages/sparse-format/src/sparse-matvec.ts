import type { CsrMatrix, PackedCsrMatrix } from "./csr.js";
import { SparseFormatError } from "./errors.js";

/*
 * Products straight from the compressed form (the EIE idea, DC §6): each non-zero is a small code,
 * its value `codebook[code]` is looked up in a table that stays in L1. The kernels are plain loops
 * over typed arrays; the Uint16-column / Uint8-code case (every fc layer with <= 65,536 inputs and
 * <= 256 centroids) has its own copy so V8 compiles it for exactly those element types.
 */

function check(a: CsrMatrix | PackedCsrMatrix, x: Float32Array, xLength: number, y: Float32Array, yLength: number, what: string): void {
  if (!(x instanceof Float32Array) || x.length !== xLength) {
    throw new SparseFormatError("INVALID_ARGUMENT", `${what}: x must be a Float32Array of ${xLength}, got ${x?.length}`);
  }
  if (!(y instanceof Float32Array) || y.length !== yLength) {
    throw new SparseFormatError("INVALID_ARGUMENT", `${what}: y must be a Float32Array of ${yLength}, got ${y?.length}`);
  }
  if (a.rowPointers.length !== a.rows + 1)
    throw new SparseFormatError("INVALID_ARGUMENT", `${what}: rowPointers must hold rows + 1 offsets`);
}

function matVecU16U8(
  rows: number,
  ptr: Int32Array,
  cols: Uint16Array,
  codes: Uint8Array,
  cb: Float32Array,
  x: Float32Array,
  y: Float32Array,
): void {
  let k = ptr[0]!;
  for (let r = 0; r < rows; r++) {
    const end = ptr[r + 1]!;
    // Four partial sums break the chain of dependent additions (JS never reassociates them itself).
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (; k + 3 < end; k += 4) {
      s0 += cb[codes[k]!]! * x[cols[k]!]!;
      s1 += cb[codes[k + 1]!]! * x[cols[k + 1]!]!;
      s2 += cb[codes[k + 2]!]! * x[cols[k + 2]!]!;
      s3 += cb[codes[k + 3]!]! * x[cols[k + 3]!]!;
    }
    for (; k < end; k++) s0 += cb[codes[k]!]! * x[cols[k]!]!;
    y[r] = s0 + s1 + (s2 + s3);
  }
}

function matVecAny(
  rows: number,
  ptr: Int32Array,
  cols: Uint16Array | Int32Array,
  codes: Uint8Array | Uint16Array,
  cb: Float32Array,
  x: Float32Array,
  y: Float32Array,
): void {
  let k = ptr[0]!;
  for (let r = 0; r < rows; r++) {
    const end = ptr[r + 1]!;
    // Four partial sums break the chain of dependent additions (JS never reassociates them itself).
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (; k + 3 < end; k += 4) {
      s0 += cb[codes[k]!]! * x[cols[k]!]!;
      s1 += cb[codes[k + 1]!]! * x[cols[k + 1]!]!;
      s2 += cb[codes[k + 2]!]! * x[cols[k + 2]!]!;
      s3 += cb[codes[k + 3]!]! * x[cols[k + 3]!]!;
    }
    for (; k < end; k++) s0 += cb[codes[k]!]! * x[cols[k]!]!;
    y[r] = s0 + s1 + (s2 + s3);
  }
}

function matVecPacked(rows: number, ptr: Int32Array, p: Uint32Array, cb: Float32Array, x: Float32Array, y: Float32Array): void {
  let k = ptr[0]!;
  for (let r = 0; r < rows; r++) {
    const end = ptr[r + 1]!;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (; k + 3 < end; k += 4) {
      const e0 = p[k]!;
      const e1 = p[k + 1]!;
      const e2 = p[k + 2]!;
      const e3 = p[k + 3]!;
      s0 += cb[e0 >>> 16]! * x[e0 & 0xffff]!;
      s1 += cb[e1 >>> 16]! * x[e1 & 0xffff]!;
      s2 += cb[e2 >>> 16]! * x[e2 & 0xffff]!;
      s3 += cb[e3 >>> 16]! * x[e3 & 0xffff]!;
    }
    for (; k < end; k++) {
      const e = p[k]!;
      s0 += cb[e >>> 16]! * x[e & 0xffff]!;
    }
    y[r] = s0 + s1 + (s2 + s3);
  }
}

function isPacked(a: CsrMatrix | PackedCsrMatrix): a is PackedCsrMatrix {
  return (a as PackedCsrMatrix).entries !== undefined;
}

/**
 * y = A x for a CSR matrix A (rows x cols) with codebook values; batch 1. Fastest on a
 * `packCsr(...)` matrix (one 32-bit load per non-zero).
 */
export function sparseMatVec(a: CsrMatrix | PackedCsrMatrix, x: Float32Array, y: Float32Array = new Float32Array(a.rows)): Float32Array {
  check(a, x, a.cols, y, a.rows, "sparseMatVec");
  if (isPacked(a)) {
    matVecPacked(a.rows, a.rowPointers, a.entries, a.codebook, x, y);
  } else if (a.columnIndices instanceof Uint16Array && a.codes instanceof Uint8Array) {
    matVecU16U8(a.rows, a.rowPointers, a.columnIndices, a.codes, a.codebook, x, y);
  } else {
    matVecAny(a.rows, a.rowPointers, a.columnIndices, a.codes, a.codebook, x, y);
  }
  return y;
}

/**
 * Y = A X for a small batch: X holds `batch` input vectors back to back (row-major [batch, cols]),
 * Y gets `batch` outputs ([batch, rows]). X is first interleaved to [cols, batch] so the values a
 * non-zero multiplies sit together; the matrix is then streamed once per group of four vectors,
 * with the four sums in registers.
 */
export function sparseMatMul(
  a: CsrMatrix | PackedCsrMatrix,
  x: Float32Array,
  batch: number,
  y: Float32Array = new Float32Array(batch * a.rows),
): Float32Array {
  if (!Number.isInteger(batch) || batch < 1)
    throw new SparseFormatError("INVALID_ARGUMENT", `sparseMatMul: batch must be a positive integer, got ${batch}`);
  check(a, x, batch * a.cols, y, batch * a.rows, "sparseMatMul");
  if (batch === 1) return sparseMatVec(a, x, y);
  const { rows, cols: n } = a;
  for (let first = 0; first < batch; first += 4) {
    const lanes = Math.min(4, batch - first);
    // Interleave this group's vectors: xt[c * 4 + lane] (unused lanes zero).
    const xt = interleaveScratch(n * 4);
    for (let lane = 0; lane < lanes; lane++) {
      const base = (first + lane) * n;
      for (let c = 0; c < n; c++) xt[c * 4 + lane] = x[base + c]!;
    }
    if (isPacked(a)) matMul4Packed(rows, a.rowPointers, a.entries, a.codebook, xt, y, first, lanes);
    else matMul4(rows, a.rowPointers, a.columnIndices, a.codes, a.codebook, xt, y, first, lanes);
  }
  return y;
}

// One scratch buffer, reused across calls: allocating a fresh ArrayBuffer per call makes V8 count
// external memory and, next to a large model, schedule needless full garbage collections.
let scratch = new Float32Array(0);
function interleaveScratch(length: number): Float32Array {
  if (scratch.length < length) scratch = new Float32Array(length);
  const view = scratch.subarray(0, length);
  view.fill(0);
  return view;
}

function matMul4(
  rows: number,
  ptr: Int32Array,
  cols: Uint16Array | Int32Array,
  codes: Uint8Array | Uint16Array,
  cb: Float32Array,
  xt: Float32Array,
  y: Float32Array,
  first: number,
  lanes: number,
): void {
  let k = ptr[0]!;
  for (let r = 0; r < rows; r++) {
    const end = ptr[r + 1]!;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (; k < end; k++) {
      const v = cb[codes[k]!]!;
      const base = cols[k]! << 2;
      s0 += v * xt[base]!;
      s1 += v * xt[base + 1]!;
      s2 += v * xt[base + 2]!;
      s3 += v * xt[base + 3]!;
    }
    y[first * rows + r] = s0;
    if (lanes > 1) y[(first + 1) * rows + r] = s1;
    if (lanes > 2) y[(first + 2) * rows + r] = s2;
    if (lanes > 3) y[(first + 3) * rows + r] = s3;
  }
}

function matMul4Packed(
  rows: number,
  ptr: Int32Array,
  p: Uint32Array,
  cb: Float32Array,
  xt: Float32Array,
  y: Float32Array,
  first: number,
  lanes: number,
): void {
  let k = ptr[0]!;
  for (let r = 0; r < rows; r++) {
    const end = ptr[r + 1]!;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (; k < end; k++) {
      const e = p[k]!;
      const v = cb[e >>> 16]!;
      const base = (e & 0xffff) << 2;
      s0 += v * xt[base]!;
      s1 += v * xt[base + 1]!;
      s2 += v * xt[base + 2]!;
      s3 += v * xt[base + 3]!;
    }
    y[first * rows + r] = s0;
    if (lanes > 1) y[(first + 1) * rows + r] = s1;
    if (lanes > 2) y[(first + 2) * rows + r] = s2;
    if (lanes > 3) y[(first + 3) * rows + r] = s3;
  }
}

/**
 * y = Aᵀ x: for a matrix stored input-major, like a TensorFlow.js Dense kernel [in, out] (then
 * y = x K). Each row of A is scattered into y, scaled by x[row]; rows whose input is exactly zero
 * are skipped, which is EIE's other saving (zero activations after ReLU cost nothing).
 */
export function sparseMatVecTransposed(a: CsrMatrix, x: Float32Array, y: Float32Array = new Float32Array(a.cols)): Float32Array {
  check(a, x, a.rows, y, a.cols, "sparseMatVecTransposed");
  y.fill(0);
  const { rows, rowPointers: ptr, columnIndices: cols, codes, codebook: cb } = a;
  for (let r = 0; r < rows; r++) {
    const xr = x[r]!;
    if (xr === 0) continue;
    for (let k = ptr[r]!, end = ptr[r + 1]!; k < end; k++) y[cols[k]!]! += xr * cb[codes[k]!]!;
  }
  return y;
}
