import * as tf from "@tensorflow/tfjs-core";
import { EngineError } from "./errors.js";
import { installWasmKernelSet, restoreStockWasmKernels, type WasmKernelSet } from "./wasm-kernels/kernel-set.js";
import { selfTestWasmKernels } from "./wasm-kernels/self-test.js";
import { registerChainedOps } from "./tfjs-runtime.js";

export type BackendName = "tensorflow" | "wasm" | "cpu";
export type { WasmKernelSet };

export const BACKEND_NAMES: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];
export const WASM_KERNEL_SETS: readonly WasmKernelSet[] = ["all", "missing", "none"];

export interface EngineOptions {
  /**
   * Force a backend (an error if it cannot be had); otherwise `DCNPI_BACKEND`; otherwise the fastest
   * that loads: tensorflow, then wasm with our kernels, then cpu.
   */
  readonly backend?: BackendName;
  /**
   * Which dcnpi kernels the wasm backend gets; otherwise `DCNPI_WASM_KERNELS`; otherwise `all`.
   * `missing` registers only the kernels stock wasm lacks or gets wrong (the benchmark baseline), `none` is stock wasm.
   */
  readonly wasmKernels?: WasmKernelSet;
  /** Where the one-line notices go (default: stderr); `false` silences them. */
  readonly log?: ((line: string) => void) | false;
}

export interface EngineInfo {
  readonly backend: BackendName;
  /** The dcnpi kernel set registered for wasm, or null when the backend is not wasm. */
  readonly wasmKernels: WasmKernelSet | null;
  /** Names of the kernels dcnpi registered (empty unless wasm). */
  readonly kernels: readonly string[];
  /** True when the backend was forced by an option or DCNPI_BACKEND. */
  readonly forced: boolean;
  /** Faster backends that were tried first, and why they were not used. */
  readonly skipped: readonly { readonly backend: BackendName; readonly reason: string }[];
  /** Whether tfjs gradient functions are registered (training needs them; see ensureGradients). */
  readonly gradients: boolean;
}

interface Request {
  readonly backend: BackendName | undefined;
  readonly wasmKernels: WasmKernelSet;
  readonly log: (line: string) => void;
}

// tfjs keeps its engine on globalThis; so do we, so that two copies of this module agree.
const STATE_KEY = Symbol.for("@dcnpi/engine/state");
interface EngineState {
  key: string | undefined;
  info: EngineInfo | undefined;
  queue: Promise<unknown>;
}
function engineState(): EngineState {
  const holder = globalThis as unknown as Record<symbol, EngineState | undefined>;
  holder[STATE_KEY] ??= { key: undefined, info: undefined, queue: Promise.resolve() };
  return holder[STATE_KEY];
}

