import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  DepthwiseConv2dNativeBackpropFilter,
  backend_util,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { heapF32, heapIndex } from "./wasm-heap.js";

/**
 * Filter gradient of a depthwise convolution (missing from tfjs-backend-wasm; needed to train
 * DepthwiseConv2D layers). NHWC; filter [KH, KW, C, multiplier]:
 *   dW[ky, kx, c, q] = sum over (b, oy, ox) of x[b, iy, ix, c] * dy[b, oy, ox, c*multiplier + q]
 * Plain JavaScript with float64 accumulators: the work is small next to a regular convolution.
 */
export function depthwiseConv2dBackpropFilterWasm(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs,
): TensorInfo {
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const conv = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
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
  const out = backend.makeOutput([...filterShape], "float32");
  const heap = heapF32(backend);
  const xBase = heapIndex(backend, x);
  const dyBase = heapIndex(backend, dy);
  const sums = new Float64Array(filterHeight * filterWidth * outChannels);
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
            const xPixel = xBase + ((b * inHeight + iy) * inWidth + ix) * inChannels;
            const tap = (ky * filterWidth + kx) * outChannels;
            for (let c = 0; c < inChannels; c++) {
              const value = heap[xPixel + c]!;
              for (let q = 0; q < multiplier; q++) {
                const d = c * multiplier + q;
                sums[tap + d] = sums[tap + d]! + value * heap[dyPixel + d]!;
              }
            }
          }
        }
      }
    }
  }
  heap.set(sums, heapIndex(backend, out));
  return out;
}

function depthwiseConv2dBackpropFilterKernel(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  return depthwiseConv2dBackpropFilterWasm(args.backend, args.inputs.x, args.inputs.dy, args.attrs);
}

export const depthwiseConv2dBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: "wasm",
  kernelFunc: depthwiseConv2dBackpropFilterKernel as unknown as KernelFunc,
};
