import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  DepthwiseConv2dNativeBackpropInput,
  backend_util,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { heapF32, heapIndex } from "./wasm-heap.js";

/**
 * Input gradient of a depthwise convolution (missing from tfjs-backend-wasm). NHWC; filter
 * [KH, KW, C, multiplier]. Each dy value is scattered onto the input pixels its window covered:
 *   dx[b, iy, ix, c] += dy[b, oy, ox, c*multiplier + q] * W[ky, kx, c, q]
 * Plain JavaScript with float64 accumulators.
 */
export function depthwiseConv2dBackpropInputWasm(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: DepthwiseConv2dNativeBackpropInputAttrs,
): TensorInfo {
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const conv = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = conv;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = conv;
  const multiplier = outChannels / inChannels;
  const padTop = conv.padInfo.top;
  const padLeft = conv.padInfo.left;
  const out = backend.makeOutput([...inputShape], "float32");
  const heap = heapF32(backend);
  const dyBase = heapIndex(backend, dy);
  const wBase = heapIndex(backend, filter);
  const sums = new Float64Array(batchSize * inHeight * inWidth * inChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const dyPixel = dyBase + ((b * outHeight + oy) * outWidth + ox) * outChannels;
        for (let ky = 0; ky < filterHeight; ky++) {
          const iy = oy * strideHeight - padTop + ky * dilationHeight;
          if (iy < 0 || iy >= inHeight) continue;
          for (let kx = 0; kx < filterWidth; kx++) {
            const ix = ox * strideWidth - padLeft + kx * dilationWidth;
            if (ix < 0 || ix >= inWidth) continue;
            const dxPixel = ((b * inHeight + iy) * inWidth + ix) * inChannels;
            const tap = wBase + (ky * filterWidth + kx) * outChannels;
            for (let c = 0; c < inChannels; c++) {
              let sum = 0;
              for (let q = 0; q < multiplier; q++) {
                const d = c * multiplier + q;
                sum += heap[dyPixel + d]! * heap[tap + d]!;
              }
              sums[dxPixel + c] = sums[dxPixel + c]! + sum;
            }
          }
        }
      }
    }
  }
  heap.set(sums, heapIndex(backend, out));
  return out;
}

function depthwiseConv2dBackpropInputKernel(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  return depthwiseConv2dBackpropInputWasm(args.backend, args.inputs.dy, args.inputs.filter, args.attrs);
}

export const depthwiseConv2dBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: "wasm",
  kernelFunc: depthwiseConv2dBackpropInputKernel as unknown as KernelFunc,
};
