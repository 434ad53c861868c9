import { EngineError } from "../errors.js";

/**
 * The few WebAssembly JS-API members we use. They are globals of every JS engine with wasm, but the
 * TypeScript libs this workspace loads (ES2022 + node) do not declare them.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmModule {
  readonly __brand?: "WebAssembly.Module";
}

export interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  readonly Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
  validate(bytes: Uint8Array): boolean;
}

export function webAssembly(): WebAssemblyApi {
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) throw new EngineError("BACKEND_UNAVAILABLE", "this JavaScript engine has no WebAssembly");
  return api;
}