function readEnv(name: string): string | undefined {
  const value = typeof process === "undefined" ? undefined : process.env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function parseRequest(options: EngineOptions): Request {
  const backend = options.backend ?? readEnv("DCNPI_BACKEND");
  if (backend !== undefined && !BACKEND_NAMES.includes(backend as BackendName)) {
    const from = options.backend !== undefined ? "options.backend" : "DCNPI_BACKEND";
    throw new EngineError("INVALID_OPTION", `${from} must be one of ${BACKEND_NAMES.join(", ")}; got "${backend}"`);
  }
  const wasmKernels = options.wasmKernels ?? readEnv("DCNPI_WASM_KERNELS") ?? "all";
  if (!WASM_KERNEL_SETS.includes(wasmKernels as WasmKernelSet)) {
    const from = options.wasmKernels !== undefined ? "options.wasmKernels" : "DCNPI_WASM_KERNELS";
    throw new EngineError("INVALID_OPTION", `${from} must be one of ${WASM_KERNEL_SETS.join(", ")}; got "${wasmKernels}"`);
  }
  const log = options.log === false ? () => {} : (options.log ?? ((line: string) => process.stderr.write(`${line}\n`)));
  return { backend: backend as BackendName | undefined, wasmKernels: wasmKernels as WasmKernelSet, log };
}

/**
 * Chooses and initialises the TensorFlow.js backend. Call once at start-up, before building models;
 * calling again with the same request returns the same answer without doing anything, and a
 * different request switches backend (tests compare backends this way).
 *
 * Order: `tensorflow` (when @tensorflow/tfjs-node is installed and its native library loads), else
 * `wasm` with the dcnpi training kernels (registered after the backend is up, then self-tested;
 * on failure the stock kernels are put back), else `cpu` with a warning.
 */
export function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  let request: Request;
  try {
    request = parseRequest(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const state = engineState();
  // Serialise: backend switching is global, two concurrent calls must not interleave.
  const next = state.queue.then(() => selectEngine(request, state));
  state.queue = next.catch(() => undefined);
  return next;
}

async function selectEngine(request: Request, state: EngineState): Promise<EngineInfo> {
  const key = `${request.backend ?? "auto"}/${request.wasmKernels}`;
  if (state.key === key && state.info !== undefined && tf.getBackend() === state.info.backend) return state.info;
  const info = { ...(await chooseBackend(request)), gradients: await ensureGradients(request.log) };
  registerChainedOps();
  state.key = key;
  state.info = info;
  const kernels = info.backend === "wasm" ? ` with ${info.kernels.length} dcnpi kernels (${info.wasmKernels})` : "";
  request.log(`dcnpi engine: backend ${info.backend}${kernels}${info.forced ? " (forced)" : ""}`);
  return info;
}

async function chooseBackend(request: Request): Promise<Omit<EngineInfo, "gradients">> {
  const forced = request.backend !== undefined;
  const skipped: { backend: BackendName; reason: string }[] = [];
  const want = (name: BackendName) => request.backend === undefined || request.backend === name;

  if (want("tensorflow")) {
    const result = await useTensorflow();
    if (result === true) return { backend: "tensorflow", wasmKernels: null, kernels: [], forced, skipped };
    if (forced) throw new EngineError("BACKEND_UNAVAILABLE", `backend tensorflow was forced but is unavailable: ${result}`);
    skipped.push({ backend: "tensorflow", reason: result });
    request.log(`dcnpi engine: @tensorflow/tfjs-node not usable (${result})`);
  }
  if (want("wasm")) {
    const result = await useWasm(request.wasmKernels);
    if (typeof result !== "string") return { backend: "wasm", wasmKernels: request.wasmKernels, kernels: result, forced, skipped };
    if (forced) throw new EngineError("BACKEND_UNAVAILABLE", `backend wasm was forced but is unavailable: ${result}`);
    skipped.push({ backend: "wasm", reason: result });
    request.log(`dcnpi engine: wasm not usable (${result})`);
  }
  await useCpu();
  if (!forced) request.log("dcnpi engine: WARNING falling back to the pure-JS cpu backend; convolution training is 100-250x slower");
  return { backend: "cpu", wasmKernels: null, kernels: [], forced, skipped };
}

/**
 * Gradient functions are not part of @tensorflow/tfjs-core's Node entry: they are registered as a
 * side effect of loading @tensorflow/tfjs-layers (or the @tensorflow/tfjs umbrella). Without them
 * `tf.grads`, `optimizer.minimize` and `fit` fail with "gradient function not found", so the engine
 * loads tfjs-layers (an optional peer) when nothing has registered them yet.
 */
async function ensureGradients(log: (line: string) => void): Promise<boolean> {
  if (tf.getGradient("Sum") !== undefined) return true;
  const specifier = "@tensorflow/tfjs-layers";
  try {
    await import(specifier);
  } catch (error) {
    log(`dcnpi engine: WARNING no gradient functions registered and ${specifier} did not load (${firstLine(error)}); training will fail`);
    return false;
  }
  return tf.getGradient("Sum") !== undefined;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.trim();
}

/** true, or why not. */
async function useTensorflow(): Promise<true | string> {
  if (tf.findBackendFactory("tensorflow") === null) {
    // A variable specifier: tfjs-node is an optional peer, so neither tsc nor the bundler may resolve it.
    const specifier = "@tensorflow/tfjs-node";
    try {
      await import(specifier);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
        if (firstLine(error).includes(specifier)) return "not installed";
      }
      const reason = firstLine(error);
      // The usual case where the package is present: npm/pnpm did not run its install script, which
      // downloads libtensorflow, so the binding was never built.
      if (reason.includes("tfjs_binding.node"))
        return "installed without its native addon tfjs_binding.node (libtensorflow was never downloaded)";
      return `failed to load: ${reason}`;
    }
    if (tf.findBackendFactory("tensorflow") === null) return "loaded, but it registered no tensorflow backend";
  }
  try {
    if (await tf.setBackend("tensorflow")) return true;
    return "the tensorflow backend failed to initialise";
  } catch (error) {
    return `the tensorflow backend failed to initialise: ${firstLine(error)}`;
  }
}

/** The names of the dcnpi kernels registered, or why wasm cannot be used. */
async function useWasm(kernelSet: WasmKernelSet): Promise<readonly string[] | string> {
  try {
    await import("@tensorflow/tfjs-backend-wasm");
    if (!(await tf.setBackend("wasm"))) return "the wasm backend failed to initialise";
  } catch (error) {
    return `the wasm backend failed to load: ${firstLine(error)}`;
  }
  try {
    const kernels = installWasmKernelSet(kernelSet);
    selfTestWasmKernels(kernels);
    return kernels;
  } catch (error) {
    restoreStockWasmKernels();
    return `dcnpi kernels failed (${firstLine(error)}); stock kernels restored`;
  }
}

async function useCpu(): Promise<void> {
  await import("@tensorflow/tfjs-backend-cpu");
  if (!(await tf.setBackend("cpu"))) throw new EngineError("BACKEND_UNAVAILABLE", "the cpu backend failed to initialise");
  silenceNodeBanner();
}

/**
 * The cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js..." on its first
 * tensor. It gates that on a `firstUse` field of the backend instance; clearing the field is the
 * narrowest way to drop just that message (tf.enableProdMode() would silence every tfjs warning).
 */
function silenceNodeBanner(): void {
  const backend = tf.findBackend("cpu") as unknown as { firstUse?: boolean } | null;
  if (backend !== null && typeof backend.firstUse === "boolean") backend.firstUse = false;
}
