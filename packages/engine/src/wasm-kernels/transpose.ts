import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { Transpose, util, type KernelConfig, type KernelFunc, type TensorInfo, type TransposeAttrs } from "@tensorflow/tfjs-core";
import { heapI32, heapIndex } from "./wasm-heap.js";

/** Square tile edge of the blocked 2-D transpose: 32x32 floats read and write whole cache lines. */
const TILE = 32;

/**
 * out = x with axes permuted (replaces the stock wasm kernel for 4-byte dtypes; bool and strings go
 * to the stock one). Size-1 axes are dropped and runs of axes that stay adjacent are merged first,
 * so most permutations become a (batched) 2-D transpose, done in cache-sized tiles.
 */
export function transposeWasm(backend: BackendWasm, x: TensorInfo, perm: readonly number[]): TensorInfo {
  const outShape = perm.map((p) => x.shape[p]!);
  const out = backend.makeOutput(outShape, x.dtype);
  const size = util.sizeFromShape(x.shape);
  if (size === 0) return out;
  const heap = heapI32(backend); // a bit-exact copy for float32 and int32 alike
  const src = heapIndex(backend, x);
  const dst = heapIndex(backend, out);
  const [shape, order] = simplifyPermutation(x.shape, perm);
  if (order.every((p, i) => p === i)) {
    heap.copyWithin(dst, src, src + size);
    return out;
  }
  if (order.length === 2 || (order.length === 3 && order[0] === 0 && order[1] === 2 && order[2] === 1)) {
    const batch = order.length === 3 ? shape[0]! : 1;
    const rows = shape[order.length - 2]!;
    const cols = shape[order.length - 1]!;
    for (let b = 0; b < batch; b++) transpose2d(heap, src + b * rows * cols, rows, cols, dst + b * rows * cols);
    return out;
  }
  transposeGeneral(heap, src, shape, order, dst);
  return out;
}

/** Drops size-1 axes and merges input axes that stay consecutive in the output. */
export function simplifyPermutation(shape: readonly number[], perm: readonly number[]): [number[], number[]] {
  const kept = perm.filter((p) => shape[p] !== 1);
  if (kept.length === 0) return [[1], [0]];
  // Group output axes whose input axes are consecutive and increasing.
  const groups: number[][] = [];
  for (const p of kept) {
    const last = groups[groups.length - 1];
    const prev = last?.[last.length - 1];
    // Consecutive among the kept axes (size-1 axes in between do not break a run).
    const between = prev === undefined ? [] : shape.slice(prev + 1, p);
    if (last !== undefined && prev !== undefined && p > prev && between.every((extent) => extent === 1)) last.push(p);
    else groups.push([p]);
  }
  // Input order of the groups gives the new input shape; output order gives the permutation.
  const byInput = [...groups].sort((g, h) => g[0]! - h[0]!);
  const newShape = byInput.map((g) => g.reduce((prod, p) => prod * shape[p]!, 1));
  const order = groups.map((g) => byInput.indexOf(g));
  return [newShape, order];
}

function transpose2d(heap: Int32Array, src: number, rows: number, cols: number, dst: number): void {
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let r = r0; r < r1; r++) {
        let s = src + r * cols + c0;
        let d = dst + c0 * rows + r;
        for (let c = c0; c < c1; c++, s++, d += rows) heap[d] = heap[s]!;
      }
    }
  }
}

function transposeGeneral(heap: Int32Array, src: number, shape: readonly number[], order: readonly number[], dst: number): void {
  const rank = shape.length;
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    inStrides[d] = s;
    s *= shape[d]!;
  }
  const outShape = order.map((p) => shape[p]!);
  const strides = order.map((p) => inStrides[p]!); // input stride of each output axis
  const index = new Array<number>(rank).fill(0);
  const total = s;
  const lastExtent = outShape[rank - 1]!;
  const lastStride = strides[rank - 1]!;
  let from = src;
  for (let o = 0; o < total; o += lastExtent) {
    for (let j = 0, f = from; j < lastExtent; j++, f += lastStride) heap[dst + o + j] = heap[f]!;
    // Odometer over the output axes before the last.
    for (let d = rank - 2; d >= 0; d--) {
      index[d] = index[d]! + 1;
      from += strides[d]!;
      if (index[d]! < outShape[d]!) break;
      from -= strides[d]! * outShape[d]!;
      index[d] = 0;
    }
  }
}

export function transposeConfig(stock: KernelConfig | undefined): KernelConfig {
  const stockFunc = stock?.kernelFunc;
  const kernelFunc = (args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: TransposeAttrs }) => {
    const { x } = args.inputs;
    if (x.dtype !== "float32" && x.dtype !== "int32") {
      if (stockFunc === undefined) throw new Error(`Transpose: dtype ${x.dtype} is not supported`);
      return stockFunc(args as unknown as Parameters<KernelFunc>[0]);
    }
    return transposeWasm(args.backend, x, args.attrs.perm);
  };
  return {
    kernelName: Transpose,
    backendName: "wasm",
    kernelFunc: kernelFunc as unknown as KernelFunc,
    ...(stock?.setupFunc !== undefined ? { setupFunc: stock.setupFunc } : {}),
  };
}
