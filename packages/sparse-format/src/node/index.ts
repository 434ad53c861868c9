// The Node half of @dcnpi/sparse-format: containers as files (node:fs). Everything in memory is in the main entry.
// Node decodes arithmetic streams with the WebAssembly loop (kept out of the browser decoder: tree-loop-hook.ts).
import "@dcnpi/arithmetic/wasm";
export { fileSource } from "./file-source.js";
export { openContainer, readContainer } from "./container-file.js";
export { ContainerWriter, writeContainer } from "./container-file-writer.js";
export { inspectContainer } from "./inspect-file.js";
