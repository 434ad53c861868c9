import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { instantiateSimdGemm, type SimdGemm } from "./simd-gemm.js";
import { ScratchArena, wasmMemory } from "./wasm-heap.js";

/** What our kernels share per backend instance: the SIMD module bound to its heap, and scratch memory. */
export interface KernelContext {
  readonly backend: BackendWasm;
  readonly simd: SimdGemm;
  readonly scratch: ScratchArena;
}

const contexts = new WeakMap<BackendWasm, KernelContext>();

export function kernelContext(backend: BackendWasm): KernelContext {
  let context = contexts.get(backend);
  if (context === undefined) {
    context = { backend, simd: instantiateSimdGemm(wasmMemory(backend)), scratch: new ScratchArena(backend) };
    contexts.set(backend, context);
  }
  return context;
}

/** Frees the scratch block of `backend` (used when our kernels are unregistered). */
export function releaseKernelContext(backend: BackendWasm): void {
  contexts.get(backend)?.scratch.release();
  contexts.delete(backend);
}
