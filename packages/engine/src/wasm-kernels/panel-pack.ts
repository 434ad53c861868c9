import { FunctionBuilder, type Local } from "./wasm-assembler.js";

/**
 * Packing of a strided matrix view into the panel layout the SIMD kernel reads, as WebAssembly.
 *
 * The view is  V(o, k) = src[o*outerStride + k*kStride]  (byte strides). Panel p holds rows
 * o = p*width .. p*width+width-1 as [kLength][width] floats (k-major) at dst + p*kLength*width*4.
 * Rows past `outerCount` are zeros, so the kernel can always compute whole tiles.
 *
 * For A (width MR = 4) the outer index is the row i of op(A); for B (width NR = 8) the column j of
 * op(B). A transposed operand is only other strides: that is how the matmul kernels avoid
 * transposing anything. When the `width` values of one k are contiguous (outerStride = 4 bytes)
 * whole panels are copied with 128-bit loads and stores.
 */
export interface PackPanels {
  packPanels(
    src: number,
    outerStrideBytes: number,
    kStrideBytes: number,
    outerCount: number,
    panels: number,
    kLength: number,
    width: number,
    dst: number,
  ): void;
}

export function buildPackPanels(): FunctionBuilder {
  const f = new FunctionBuilder("packPanels", ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"]);
  const [src, outerStride, kStride, outerCount, panels, kLength, width, dst] = f.params as [
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
  ];
  const p = f.local("i32");
  const rows = f.local("i32");
  const panel = f.local("i32");
  const widthBytes = f.local("i32");
  const s = f.local("i32");
  const d = f.local("i32");
  const k = f.local("i32");
  const r = f.local("i32");
  const end = f.local("i32");

  f.get(width).i32Const(2).i32Shl().set(widthBytes);
  f.forRange(p, 0, panels, () => {
    // rows = min(width, outerCount - p*width)
    f.get(outerCount).get(p).get(width).i32Mul().i32Sub().set(rows);
    f.get(width).get(rows).get(rows).get(width).i32GtS().select().set(rows);
    f.get(dst).get(p).get(kLength).i32Mul().get(widthBytes).i32Mul().i32Add().set(panel);
    f.get(src).get(p).get(width).i32Mul().get(outerStride).i32Mul().i32Add().set(s);
    f.get(rows).get(width).i32Eq().get(outerStride).i32Const(4).i32Eq().i32And().if();
    {
      f.get(panel).set(d);
      f.get(width).i32Const(4).i32Eq().if();
      f.forRange(k, 0, kLength, () => {
        f.get(d).get(s).v128Load(0).v128Store(0);
        f.addLocal(s, kStride).addConst(d, 16);
      });
      f.else();
      f.forRange(k, 0, kLength, () => {
        f.get(d).get(s).v128Load(0).v128Store(0);
        f.get(d).get(s).v128Load(16).v128Store(16);
        f.addLocal(s, kStride).addConst(d, 32);
      });
      f.end();
    }
    f.else();
    {
      // A partial panel: zero it, then copy row by row.
      f.get(rows).get(width).i32LtS().if();
      f.get(panel).get(kLength).get(widthBytes).i32Mul().i32Add().set(end);
      f.get(panel).set(d);
      f.block().loop();
      f.get(d).get(end).i32GeU().brIf(1);
      f.get(d).v128Zero().v128Store(0);
      f.addConst(d, 16).br(0);
      f.end().end();
      f.end();
      f.forRange(r, 0, rows, () => {
        f.get(src).get(p).get(width).i32Mul().get(r).i32Add().get(outerStride).i32Mul().i32Add().set(s);
        f.get(panel).get(r).i32Const(2).i32Shl().i32Add().set(d);
        f.forRange(k, 0, kLength, () => {
          f.get(d).get(s).f32Load(0).f32Store(0);
          f.addLocal(s, kStride).addLocal(d, widthBytes);
        });
      });
    }
    f.end();
  });
  return f;
}

/**
 * Packs V(o, k) = heap[offset + o*outerStride + k*kStride] for o < outerCount and
 * kStart <= k < kStart + kLength into panels of `width` at float index `dst`. Offsets and strides in floats.
 */
export function packPanels(
  wasm: PackPanels,
  offset: number,
  outerStride: number,
  kStride: number,
  outerCount: number,
  kStart: number,
  kLength: number,
  width: number,
  dst: number,
): void {
  wasm.packPanels(
    (offset + kStart * kStride) * 4,
    outerStride * 4,
    kStride * 4,
    outerCount,
    Math.ceil(outerCount / width),
    kLength,
    width,
    dst * 4,
  );
}
