import { SparseFormatError } from "./errors.js";
import type { DecodedLayer } from "./layer-decode.js";

/**
 * A sparse matrix in compressed sparse row form whose values are codebook indices (the EIE idea:
 * each non-zero stores a small code; the value is `codebook[code]`).
 * `columnIndices` is a Uint16Array when the matrix has at most 65,536 columns (fewer bytes to
 * stream through the cache), else an Int32Array; `codes` is a Uint8Array for codebooks of at most
 * 256 centroids, else a Uint16Array.
 */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  /** rows + 1 offsets into columnIndices / codes. */
  readonly rowPointers: Int32Array;
  readonly columnIndices: Uint16Array | Int32Array;
  readonly codes: Uint8Array | Uint16Array;
  readonly codebook: Float32Array;
}

export interface CsrOptions {
  /**
   * Rows of the 2-D view: the product of the leading `rowAxes` extents of the stored shape (default
   * 1, so a [in, out] Dense kernel gives `in` rows; a rank-1 tensor is a single row).
   */
  readonly rowAxes?: number;
}

function allocColumns(cols: number, n: number): Uint16Array | Int32Array {
  return cols <= 65_536 ? new Uint16Array(n) : new Int32Array(n);
}

function allocCodes(codebookSize: number, n: number): Uint8Array | Uint16Array {
  return codebookSize <= 256 ? new Uint8Array(n) : new Uint16Array(n);
}

/**
 * The CSR form of a decoded layer viewed as a 2-D matrix of its stored layout. Entries whose
 * centroid is exactly zero (fillers, pruned slots, a zero centroid of a quantized layer) are left
 * out, since they add nothing to a product.
 */
export function toCsr(layer: DecodedLayer, options: CsrOptions = {}): CsrMatrix {
  const rowAxes = options.rowAxes ?? 1;
  if (!Number.isInteger(rowAxes) || rowAxes < 0 || rowAxes > layer.shape.length) {
    throw new SparseFormatError(
      "INVALID_ARGUMENT",
      `layer "${layer.name}": rowAxes must be an integer in 0..${layer.shape.length}, got ${rowAxes}`,
    );
  }
  let rows = 1;
  for (let a = 0; a < rowAxes; a++) rows *= layer.shape[a]!;
  const cols = rows === 0 ? 0 : layer.elementCount / rows;
  const { codebook, codes } = layer;
  const positions = layer.positions;
  const count = positions === null ? layer.elementCount : positions.length;
  let nnz = 0;
  for (let k = 0; k < count; k++) if (codebook[codes[k]!] !== 0) nnz++;
  const rowPointers = new Int32Array(rows + 1);
  const columnIndices = allocColumns(cols, nnz);
  const outCodes = allocCodes(codebook.length, nnz);
  let j = 0;
  for (let k = 0; k < count; k++) {
    const code = codes[k]!;
    if (codebook[code] === 0) continue;
    const position = positions === null ? k : positions[k]!;
    const row = Math.floor(position / cols);
    rowPointers[row + 1]!++;
    columnIndices[j] = position - row * cols;
    outCodes[j++] = code;
  }
  for (let r = 0; r < rows; r++) rowPointers[r + 1]! += rowPointers[r]!;
  return { rows, cols, rowPointers, columnIndices, codes: outCodes, codebook };
}

/** The CSR form of the transpose (rows and columns swapped), by a counting sort: O(nnz + rows + cols). */
export function transposeCsr(m: CsrMatrix): CsrMatrix {
  const nnz = m.rowPointers[m.rows]!;
  const rowPointers = new Int32Array(m.cols + 1);
  for (let k = 0; k < nnz; k++) rowPointers[m.columnIndices[k]! + 1]!++;
  for (let c = 0; c < m.cols; c++) rowPointers[c + 1]! += rowPointers[c]!;
  const next = rowPointers.slice(0, m.cols);
  const columnIndices = allocColumns(m.rows, nnz);
  const codes = allocCodes(m.codebook.length, nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.rowPointers[r]!, end = m.rowPointers[r + 1]!; k < end; k++) {
      const dst = next[m.columnIndices[k]!]!++;
      columnIndices[dst] = r;
      codes[dst] = m.codes[k]!;
    }
  }
  return { rows: m.cols, cols: m.rows, rowPointers, columnIndices, codes, codebook: m.codebook };
}

/** The dense row-major matrix of a CSR matrix (for tests and small layers). */
export function csrToDense(m: CsrMatrix): Float32Array {
  const out = new Float32Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.rowPointers[r]!, end = m.rowPointers[r + 1]!; k < end; k++)
      out[r * m.cols + m.columnIndices[k]!] = m.codebook[m.codes[k]!]!;
  }
  return out;
}

/**
 * CSR with each non-zero's column and code packed in one 32-bit word, `column | code << 16`: one
 * load per non-zero instead of two (EIE packs its code and index the same way, in 8 bits). The
 * fastest layout for `sparseMatVec` here; needs at most 65,536 columns and centroids.
 */
export interface PackedCsrMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly rowPointers: Int32Array;
  readonly entries: Uint32Array;
  readonly codebook: Float32Array;
}

export function packCsr(m: CsrMatrix): PackedCsrMatrix {
  if (m.cols > 65_536 || m.codebook.length > 65_536) {
    throw new SparseFormatError(
      "INVALID_ARGUMENT",
      `packCsr: needs at most 65,536 columns and centroids, got ${m.cols} and ${m.codebook.length}`,
    );
  }
  const nnz = m.rowPointers[m.rows]!;
  const entries = new Uint32Array(nnz);
  for (let k = 0; k < nnz; k++) entries[k] = (m.columnIndices[k]! | (m.codes[k]! << 16)) >>> 0;
  return { rows: m.rows, cols: m.cols, rowPointers: m.rowPointers, entries, codebook: m.codebook };
}
