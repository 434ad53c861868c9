export {
  initEngine,
  BACKEND_NAMES,
  WASM_KERNEL_SETS,
  type BackendName,
  type EngineInfo,
  type EngineOptions,
  type WasmKernelSet,
} from "./init-engine.js";
export { EngineError, type EngineErrorCode } from "./errors.js";
export { registerChainedOps } from "./tfjs-runtime.js";
