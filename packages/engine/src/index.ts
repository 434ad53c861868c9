export { initEngine, type BackendName, type EngineInfo, type EngineOptions } from "./init-engine.js";
