/**
 * `@dcnpi/arithmetic/wasm`: importing it makes `decodeSymbols` & co. decode version-2 streams with the
 * WebAssembly loop ("auto" picks it from 64 symbols; `decoder: "wasm"` requires it). See tree-loop-hook.ts.
 */
import { registerWasmTreeLoop } from "./tree-loop-hook.js";
import { decodeTreeWasm, wasmTreeDecoderAvailable } from "./wasm-tree-decoder.js";

registerWasmTreeLoop({ available: wasmTreeDecoderAvailable, decode: decodeTreeWasm });

export { wasmTreeDecoderAvailable };
