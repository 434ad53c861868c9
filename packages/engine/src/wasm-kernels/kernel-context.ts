import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { instantiateDcnpiWasm, type DcnpiWasm } from "./wasm-module.js";
import { ScratchArena, wasmMemory } from "./wasm-heap.js";

/** What our kernels share per backend instance: our wasm module bound to its heap, and scratch memory. */
export interface KernelContext {
  readonly backend: BackendWasm;
  readonly wasm: DcnpiWasm;
  readonly scratch: ScratchArena;
}

const contexts = new WeakMap<BackendWasm, KernelContext>();

export function kernelContext(backend: BackendWasm): KernelContext {
  let context = contexts.get(backend);
  if (context === undefined) {
    context = { backend, wasm: instantiateDcnpiWasm(wasmMemory(backend)), scratch: new ScratchArena(backend) };
    contexts.set(backend, context);
  }
  return context;
}
