import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { MaxPoolGrad, backend_util, type KernelConfig, type KernelFunc, type MaxPoolGradAttrs, type TensorInfo } from "@tensorflow/tfjs-core";
import { heapF32, heapIndex, makeZeroOutput } from "./wasm-heap.js";

/**
 * Max-pool gradient (replaces the stock wasm kernel, about twice as slow): each output's dy goes to
 * the first position of its window holding the window maximum, scanning rows then columns with a
 * strict `>` from -Infinity, which is the cpu backend's rule (ties go to the first, a window of NaN
 * or -Infinity passes no gradient). Overlapping windows add up. NHWC, channels innermost, so the
 * scan keeps one running maximum per channel and reads memory contiguously.
 */
export function maxPoolGradWasm(backend: BackendWasm, dy: TensorInfo, x: TensorInfo, attrs: MaxPoolGradAttrs): TensorInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight, effectiveFilterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const out = makeZeroOutput(backend, x.shape, "float32");
  const heap = heapF32(backend);
  const xBase = heapIndex(backend, x);
  const dyBase = heapIndex(backend, dy);
  const dxBase = heapIndex(backend, out);
  const best = new Float64Array(channels);
  const where = new Int32Array(channels);
  const rowStride = inWidth * channels;
  let dyIndex = dyBase;
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * rowStride;
    for (let oy = 0; oy < outHeight; oy++) {
      const r0 = oy * strideHeight - padTop;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(inHeight, r0 + effectiveFilterHeight);
      for (let ox = 0; ox < outWidth; ox++, dyIndex += channels) {
        const c0 = ox * strideWidth - padLeft;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(inWidth, c0 + effectiveFilterWidth);
        best.fill(Number.NEGATIVE_INFINITY);
        where.fill(-1);
        for (let r = rMin; r < rMax; r++) {
          for (let col = cMin; col < cMax; col++) {
            const pixel = image + r * rowStride + col * channels;
            const src = xBase + pixel;
            for (let c = 0; c < channels; c++) {
              const v = heap[src + c]!;
              if (v > best[c]!) {
                best[c] = v;
                where[c] = pixel + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) {
          const w = where[c]!;
          if (w >= 0) heap[dxBase + w] = heap[dxBase + w]! + heap[dyIndex + c]!;
        }
      }
    }
  }
  return out;
}

function maxPoolGradKernel(args: {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: BackendWasm;
  attrs: MaxPoolGradAttrs;
}): TensorInfo {
  return maxPoolGradWasm(args.backend, args.inputs.dy, args.inputs.input, args.attrs);
}

export function maxPoolGradConfig(stock: KernelConfig | undefined): KernelConfig {
  return {
    kernelName: MaxPoolGrad,
    backendName: "wasm",
    kernelFunc: maxPoolGradKernel as unknown as KernelFunc,
    ...(stock?.setupFunc !== undefined ? { setupFunc: stock.setupFunc } : {}),
  };
}
