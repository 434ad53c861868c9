import { packCsr, toCsr, transposeCsr, type PackedCsrMatrix } from "./csr.js";
import { SparseFormatError } from "./errors.js";
import type { DecodedLayer } from "./layer-decode.js";
import { sparseMatMul, sparseMatVec } from "./sparse-matvec.js";
import { compileMatVec, wasmMatVecAvailable } from "./wasm-matvec.js";

export interface FullyConnectedOptions {
  /**
   * How the decoded kernel is stored: `"in-out"` ([in, out], a TensorFlow.js Dense kernel as tfjs keeps
   * it; the default) or `"out-in"` ([out, in], Caffe's order, `indexOrder: "caffe"` in a plan).
   */
  readonly layout?: "in-out" | "out-in";
  /** Added to every output (`outputs` values). */
  readonly bias?: Float32Array;
  /** `"wasm"` (the default where WebAssembly runs) or `"js"` (the packed JS kernel, bit-identical). */
  readonly kernel?: "wasm" | "js";
}

/** A compressed fully connected layer ready for products straight from its codes: y = W x (+ bias). */
export interface FullyConnectedMatVec {
  readonly inputs: number;
  readonly outputs: number;
  /** Which kernel runs the products. */
  readonly kernel: "wasm" | "js";
  /** Non-zero weights the product reads (pruned weights and zero centroids are skipped). */
  readonly nonzeros: number;
  /** y = W x + bias for one input (`inputs` values); `y` is allocated when omitted. */
  apply(x: Float32Array, y?: Float32Array): Float32Array;
  /** The same for `batch` inputs back to back ([batch, inputs] in, [batch, outputs] out). */
  applyBatch(x: Float32Array, batch: number, y?: Float32Array): Float32Array;
}

function addBias(y: Float32Array, bias: Float32Array | undefined, outputs: number): Float32Array {
  if (bias === undefined) return y;
  for (let base = 0; base < y.length; base += outputs) for (let o = 0; o < outputs; o++) y[base + o] = y[base + o]! + bias[o]!;
  return y;
}

/**
 * Turns a decoded fully connected kernel (from `parseContainer`, `ContainerReader.readLayer`, ...) into
 * a ready mat-vec over its codes and codebook (the EIE form, §6): the CSR rows are the layer's outputs,
 * packed once, and compiled to WebAssembly where it runs. No dense weight matrix is ever built.
 */
export function fullyConnectedMatVec(layer: DecodedLayer, options: FullyConnectedOptions = {}): FullyConnectedMatVec {
  if (layer.shape.length !== 2)
    throw new SparseFormatError(
      "INVALID_ARGUMENT",
      `layer "${layer.name}": a fully connected kernel has 2 axes, got [${layer.shape.join(",")}]`,
    );
  const layout = options.layout ?? "in-out";
  const [inputs, outputs] = layout === "in-out" ? [layer.shape[0]!, layer.shape[1]!] : [layer.shape[1]!, layer.shape[0]!];
  const bias = options.bias;
  if (bias !== undefined && (!(bias instanceof Float32Array) || bias.length !== outputs))
    throw new SparseFormatError("INVALID_ARGUMENT", `layer "${layer.name}": bias must be a Float32Array of ${outputs}`);
  const csr = toCsr(layer);
  const packed: PackedCsrMatrix = packCsr(layout === "in-out" ? transposeCsr(csr) : csr);
  const kernel = options.kernel ?? (wasmMatVecAvailable() ? "wasm" : "js");
  const nonzeros = packed.entries.length;
  if (kernel === "wasm") {
    const compiled = compileMatVec(packed);
    return {
      inputs,
      outputs,
      kernel,
      nonzeros,
      apply: (x, y) => addBias(compiled.matVec(x, y), bias, outputs),
      applyBatch: (x, batch, y) => addBias(compiled.matMul(x, batch, y), bias, outputs),
    };
  }
  return {
    inputs,
    outputs,
    kernel,
    nonzeros,
    apply: (x, y) => addBias(sparseMatVec(packed, x, y), bias, outputs),
    applyBatch: (x, batch, y) => addBias(sparseMatMul(packed, x, batch, y), bias, outputs),
  };
}
