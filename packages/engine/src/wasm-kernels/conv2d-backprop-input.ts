import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  Conv2DBackpropInput,
  backend_util,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { col2imAdd } from "./im2col.js";
import { K_BLOCK } from "./mat-mul.js";
import { kernelContext } from "./kernel-context.js";
import { packPanels } from "./panel-pack.js";
import { chooseGemm, MR, NR } from "./simd-gemm.js";
import { heapF32, heapIndex, makeZeroOutput } from "./wasm-heap.js";
import { EngineError } from "../errors.js";

/** Floats of the d(cols) block kept between the matmul and the col2im pass (1 MB: stays in L2/L3). */
const COLS_BLOCK_FLOATS = 1 << 18;

/**
 * dx = col2im(dy @ W^T), the input gradient of a 2-D convolution (replaces the stock wasm kernel, a
 * direct C++ loop).
 *
 * d(cols)[m, i] = sum_co dy[m, co] * W[i, co] is computed for a block of output positions m at a
 * time by the SIMD kernel, then scattered onto dx. W^T is packed once per call. Memory is bounded by
 * the block size whatever the batch.
 */
export function conv2DBackpropInputWasm(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DBackpropInputAttrs,
  stock: KernelFunc | undefined,
): TensorInfo {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  if (dataFormat !== "NHWC") {
    // The stock kernel handles NCHW with strides; nothing in our training paths uses it.
    if (stock === undefined) throw new EngineError("UNSUPPORTED", `Conv2DBackpropInput: dataFormat ${dataFormat} is not supported`);
    return stock({ inputs: { dy, filter }, backend, attrs: attrs as unknown as Record<string, never> }) as TensorInfo;
  }
  const conv = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const cols = conv.filterHeight * conv.filterWidth * conv.inChannels;
  const outChannels = conv.outChannels;
  const steps = conv.batchSize * conv.outHeight * conv.outWidth;

  const context = kernelContext(backend);
  const out = makeZeroOutput(backend, inputShape, "float32");
  if (steps === 0 || cols === 0) return out;
  const nPanels = Math.ceil(cols / NR);
  const ldc = nPanels * NR;
  const blockRows = Math.max(MR, Math.min(Math.ceil(steps / MR) * MR, Math.floor(COLS_BLOCK_FLOATS / ldc / MR) * MR));
  const kc = Math.max(1, Math.min(outChannels, K_BLOCK));
  const bPackedOnce = kc === outChannels;
  const [pa, pb, pc] = context.scratch.reserve([blockRows * kc, nPanels * NR * kc, blockRows * ldc]) as [number, number, number];

  const heap = heapF32(backend);
  const dyBase = heapIndex(backend, dy);
  const wBase = heapIndex(backend, filter);
  const dxBase = heapIndex(backend, out);
  // B(co, i) = W[i*CO + co]: panels of 8 filter rows i, walked along co.
  if (bPackedOnce) packPanels(context.wasm, wBase, outChannels, 1, cols, 0, outChannels, NR, pb >>> 2);
  for (let m0 = 0; m0 < steps; m0 += blockRows) {
    const rows = Math.min(blockRows, steps - m0);
    const mPanels = Math.ceil(rows / MR);
    const gemm = chooseGemm(context.wasm, mPanels, nPanels, kc);
    for (let k0 = 0; k0 < outChannels; k0 += kc) {
      const kl = Math.min(kc, outChannels - k0);
      // A(m, co) = dy[m*CO + co]: panels of 4 output positions.
      packPanels(context.wasm, dyBase + m0 * outChannels, outChannels, 1, rows, k0, kl, MR, pa >>> 2);
      if (!bPackedOnce) packPanels(context.wasm, wBase, outChannels, 1, cols, k0, kl, NR, pb >>> 2);
      gemm(pa, kl * MR * 4, pb, kl * NR * 4, pc, ldc * 4, mPanels, nPanels, 0, kl, k0 > 0 ? 1 : 0);
    }
    col2imAdd(context.wasm, pc >>> 2, ldc, dxBase, conv, m0, rows);
  }
  return out;
}

/** Builds the kernel config; `stock` is the original wasm kernel, kept for the NCHW case. */
export function conv2DBackpropInputConfig(stock: KernelConfig | undefined): KernelConfig {
  const stockFunc = stock?.kernelFunc;
  const kernelFunc = (args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs }) =>
    conv2DBackpropInputWasm(args.backend, args.inputs.dy, args.inputs.filter, args.attrs, stockFunc);
  return {
    kernelName: Conv2DBackpropInput,
    backendName: "wasm",
    kernelFunc: kernelFunc as unknown as KernelFunc,
    ...(stock?.setupFunc !== undefined ? { setupFunc: stock.setupFunc } : {}),
  };
}
