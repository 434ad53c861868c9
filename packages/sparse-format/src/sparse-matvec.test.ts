import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { denseMatVec, makeQuantizedLayer, makeSparseLayer } from "../test/fixtures.js";
import { csrToDense, packCsr, toCsr, transposeCsr } from "./csr.js";
import { encodeLayer } from "./layer-codec.js";
import { decodeLayer, toDense } from "./layer-decode.js";
import { sparseMatMul, sparseMatVec, sparseMatVecTransposed } from "./sparse-matvec.js";
import { compileMatVec, wasmMatVecAvailable } from "./wasm-matvec.js";

/** Largest |a - b| over two arrays: one assertion instead of thousands. */
function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tolerance: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  expect(worst).toBeLessThan(tolerance);
}

function randomVector(rng: Rng, n: number, zeroFraction = 0): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.float() < zeroFraction ? 0 : rng.normal();
  return x;
}

describe("CSR from the decoded form", () => {
  const rng = Rng.fromSeed("csr");

  it("holds exactly the dense matrix, fillers dropped, and transposes exactly", () => {
    const decoded = decodeLayer(encodeLayer(makeSparseLayer(rng, "fc", [70, 90], { density: 0.07, weightBits: 5, indexBits: 3 })));
    expect(decoded.fillerCount).toBeGreaterThan(0);
    const csr = toCsr(decoded);
    expect([csr.rows, csr.cols]).toEqual([70, 90]);
    expect(csr.columnIndices).toBeInstanceOf(Uint16Array);
    expect(csr.codes).toBeInstanceOf(Uint8Array);
    expect(csr.rowPointers[70]).toBe(decoded.positions!.length);
    expect(csrToDense(csr)).toEqual(toDense(decoded));
    const t = transposeCsr(csr);
    const dense = toDense(decoded);
    const back = csrToDense(t);
    for (let r = 0; r < 70; r++) for (let c = 0; c < 90; c++) expect(back[c * 70 + r]).toBe(dense[r * 90 + c]);
  });

  it("views higher-rank tensors with rowAxes and keeps quantized layers' non-zero centroids", () => {
    const decoded = decodeLayer(encodeLayer(makeQuantizedLayer(rng, "conv", [3, 3, 2, 4], 4)));
    const csr = toCsr(decoded, { rowAxes: 3 });
    expect([csr.rows, csr.cols]).toEqual([18, 4]);
    expect(csrToDense(csr)).toEqual(toDense(decoded));
  });
});

describe("sparse mat-vec with codebook values", () => {
  const rng = Rng.fromSeed("matvec");
  const decoded = decodeLayer(encodeLayer(makeSparseLayer(rng, "fc", [120, 200], { density: 0.09, weightBits: 5, indexBits: 4 })));
  const dense = toDense(decoded);
  const csr = toCsr(decoded);

  it("y = W x matches a dense float64 product", () => {
    const x = randomVector(rng, 200);
    const y = sparseMatVec(csr, x);
    const expected = denseMatVec(dense, 120, 200, x);
    expectClose(y, expected, 1e-4);
  });

  it("the packed layout (column | code << 16) gives exactly the same products", () => {
    const packed = packCsr(csr);
    expect(packed.entries.length).toBe(csr.codes.length);
    const x = randomVector(rng, 200);
    expect(sparseMatVec(packed, x)).toEqual(sparseMatVec(csr, x));
    const xb = randomVector(rng, 5 * 200);
    expect(sparseMatMul(packed, xb, 5)).toEqual(sparseMatMul(csr, xb, 5));
  });

  it("the WebAssembly kernel gives bit-identical results to the JS kernel", () => {
    expect(wasmMatVecAvailable()).toBe(true);
    const packed = packCsr(csr);
    const kernel = compileMatVec(packed);
    for (let trial = 0; trial < 5; trial++) {
      const x = randomVector(rng, 200, trial / 5);
      expect(kernel.matVec(x)).toEqual(sparseMatVec(packed, x));
    }
    // Rows of every length, empty rows included, and a matrix big enough to grow the memory.
    const big = packCsr(
      toCsr(decodeLayer(encodeLayer(makeSparseLayer(rng, "big", [200, 3000], { density: 0.05, weightBits: 6, indexBits: 5 })))),
    );
    const x = randomVector(rng, 3000);
    expect(compileMatVec(big).matVec(x)).toEqual(sparseMatVec(big, x));
    const empty = packCsr(
      toCsr(
        decodeLayer(
          encodeLayer({
            name: "e",
            shape: [3, 4],
            codes: new Uint8Array(12),
            codebook: Float32Array.of(0, 1),
            weightBits: 1,
            indexBits: 2,
          }),
        ),
      ),
    );
    expect(Array.from(compileMatVec(empty).matVec(new Float32Array(4).fill(1)))).toEqual([0, 0, 0]);
    for (const batch of [1, 2, 4, 5, 8]) {
      const xb = randomVector(rng, batch * 200);
      expect(kernel.matMul(xb, batch)).toEqual(sparseMatMul(packed, xb, batch));
    }
  });

  it("compileMatVec refuses a hand-made matrix that points outside itself", () => {
    const packed = packCsr(csr);
    const broken = { ...packed, entries: packed.entries.slice() };
    broken.entries[3] = 0xffff;
    expect(() => compileMatVec(broken)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => compileMatVec({ ...packed, rowPointers: packed.rowPointers.slice(1) })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });

  it("a small batch gives the same rows as one vector at a time", () => {
    for (const batch of [2, 3, 8]) {
      const x = randomVector(rng, batch * 200);
      const y = sparseMatMul(csr, x, batch);
      for (let b = 0; b < batch; b++) {
        const one = sparseMatVec(csr, x.slice(b * 200, (b + 1) * 200));
        expectClose(y.subarray(b * 120, (b + 1) * 120), one, 1e-5);
      }
    }
  });

  it("the transposed product (tfjs [in, out] layout, zero inputs skipped) matches W^T x", () => {
    const x = randomVector(rng, 120, 0.5); // ReLU-like: half the inputs are zero
    const y = sparseMatVecTransposed(csr, x);
    const viaTranspose = sparseMatVec(transposeCsr(csr), x);
    expectClose(y, viaTranspose, 1e-4);
  });

  it("works with Int32 columns and Uint16 codes (wide layers, 16-bit codebooks)", () => {
    const wide = decodeLayer(encodeLayer(makeSparseLayer(rng, "wide", [3, 70_000], { density: 0.01, weightBits: 9, indexBits: 8 })));
    const m = toCsr(wide);
    expect(m.columnIndices).toBeInstanceOf(Int32Array);
    expect(m.codes).toBeInstanceOf(Uint16Array);
    const x = randomVector(rng, 70_000);
    const y = sparseMatVec(m, x);
    const expected = denseMatVec(toDense(wide), 3, 70_000, x);
    expectClose(y, expected, 1e-3);
  });

  it("rejects vectors of the wrong length", () => {
    expect(() => sparseMatVec(csr, new Float32Array(199))).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => sparseMatMul(csr, new Float32Array(400), 0)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
