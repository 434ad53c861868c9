import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { DataType, TensorInfo } from "@tensorflow/tfjs-core";
import { util } from "@tensorflow/tfjs-core";
import type { WasmMemory } from "./webassembly.js";
import { EngineError } from "../errors.js";

/**
 * Access to the tfjs wasm heap for our kernels.
 *
 * Trap: any allocation (`makeOutput`, `_malloc`) may grow the heap, and growing detaches the old
 * ArrayBuffer, so every typed-array view taken before it silently becomes empty. Kernels therefore
 * allocate everything first and only then call `heapF32` / `heapI32`.
 */

/**
 * The parts of the Emscripten module object we use. tfjs types them through @types/emscripten, which
 * our `types: ["node"]` setting does not load, so they are spelled out here.
 */
interface EmscriptenHeap {
  readonly HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  readonly asm?: { readonly memory?: WasmMemory };
}

function emscripten(backend: BackendWasm): EmscriptenHeap {
  return backend.wasm as unknown as EmscriptenHeap;
}

/** The WebAssembly.Memory behind the backend's heap (imported by our SIMD module). */
export function wasmMemory(backend: BackendWasm): WasmMemory {
  const memory = emscripten(backend).asm?.memory;
  if (memory === undefined || !(memory.buffer instanceof ArrayBuffer)) {
    throw new EngineError("BACKEND_UNAVAILABLE", "tfjs wasm backend does not expose its memory (asm.memory)");
  }
  return memory;
}

/** Byte offset of a tensor's data on the heap. */
export function heapOffset(backend: BackendWasm, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId).memoryOffset;
}

/** The whole heap as floats; valid until the next allocation. */
export function heapF32(backend: BackendWasm): Float32Array {
  return new Float32Array(emscripten(backend).HEAPU8.buffer);
}

/** The whole heap as int32; valid until the next allocation. */
export function heapI32(backend: BackendWasm): Int32Array {
  return new Int32Array(emscripten(backend).HEAPU8.buffer);
}

/** Index of a tensor's first element in `heapF32` / `heapI32` (its byte offset / 4). */
export function heapIndex(backend: BackendWasm, info: TensorInfo): number {
  return heapOffset(backend, info) >>> 2;
}

/** The same data under another shape, for calling other kernels; no copy and no reference counted. */
export function withShape(info: TensorInfo, shape: readonly number[]): TensorInfo {
  if (util.sizeFromShape([...shape]) !== util.sizeFromShape(info.shape)) {
    throw new EngineError("SHAPE_MISMATCH", `withShape: cannot view [${info.shape.join(",")}] as [${shape.join(",")}]`);
  }
  return { dataId: info.dataId, shape: [...shape], dtype: info.dtype };
}

/** A new, zero-filled output tensor. */
export function makeZeroOutput(backend: BackendWasm, shape: readonly number[], dtype: DataType): TensorInfo {
  const out = backend.makeOutput([...shape], dtype);
  const size = util.sizeFromShape([...shape]);
  if (size > 0) emscripten(backend).HEAPU8.fill(0, heapOffset(backend, out), heapOffset(backend, out) + size * 4);
  return out;
}

/**
 * Scratch memory owned by our kernels: one block on the wasm heap, grown when a kernel needs more
 * and reused by every call (malloc per call would fragment the heap the tensors live on).
 */
export class ScratchArena {
  #pointer = 0;
  #bytes = 0;

  constructor(private readonly backend: BackendWasm) {}

  /** Byte offsets of `floatCounts.length` 16-byte aligned float buffers. Allocates: take views after. */
  reserve(floatCounts: readonly number[]): number[] {
    let total = 0;
    const offsets: number[] = [];
    for (const count of floatCounts) {
      offsets.push(total);
      total += Math.ceil((count * 4 + 64) / 16) * 16; // +64: the SIMD kernel may read one vector past a panel
    }
    if (total > this.#bytes) {
      if (this.#pointer !== 0) emscripten(this.backend)._free(this.#pointer);
      const bytes = Math.max(total, Math.ceil(this.#bytes * 1.5));
      const pointer = emscripten(this.backend)._malloc(bytes + 16) >>> 0;
      if (pointer === 0) throw new EngineError("OUT_OF_MEMORY", `dcnpi wasm kernels: cannot allocate ${bytes} bytes of scratch memory`);
      this.#pointer = pointer;
      this.#bytes = bytes;
    }
    const base = Math.ceil(this.#pointer / 16) * 16;
    return offsets.map((o) => base + o);
  }

  /** Gives the block back to the heap (when the kernels are unregistered). */
  release(): void {
    if (this.#pointer !== 0) emscripten(this.backend)._free(this.#pointer);
    this.#pointer = 0;
    this.#bytes = 0;
  }
}
