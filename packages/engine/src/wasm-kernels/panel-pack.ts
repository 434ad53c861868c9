/**
 * Packing of a strided matrix view into the panel layout the SIMD kernel reads.
 *
 * The view is  V(o, k) = heap[offset + o*outerStride + k*kStride]. Panel p holds rows
 * o = p*width .. p*width+width-1 as [kLength][width] floats (k-major) at dst + p*kLength*width.
 * Rows past `outerCount` are written as zeros, so the kernel can always compute whole tiles.
 *
 * For A (MR = 4 wide) the outer index is the row i of op(A); for B (NR = 8 wide) it is the column j
 * of op(B). A transposed operand is just other strides: that is how the matmul kernels avoid
 * transposing anything.
 */
export function packPanels(
  heap: Float32Array,
  offset: number,
  outerStride: number,
  kStride: number,
  outerCount: number,
  kStart: number,
  kLength: number,
  width: number,
  dst: number,
): void {
  const panels = Math.ceil(outerCount / width);
  for (let p = 0; p < panels; p++) {
    const o0 = p * width;
    const rows = Math.min(width, outerCount - o0);
    const panel = dst + p * kLength * width;
    if (rows < width) {
      for (let k = 0; k < kLength; k++) heap.fill(0, panel + k * width + rows, panel + k * width + width);
    }
    if (outerStride === 1) {
      // The `width` values of one k are contiguous in the source.
      let src = offset + o0 + kStart * kStride;
      let d = panel;
      if (rows === 4 && width === 4) {
        for (let k = 0; k < kLength; k++, src += kStride, d += 4) {
          heap[d] = heap[src]!;
          heap[d + 1] = heap[src + 1]!;
          heap[d + 2] = heap[src + 2]!;
          heap[d + 3] = heap[src + 3]!;
        }
      } else if (rows === 8 && width === 8) {
        for (let k = 0; k < kLength; k++, src += kStride, d += 8) {
          heap[d] = heap[src]!;
          heap[d + 1] = heap[src + 1]!;
          heap[d + 2] = heap[src + 2]!;
          heap[d + 3] = heap[src + 3]!;
          heap[d + 4] = heap[src + 4]!;
          heap[d + 5] = heap[src + 5]!;
          heap[d + 6] = heap[src + 6]!;
          heap[d + 7] = heap[src + 7]!;
        }
      } else {
        for (let k = 0; k < kLength; k++, src += kStride, d += width) {
          for (let r = 0; r < rows; r++) heap[d + r] = heap[src + r]!;
        }
      }
    } else {
      // Walk each source row along k (contiguous when kStride is 1), writing every `width`-th float.
      for (let r = 0; r < rows; r++) {
        let src = offset + (o0 + r) * outerStride + kStart * kStride;
        let d = panel + r;
        for (let k = 0; k < kLength; k++, src += kStride, d += width) heap[d] = heap[src]!;
      }
    }
  }
}
