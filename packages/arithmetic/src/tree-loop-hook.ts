import type { decodeTreeWasm, wasmTreeDecoderAvailable } from "./wasm-tree-decoder.js";

/**
 * Where the WebAssembly decode loop plugs in. `@dcnpi/arithmetic` itself decodes with the JavaScript loop;
 * importing `@dcnpi/arithmetic/wasm` (which the Node entries of sparse-format and deep-compression do)
 * registers the WebAssembly loop, ~1.7x faster on version-2 streams. Kept out of the main entry so the
 * browser decoder stays within issue 15's 25 KB (the loop and its module cost ~1.5 KB min + gzip there,
 * where a file's few milliseconds of decoding matter less than its bytes). Type-only import: no code.
 */
export interface WasmTreeLoop {
  readonly available: typeof wasmTreeDecoderAvailable;
  readonly decode: typeof decodeTreeWasm;
}

let registered: WasmTreeLoop | undefined;

export function registerWasmTreeLoop(loop: WasmTreeLoop): void {
  registered = loop;
}

/** The registered WebAssembly loop, if `@dcnpi/arithmetic/wasm` was imported. */
export function wasmTreeLoop(): WasmTreeLoop | undefined {
  return registered;
}
