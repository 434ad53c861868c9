import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  BatchMatMul,
  _FusedMatMul,
  type BatchMatMulAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type _FusedMatMulAttrs,
  type _FusedMatMulInputs,
} from "@tensorflow/tfjs-core";
import { applyEpilogueFast, broadcastOperand, isFusedActivation, type Epilogue } from "./epilogue.js";
import { int32MatMul } from "./int32-mat-mul.js";
import { kernelContext } from "./kernel-context.js";
import { matMulShapes } from "./mat-mul-shapes.js";
import { packPanels } from "./panel-pack.js";
import { chooseGemm, MR, NR } from "./simd-gemm.js";
import { heapF32, heapIndex } from "./wasm-heap.js";
import { EngineError } from "../errors.js";

/** k steps per packed block: keeps a block of A panels in L2 while it is swept by the B panels. */
export const K_BLOCK = 256;

/**
 * out = op(a) @ op(b) (+ bias, activation) for float32 tensors of rank >= 2 with broadcast batch dims
 * (int32 ones without an epilogue go to `int32MatMul`).
 *
 * Stock tfjs-backend-wasm sends every transposed or batched matmul to a naive C++ loop, and its
 * XNNPACK path re-packs B on every call because training never reuses a tensor. Here both operands
 * are packed into panels (transposes are only different strides while packing) and multiplied by
 * our SIMD micro-kernel; bias and activation are applied while copying the result out.
 */
export function matMulWasm(
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  epilogueInputs?: { bias?: TensorInfo; prelu?: TensorInfo; activation: string; leakyreluAlpha?: number },
): TensorInfo {
  if (a.dtype === "int32" && b.dtype === "int32" && epilogueInputs === undefined) return int32MatMul(backend, a, b, transposeA, transposeB);
  if (a.dtype !== "float32" || b.dtype !== "float32") {
    throw new EngineError(
      "UNSUPPORTED",
      `BatchMatMul for ${a.dtype} x ${b.dtype} tensors is not supported on wasm (float32; int32 only without bias or activation)`,
    );
  }
  const { M, K, N, outShape, batch, aBatchIndex, bBatchIndex } = matMulShapes(a, b, transposeA, transposeB);

  const activation = epilogueInputs?.activation ?? "linear";
  if (!isFusedActivation(activation))
    throw new EngineError("UNSUPPORTED", `_FusedMatMul: activation "${activation}" is not supported on wasm`);

  const context = kernelContext(backend);
  const out = backend.makeOutput([...outShape], "float32");
  const size = batch * M * N;
  if (size === 0) return out;

  const mPanels = Math.ceil(M / MR);
  const nPanels = Math.ceil(N / NR);
  const kc = Math.max(1, Math.min(K, K_BLOCK));
  const ldc = nPanels * NR;
  const epilogueNeeded = activation !== "linear" || epilogueInputs?.bias !== undefined || epilogueInputs?.prelu !== undefined;
  // Tiles can go straight into the output when they fit it exactly and nothing is left to apply.
  const direct = !epilogueNeeded && M % MR === 0 && N === ldc;
  const [pa, pb, pc] = context.scratch.reserve([mPanels * MR * kc, nPanels * NR * kc, direct ? 0 : mPanels * MR * ldc]) as [
    number,
    number,
    number,
  ];

  // Only now (after every allocation) is it safe to look at the heap.
  const heap = heapF32(backend);
  const aBase = heapIndex(backend, a);
  const bBase = heapIndex(backend, b);
  const outBase = heapIndex(backend, out);
  const epilogue: Epilogue | undefined = epilogueNeeded
    ? {
        activation,
        leakyreluAlpha: epilogueInputs?.leakyreluAlpha ?? 0.2,
        ...(epilogueInputs?.bias !== undefined
          ? { bias: broadcastOperand(heapIndex(backend, epilogueInputs.bias), epilogueInputs.bias.shape, outShape) }
          : {}),
        ...(epilogueInputs?.prelu !== undefined
          ? { prelu: broadcastOperand(heapIndex(backend, epilogueInputs.prelu), epilogueInputs.prelu.shape, outShape) }
          : {}),
      }
    : undefined;

  // op(A)(i, k) = a[i*aRowStride + k*aKStride]; op(B)(k, j) = b[k*bKStride + j*bColStride].
  const aRowStride = transposeA ? 1 : K;
  const aKStride = transposeA ? M : 1;
  const bKStride = transposeB ? 1 : N;
  const bColStride = transposeB ? K : 1;
  const gemm = chooseGemm(context.wasm, mPanels, nPanels, kc);

  for (let t = 0; t < batch; t++) {
    const aOffset = aBase + aBatchIndex[t]! * M * K;
    const bOffset = bBase + bBatchIndex[t]! * K * N;
    const cPointer = direct ? (outBase + t * M * N) * 4 : pc;
    if (K === 0) {
      heap.fill(0, cPointer >>> 2, (cPointer >>> 2) + mPanels * MR * ldc);
    }
    for (let k0 = 0; k0 < K; k0 += kc) {
      const kl = Math.min(kc, K - k0);
      packPanels(context.wasm, aOffset, aRowStride, aKStride, M, k0, kl, MR, pa >>> 2);
      packPanels(context.wasm, bOffset, bColStride, bKStride, N, k0, kl, NR, pb >>> 2);
      gemm(pa, kl * MR * 4, pb, kl * NR * 4, cPointer, ldc * 4, mPanels, nPanels, 0, kl, k0 > 0 ? 1 : 0);
    }
    if (!direct) applyEpilogueFast(context.wasm, heap, pc >>> 2, ldc, outBase + t * M * N, M, N, t, epilogue);
  }
  return out;
}

function batchMatMulKernel(args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm; attrs: BatchMatMulAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  return matMulWasm(backend, inputs.a, inputs.b, attrs.transposeA, attrs.transposeB);
}

function fusedMatMulKernel(args: { inputs: _FusedMatMulInputs; backend: BackendWasm; attrs: _FusedMatMulAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  return matMulWasm(backend, inputs.a, inputs.b, attrs.transposeA, attrs.transposeB, {
    ...(inputs.bias !== undefined ? { bias: inputs.bias } : {}),
    ...(inputs.preluActivationWeights !== undefined ? { prelu: inputs.preluActivationWeights } : {}),
    activation: attrs.activation,
    ...(attrs.leakyreluAlpha !== undefined ? { leakyreluAlpha: attrs.leakyreluAlpha } : {}),
  });
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: "wasm",
  kernelFunc: batchMatMulKernel as unknown as KernelFunc,
};

export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: "wasm",
  kernelFunc: fusedMatMulKernel as unknown as KernelFunc,
};
