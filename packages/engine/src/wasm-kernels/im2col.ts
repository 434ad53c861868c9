import type { backend_util } from "@tensorflow/tfjs-core";
import { MR } from "./simd-gemm.js";

/**
 * The two data movements of convolution-as-matmul, for NHWC tensors:
 *
 * - `packIm2colTransposed` writes cols(x)^T for a block of output positions directly as A panels
 *   (rows i = (filterRow, filterCol, inChannel), k = output position m), zero where the filter hangs
 *   over the padding;
 * - `col2imAdd` scatters rows of d(cols) back onto the input gradient, adding where windows overlap.
 */
type ConvInfo = backend_util.Conv2DInfo;

export function packIm2colTransposed(heap: Float32Array, xBase: number, conv: ConvInfo, m0: number, kLength: number, dst: number): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = conv;
  const { filterHeight, filterWidth } = conv;
  const padTop = conv.padInfo.top;
  const padLeft = conv.padInfo.left;
  const rows = filterHeight * filterWidth * inChannels;
  const panelStride = kLength * MR;
  const lastPanelRows = rows % MR;
  if (lastPanelRows !== 0) {
    // Lanes past the last row of the last panel must be zero for the whole block.
    const last = dst + Math.floor(rows / MR) * panelStride;
    for (let k = 0; k < kLength; k++) heap.fill(0, last + k * MR + lastPanelRows, last + k * MR + MR);
  }
  const perImage = outHeight * outWidth;
  const rowStride = inWidth * inChannels;
  const imageStride = inHeight * rowStride;
  let b = Math.floor(m0 / perImage);
  let rest = m0 - b * perImage;
  let oy = Math.floor(rest / outWidth);
  let ox = rest - oy * outWidth;
  for (let mm = 0; mm < kLength; mm++) {
    const imageBase = xBase + b * imageStride;
    let i = 0;
    for (let ky = 0; ky < filterHeight; ky++) {
      const iy = oy * strideHeight - padTop + ky * dilationHeight;
      const rowInside = iy >= 0 && iy < inHeight;
      for (let kx = 0; kx < filterWidth; kx++) {
        const ix = ox * strideWidth - padLeft + kx * dilationWidth;
        // d walks the A panels: +1 within a panel's 4 lanes, then on to the next panel.
        let lane = i & (MR - 1);
        let d = dst + (i >> 2) * panelStride + mm * MR + lane;
        if (rowInside && ix >= 0 && ix < inWidth) {
          let src = imageBase + iy * rowStride + ix * inChannels;
          for (let c = 0; c < inChannels; c++, src++) {
            heap[d] = heap[src]!;
            if (++lane === MR) {
              lane = 0;
              d += panelStride - (MR - 1);
            } else d++;
          }
        } else {
          for (let c = 0; c < inChannels; c++) {
            heap[d] = 0;
            if (++lane === MR) {
              lane = 0;
              d += panelStride - (MR - 1);
            } else d++;
          }
        }
        i += inChannels;
      }
    }
    if (++ox === outWidth) {
      ox = 0;
      if (++oy === outHeight) {
        oy = 0;
        b++;
      }
    }
  }
}

/**
 * dx[pixel(m, i)] += dcols[m - m0][i] for the `count` output positions starting at m0, where dcols
 * rows are `ldc` floats apart. dx is NHWC.
 */
export function col2imAdd(heap: Float32Array, dcols: number, ldc: number, dxBase: number, conv: ConvInfo, m0: number, count: number): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = conv;
  const { filterHeight, filterWidth } = conv;
  const padTop = conv.padInfo.top;
  const padLeft = conv.padInfo.left;
  const perImage = outHeight * outWidth;
  const rowStride = inWidth * inChannels;
  const imageStride = inHeight * rowStride;
  let b = Math.floor(m0 / perImage);
  let rest = m0 - b * perImage;
  let oy = Math.floor(rest / outWidth);
  let ox = rest - oy * outWidth;
  for (let mm = 0; mm < count; mm++) {
    const imageBase = dxBase + b * imageStride;
    const srcRow = dcols + mm * ldc;
    for (let ky = 0; ky < filterHeight; ky++) {
      const iy = oy * strideHeight - padTop + ky * dilationHeight;
      if (iy < 0 || iy >= inHeight) continue;
      for (let kx = 0; kx < filterWidth; kx++) {
        const ix = ox * strideWidth - padLeft + kx * dilationWidth;
        if (ix < 0 || ix >= inWidth) continue;
        let src = srcRow + (ky * filterWidth + kx) * inChannels;
        let dst = imageBase + iy * rowStride + ix * inChannels;
        for (let c = 0; c < inChannels; c++, src++, dst++) heap[dst] = heap[dst]! + heap[src]!;
      }
    }
    if (++ox === outWidth) {
      ox = 0;
      if (++oy === outHeight) {
        oy = 0;
        b++;
      }
    }
  }
}
