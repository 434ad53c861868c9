import {
  BatchMatMul,
  Conv2D,
  FusedConv2D,
  Identity,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  MaxPoolGrad,
  OneHot,
  Sum,
  UnsortedSegmentSum,
  _FusedMatMul,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
} from "@tensorflow/tfjs-core";
import { conv2dConfig, fusedConv2dConfig } from "./conv2d.js";
import { conv2DBackpropFilterConfig } from "./conv2d-backprop-filter.js";
import { conv2DBackpropInputConfig } from "./conv2d-backprop-input.js";
import { depthwiseConv2dBackpropFilterConfig } from "./depthwise-conv2d-backprop-filter.js";
import { depthwiseConv2dBackpropInputConfig } from "./depthwise-conv2d-backprop-input.js";
import { identityConfig } from "./identity.js";
import { batchMatMulConfig, fusedMatMulConfig } from "./mat-mul.js";
import { maxPoolGradConfig } from "./max-pool-grad.js";
import { oneHotConfig } from "./one-hot.js";
import { sumConfig } from "./sum.js";
import { unsortedSegmentSumConfig } from "./unsorted-segment-sum.js";

/**
 * Which of our kernels to register for the wasm backend:
 * - `all`: every kernel below (the fast training engine);
 * - `missing`: only those tfjs-backend-wasm does not have at all, or gets wrong (so everything can
 *   train, correctly, at stock speed: the benchmark baseline);
 * - `none`: stock tfjs-backend-wasm.
 */
export type WasmKernelSet = "all" | "missing" | "none";

interface OurKernel {
  readonly name: string;
  /** Our config; `stock` is the kernel it replaces, when there is one (kept for delegation/setup). */
  readonly make: (stock: KernelConfig | undefined) => KernelConfig;
  /** The stock kernel computes a wrong result: ours is registered in the `missing` set too. */
  readonly fixesStock?: boolean;
}

const OUR_KERNELS: readonly OurKernel[] = [
  { name: Conv2DBackpropFilter, make: () => conv2DBackpropFilterConfig },
  { name: UnsortedSegmentSum, make: () => unsortedSegmentSumConfig },
  { name: DepthwiseConv2dNativeBackpropFilter, make: () => depthwiseConv2dBackpropFilterConfig },
  { name: DepthwiseConv2dNativeBackpropInput, make: () => depthwiseConv2dBackpropInputConfig },
  { name: Conv2DBackpropInput, make: (stock) => conv2DBackpropInputConfig(stock) },
  { name: BatchMatMul, make: (stock) => withStockSetup(batchMatMulConfig, stock) },
  { name: _FusedMatMul, make: (stock) => withStockSetup(fusedMatMulConfig, stock) },
  { name: MaxPoolGrad, make: (stock) => maxPoolGradConfig(stock) },
  { name: Sum, make: (stock) => sumConfig(stock) },
  { name: Conv2D, make: (stock) => conv2dConfig(stock) },
  { name: FusedConv2D, make: (stock) => fusedConv2dConfig(stock) },
  { name: Identity, make: (stock) => identityConfig(stock) },
  { name: OneHot, make: (stock) => withStockSetup(oneHotConfig, stock), fixesStock: true },
];

/** Keeps the stock setupFunc, so re-initialising the backend still sets up the stock C++ bindings. */
function withStockSetup(config: KernelConfig, stock: KernelConfig | undefined): KernelConfig {
  return stock?.setupFunc !== undefined ? { ...config, setupFunc: stock.setupFunc } : config;
}

interface KernelSetState {
  set: WasmKernelSet;
  /** Names we registered, in order. */
  registered: string[];
  /** The stock config of every name we ever touched (undefined: the stock backend lacks it). */
  readonly stock: Map<string, KernelConfig | undefined>;
}

// The kernel registry is global to the process (tfjs keeps it on globalThis), so our bookkeeping is
// too: two copies of this module must not register twice or capture each other's kernels as stock.
const STATE_KEY = Symbol.for("@dcnpi/engine/wasm-kernel-set");

function state(): KernelSetState {
  const holder = globalThis as unknown as Record<symbol, KernelSetState | undefined>;
  holder[STATE_KEY] ??= { set: "none", registered: [], stock: new Map() };
  return holder[STATE_KEY];
}

function stockConfig(name: string): KernelConfig | undefined {
  const s = state();
  if (!s.stock.has(name)) s.stock.set(name, getKernel(name, "wasm"));
  return s.stock.get(name);
}

/** The kernel set currently registered. */
export function currentWasmKernelSet(): WasmKernelSet {
  return state().set;
}

/** Names of the kernels we currently have registered for wasm. */
export function registeredWasmKernels(): readonly string[] {
  return [...state().registered];
}

/** Puts the stock wasm kernels back (and removes the ones stock wasm does not have). */
export function restoreStockWasmKernels(): void {
  const s = state();
  for (const name of s.registered) {
    unregisterKernel(name, "wasm");
    const stock = s.stock.get(name);
    if (stock !== undefined) registerKernel(stock);
  }
  s.registered = [];
  s.set = "none";
}

/**
 * Registers `set` for the wasm backend, replacing whatever set was registered. Call after
 * `setBackend('wasm')` has resolved: the stock kernels' setup must have run first.
 */
export function installWasmKernelSet(set: WasmKernelSet): readonly string[] {
  const s = state();
  if (s.set === set) return [...s.registered];
  restoreStockWasmKernels();
  if (set === "none") return [];
  for (const kernel of OUR_KERNELS) {
    const stock = stockConfig(kernel.name);
    if (set === "missing" && stock !== undefined && kernel.fixesStock !== true) continue;
    // registerKernel warns when the name is taken: unregister the stock kernel first.
    if (stock !== undefined) unregisterKernel(kernel.name, "wasm");
    registerKernel(kernel.make(stock));
    s.registered.push(kernel.name);
  }
  s.set = set;
  return [...s.registered];
}
