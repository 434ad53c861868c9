export { initEngine, type BackendName, type EngineInfo, type EngineOptions, type WasmKernelSet } from "./init-engine.js";
export { EngineError, type EngineErrorCode } from "./errors.js";
