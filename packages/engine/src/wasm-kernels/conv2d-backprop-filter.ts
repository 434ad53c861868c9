import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  Conv2DBackpropFilter,
  backend_util,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { EngineError } from "../errors.js";
import { applyEpilogue } from "./epilogue.js";
import { packIm2colTransposed } from "./im2col.js";
import { K_BLOCK } from "./mat-mul.js";
import { kernelContext } from "./kernel-context.js";
import { packPanels } from "./panel-pack.js";
import { chooseGemm, MR, NR } from "./simd-gemm.js";
import { heapF32, heapIndex } from "./wasm-heap.js";

/**
 * dW = cols(x)^T @ dy, the filter gradient of a 2-D convolution (missing from tfjs-backend-wasm).
 *
 * With m = (batch, outRow, outCol) and i = (filterRow, filterCol, inChannel):
 *   dW[i, outChannel] = sum_m x[pixel(m, i)] * dy[m, outChannel]
 * The im2col matrix is never materialised: it is packed block by block (K_BLOCK values of m at a
 * time) straight into the SIMD kernel's A panels, so memory stays bounded for any batch size and each
 * block is still in cache when the kernel reads it. The result [KH*KW*CI, CO] is already the HWIO
 * filter layout.
 */
export function conv2DBackpropFilterWasm(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs,
): TensorInfo {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== "NHWC") {
    throw new EngineError("UNSUPPORTED", `Conv2DBackpropFilter on wasm supports dataFormat NHWC only, got ${dataFormat}`);
  }
  const conv = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const rows = conv.filterHeight * conv.filterWidth * conv.inChannels;
  const outChannels = conv.outChannels;
  const steps = conv.batchSize * conv.outHeight * conv.outWidth;

  const context = kernelContext(backend);
  const out = backend.makeOutput([...filterShape], "float32");
  const mPanels = Math.ceil(rows / MR);
  const nPanels = Math.ceil(outChannels / NR);
  const ldc = nPanels * NR;
  const kc = Math.max(1, Math.min(steps, K_BLOCK));
  const [pa, pb, pc] = context.scratch.reserve([mPanels * MR * kc, nPanels * NR * kc, mPanels * MR * ldc]) as [number, number, number];

  const heap = heapF32(backend);
  const xBase = heapIndex(backend, x);
  const dyBase = heapIndex(backend, dy);
  if (steps === 0) heap.fill(0, pc >>> 2, (pc >>> 2) + mPanels * MR * ldc);
  const gemm = chooseGemm(context.wasm, mPanels, nPanels, kc);
  for (let m0 = 0; m0 < steps; m0 += kc) {
    const kl = Math.min(kc, steps - m0);
    packIm2colTransposed(context.wasm, heap, xBase, conv, m0, kl, pa >>> 2);
    // B(m, co) = dy[m*CO + co]: panels of 8 output channels.
    packPanels(context.wasm, dyBase, 1, outChannels, outChannels, m0, kl, NR, pb >>> 2);
    gemm(pa, kl * MR * 4, pb, kl * NR * 4, pc, ldc * 4, mPanels, nPanels, 0, kl, m0 > 0 ? 1 : 0);
  }
  applyEpilogue(heap, pc >>> 2, ldc, heapIndex(backend, out), rows, outChannels, 0, undefined);
  return out;
}

function conv2DBackpropFilterKernel(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  return conv2DBackpropFilterWasm(args.backend, args.inputs.x, args.inputs.dy, args.attrs);
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilterKernel as unknown as KernelFunc,
};
