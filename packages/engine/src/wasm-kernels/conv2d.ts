import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  Conv2D,
  FusedConv2D,
  backend_util,
  type Conv2DAttrs,
  type FusedConv2DAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { applyEpilogueFast, broadcastOperand, isFusedActivation, type Epilogue } from "./epilogue.js";
import { packIm2colRows } from "./im2col.js";
import { kernelContext } from "./kernel-context.js";
import { packPanels } from "./panel-pack.js";
import { chooseGemm, MR, NR } from "./simd-gemm.js";
import { heapF32, heapIndex } from "./wasm-heap.js";

/** k steps (filter rows) per packed block; LeNet-5's 500 fit in one. */
const CONV_K_BLOCK = 512;
/** Floats per packed A block and per result block: both stay in L2. */
const BLOCK_FLOATS = 1 << 16;

/**
 * Forward 2-D convolution, out = cols(x) @ W (+ bias, activation), for NHWC (replaces the stock
 * XNNPACK kernels, which re-pack the filter on every call and ran slower than our SIMD matmul here).
 * cols(x) is packed block by block straight into A panels (never materialised whole); W is packed
 * once per call; bias and relu are applied while copying each result block out.
 */
export function conv2dWasm(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DAttrs,
  epilogue: { bias?: TensorInfo; prelu?: TensorInfo; activation: string; leakyreluAlpha?: number } | undefined,
): TensorInfo {
  const { strides, pad, dilations, dimRoundingMode } = attrs;
  const conv = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const rows = conv.filterHeight * conv.filterWidth * conv.inChannels;
  const outChannels = conv.outChannels;
  const steps = conv.batchSize * conv.outHeight * conv.outWidth;
  const context = kernelContext(backend);
  const out = backend.makeOutput(conv.outShape, "float32");
  if (steps === 0 || outChannels === 0) return out;

  const nPanels = Math.ceil(outChannels / NR);
  const ldc = nPanels * NR;
  // With a multiple of 4 channels, blocks hold whole filter taps (the vector packing path needs that).
  const channels = conv.inChannels;
  const kc = Math.max(
    1,
    channels % 4 === 0 && rows > CONV_K_BLOCK ? Math.max(1, Math.floor(CONV_K_BLOCK / channels)) * channels : Math.min(rows, CONV_K_BLOCK),
  );
  const kBlocks = Math.ceil(rows / kc);
  const blockRows = Math.max(MR, Math.floor(BLOCK_FLOATS / Math.max(kc, ldc) / MR) * MR);
  const [pa, pb, pc, zeros] = context.scratch.reserve([
    blockRows * kc,
    nPanels * NR * (kBlocks === 1 ? rows : kc),
    blockRows * ldc,
    channels,
  ]) as [number, number, number, number];

  const heap = heapF32(backend);
  heap.fill(0, zeros >>> 2, (zeros >>> 2) + channels);
  const xBase = heapIndex(backend, x);
  const wBase = heapIndex(backend, filter);
  const outBase = heapIndex(backend, out);
  const outShape = [steps, outChannels];
  const fused: Epilogue | undefined =
    epilogue === undefined || (epilogue.activation === "linear" && epilogue.bias === undefined)
      ? undefined
      : {
          activation: epilogue.activation as Epilogue["activation"],
          leakyreluAlpha: epilogue.leakyreluAlpha ?? 0.2,
          ...(epilogue.bias !== undefined
            ? { bias: broadcastOperand(heapIndex(backend, epilogue.bias), epilogue.bias.shape, outShape) }
            : {}),
          ...(epilogue.prelu !== undefined
            ? { prelu: broadcastOperand(heapIndex(backend, epilogue.prelu), epilogue.prelu.shape, outShape) }
            : {}),
        };
  // B(i, co) = W[i*CO + co]: panels of 8 output channels along the filter rows.
  if (kBlocks === 1) packPanels(context.wasm, wBase, 1, outChannels, outChannels, 0, rows, NR, pb >>> 2);
  for (let m0 = 0; m0 < steps; m0 += blockRows) {
    const count = Math.min(blockRows, steps - m0);
    const mPanels = Math.ceil(count / MR);
    const gemm = chooseGemm(context.wasm, mPanels, nPanels, kc);
    for (let k0 = 0; k0 < rows; k0 += kc) {
      const kl = Math.min(kc, rows - k0);
      packIm2colRows(context.wasm, heap, xBase, conv, m0, count, k0, kl, pa >>> 2, zeros >>> 2);
      if (kBlocks > 1) packPanels(context.wasm, wBase, 1, outChannels, outChannels, k0, kl, NR, pb >>> 2);
      gemm(pa, kl * MR * 4, pb, kl * NR * 4, pc, ldc * 4, mPanels, nPanels, 0, kl, k0 > 0 ? 1 : 0);
    }
    const rowFused: Epilogue | undefined =
      fused === undefined
        ? undefined
        : {
            ...fused,
            ...(fused.bias !== undefined ? { bias: { ...fused.bias, base: fused.bias.base + m0 * fused.bias.rowStride } } : {}),
            ...(fused.prelu !== undefined ? { prelu: { ...fused.prelu, base: fused.prelu.base + m0 * fused.prelu.rowStride } } : {}),
          };
    applyEpilogueFast(context.wasm, heap, pc >>> 2, ldc, outBase + m0 * outChannels, count, outChannels, 0, rowFused);
  }
  return out;
}

/** Whether our kernel covers these inputs; otherwise the stock kernel runs (it has the same limits). */
function supported(x: TensorInfo, attrs: Conv2DAttrs, bias?: TensorInfo, prelu?: TensorInfo, activation = "linear"): boolean {
  const outChannelsOk = (t: TensorInfo | undefined) => t === undefined || t.shape.length <= 1;
  return (
    attrs.dataFormat === "NHWC" && x.dtype === "float32" && outChannelsOk(bias) && outChannelsOk(prelu) && isFusedActivation(activation)
  );
}

export function conv2dConfig(stock: KernelConfig | undefined): KernelConfig {
  const kernelFunc = (args: { inputs: { x: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DAttrs }) => {
    if (!supported(args.inputs.x, args.attrs) && stock !== undefined) return stock.kernelFunc(args as unknown as Parameters<KernelFunc>[0]);
    return conv2dWasm(args.backend, args.inputs.x, args.inputs.filter, args.attrs, undefined);
  };
  return {
    kernelName: Conv2D,
    backendName: "wasm",
    kernelFunc: kernelFunc as unknown as KernelFunc,
    ...(stock?.setupFunc !== undefined ? { setupFunc: stock.setupFunc } : {}),
  };
}

export function fusedConv2dConfig(stock: KernelConfig | undefined): KernelConfig {
  const kernelFunc = (args: {
    inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    backend: BackendWasm;
    attrs: FusedConv2DAttrs;
  }) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    if (!supported(x, args.attrs, bias, preluActivationWeights, args.attrs.activation) && stock !== undefined) {
      return stock.kernelFunc(args as unknown as Parameters<KernelFunc>[0]);
    }
    return conv2dWasm(args.backend, x, filter, args.attrs, {
      ...(bias !== undefined ? { bias } : {}),
      ...(preluActivationWeights !== undefined ? { prelu: preluActivationWeights } : {}),
      activation: args.attrs.activation,
      ...(args.attrs.leakyreluAlpha !== undefined ? { leakyreluAlpha: args.attrs.leakyreluAlpha } : {}),
    });
  };
  return {
    kernelName: FusedConv2D,
    backendName: "wasm",
    kernelFunc: kernelFunc as unknown as KernelFunc,
    ...(stock?.setupFunc !== undefined ? { setupFunc: stock.setupFunc } : {}),
  };
}
