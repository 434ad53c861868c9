import type { backend_util } from "@tensorflow/tfjs-core";
import { FunctionBuilder, type Local } from "./wasm-assembler.js";

/**
 * The two data movements of convolution-as-matmul for NHWC tensors, as WebAssembly:
 *
 * - `im2colPanels` writes cols(x)^T for a block of output positions directly as A panels of the
 *   SIMD kernel (rows i = (filterRow, filterCol, inChannel), k = output position m), zero where the
 *   filter hangs over the padding. The im2col matrix itself never exists.
 * - `col2imAdd` scatters rows of d(cols) back onto the input gradient, adding where windows overlap.
 *
 * Both walk output positions m = (b, oy, ox) incrementally from a start (b0, oy0, ox0), so there is
 * no division in the loops. With a multiple of 4 input channels the inner copies are 128-bit.
 */
export type ConvInfo = backend_util.Conv2DInfo;

export interface Im2colFunctions {
  im2colPanels(
    x: number,
    inHeight: number,
    inWidth: number,
    inChannels: number,
    outHeight: number,
    outWidth: number,
    strideHeight: number,
    strideWidth: number,
    dilationHeight: number,
    dilationWidth: number,
    padTop: number,
    padLeft: number,
    filterHeight: number,
    filterWidth: number,
    b0: number,
    oy0: number,
    ox0: number,
    kLength: number,
    dst: number,
  ): void;
  im2colRowPanels(...args: Parameters<Im2colFunctions["im2colPanels"]>): void;
  col2imRowAdd(...args: Parameters<Im2colFunctions["col2imAdd"]>): void;
  col2imAdd(
    dcols: number,
    ldcBytes: number,
    dx: number,
    inHeight: number,
    inWidth: number,
    inChannels: number,
    outHeight: number,
    outWidth: number,
    strideHeight: number,
    strideWidth: number,
    dilationHeight: number,
    dilationWidth: number,
    padTop: number,
    padLeft: number,
    filterHeight: number,
    filterWidth: number,
    b0: number,
    oy0: number,
    ox0: number,
    count: number,
  ): void;
}

type Geometry13 = [number, number, number, number, number, number, number, number, number, number, number, number, number];

/** The geometry arguments shared by both functions, from a tfjs conv info. */
export function convGeometry(conv: ConvInfo): number[] {
  return [
    conv.inHeight,
    conv.inWidth,
    conv.inChannels,
    conv.outHeight,
    conv.outWidth,
    conv.strideHeight,
    conv.strideWidth,
    conv.dilationHeight,
    conv.dilationWidth,
    conv.padInfo.top,
    conv.padInfo.left,
    conv.filterHeight,
    conv.filterWidth,
  ];
}

/** (b, oy, ox) of output position m. */
export function outputPosition(conv: ConvInfo, m: number): [number, number, number] {
  const perImage = conv.outHeight * conv.outWidth;
  const b = Math.floor(m / perImage);
  const rest = m - b * perImage;
  const oy = Math.floor(rest / conv.outWidth);
  return [b, oy, rest - oy * conv.outWidth];
}

interface Geometry {
  inHeight: Local;
  inWidth: Local;
  inChannels: Local;
  outHeight: Local;
  outWidth: Local;
  strideHeight: Local;
  strideWidth: Local;
  dilationHeight: Local;
  dilationWidth: Local;
  padTop: Local;
  padLeft: Local;
  filterHeight: Local;
  filterWidth: Local;
  b: Local;
  oy: Local;
  ox: Local;
}

function geometry(params: readonly Local[], first: number): Geometry {
  const names = [
    "inHeight", "inWidth", "inChannels", "outHeight", "outWidth", "strideHeight", "strideWidth",
    "dilationHeight", "dilationWidth", "padTop", "padLeft", "filterHeight", "filterWidth", "b", "oy", "ox",
  ] as const;
  const g = {} as Record<(typeof names)[number], Local>;
  names.forEach((name, i) => (g[name] = params[first + i]!));
  return g;
}

/** ox++, carrying into oy and b. */
function advancePosition(f: FunctionBuilder, g: Geometry): void {
  f.addConst(g.ox, 1);
  f.get(g.ox).get(g.outWidth).i32Eq().if();
  f.i32Const(0).set(g.ox).addConst(g.oy, 1);
  f.get(g.oy).get(g.outHeight).i32Eq().if();
  f.i32Const(0).set(g.oy).addConst(g.b, 1);
  f.end();
  f.end();
}

export function buildIm2colPanels(): FunctionBuilder {
  const f = new FunctionBuilder("im2colPanels", new Array(19).fill("i32"));
  const x = f.params[0]!;
  const g = geometry(f.params, 1);
  const kLength = f.params[17]!;
  const dst = f.params[18]!;
  const mm = f.local("i32"), ky = f.local("i32"), kx = f.local("i32"), c = f.local("i32"), iy = f.local("i32"), ix = f.local("i32"), i = f.local("i32"), lane = f.local("i32"), d = f.local("i32"), src = f.local("i32"), image = f.local("i32"), rowInside = f.local("i32"), panelStride = f.local("i32"), rowStride = f.local("i32"), imageStride = f.local("i32"), pixelStride = f.local("i32"), vector = f.local("i32");

  f.get(kLength).i32Const(4).i32Shl().set(panelStride);
  f.get(g.inChannels).i32Const(2).i32Shl().set(pixelStride);
  f.get(g.inWidth).get(pixelStride).i32Mul().set(rowStride);
  f.get(g.inHeight).get(rowStride).i32Mul().set(imageStride);
  f.get(g.inChannels).i32Const(3).i32And().i32Eqz().set(vector);
  f.forRange(mm, 0, kLength, () => {
    f.get(x).get(g.b).get(imageStride).i32Mul().i32Add().set(image);
    f.i32Const(0).set(i);
    f.forRange(ky, 0, g.filterHeight, () => {
      // iy = oy*strideH - padTop + ky*dilationH; inside when 0 <= iy < inHeight (one unsigned compare)
      f.get(g.oy).get(g.strideHeight).i32Mul().get(g.padTop).i32Sub().get(ky).get(g.dilationHeight).i32Mul().i32Add().set(iy);
      f.get(iy).get(g.inHeight).i32LtU().set(rowInside);
      f.forRange(kx, 0, g.filterWidth, () => {
        f.get(g.ox).get(g.strideWidth).i32Mul().get(g.padLeft).i32Sub().get(kx).get(g.dilationWidth).i32Mul().i32Add().set(ix);
        f.get(i).i32Const(3).i32And().set(lane);
        // d = dst + (i >> 2) * panelStride + mm*16 + lane*4
        f.get(dst).get(i).i32Const(2).i32ShrU().get(panelStride).i32Mul().i32Add()
          .get(mm).i32Const(4).i32Shl().i32Add().get(lane).i32Const(2).i32Shl().i32Add().set(d);
        f.get(rowInside).get(ix).get(g.inWidth).i32LtU().i32And().if();
        {
          f.get(image).get(iy).get(rowStride).i32Mul().i32Add().get(ix).get(pixelStride).i32Mul().i32Add().set(src);
          f.get(vector).if();
          f.forRange(c, 0, g.inChannels, () => {
            f.get(d).get(src).v128Load(0).v128Store(0);
            f.addLocal(d, panelStride).addConst(src, 16);
          }, 4);
          f.else();
          f.forRange(c, 0, g.inChannels, () => {
            f.get(d).get(src).f32Load(0).f32Store(0);
            f.addConst(src, 4);
            stepLane(f, lane, d, panelStride);
          });
          f.end();
        }
        f.else();
        {
          f.forRange(c, 0, g.inChannels, () => {
            f.get(d).f32Const(0).f32Store(0);
            stepLane(f, lane, d, panelStride);
          });
        }
        f.end();
        f.get(i).get(g.inChannels).i32Add().set(i);
      });
    });
    advancePosition(f, g);
  });
  return f;
}

/**
 * The same packing for any channel count, walking one row i = (ky, kx, ci) at a time: along the
 * output positions the source pixel moves by a constant stride, so the inner loop is a strided
 * copy into one lane of the panels. Used when inChannels is not a multiple of 4 (the per-position
 * walk would spend its time on loop control, e.g. for a 1-channel first layer).
 */
export function buildIm2colRowPanels(): FunctionBuilder {
  const f = new FunctionBuilder("im2colRowPanels", new Array(19).fill("i32"));
  const x = f.params[0]!;
  const g = geometry(f.params, 1);
  const kLength = f.params[17]!;
  const dst = f.params[18]!;
  walkRows(f, g, kLength, (row) => {
    // d walks lane (i & 3) of the panels of row i: dst + (i >> 2)*panelStride + (i & 3)*4
    f.get(dst).get(row.i).i32Const(2).i32ShrU().get(row.panelStride).i32Mul().i32Add().get(row.i).i32Const(3).i32And().i32Const(2).i32Shl().i32Add().set(row.d);
    return {
      inside: () => {
        // s = x + ((b*inH + iy)*inW + ix0)*inC*4 + ci*4
        f.get(x).get(row.b).get(g.inHeight).i32Mul().get(row.iy).i32Add().get(g.inWidth).i32Mul().get(row.ix).i32Add().get(g.inChannels).i32Mul().get(row.ci).i32Add().i32Const(2).i32Shl().i32Add().set(row.s);
        f.forRange(row.j, 0, row.run, () => {
          f.get(row.ix).get(g.inWidth).i32LtU().if();
          f.get(row.d).get(row.s).f32Load(0).f32Store(0);
          f.else();
          f.get(row.d).f32Const(0).f32Store(0);
          f.end();
          f.addLocal(row.s, row.xStep).addConst(row.d, 16).addLocal(row.ix, g.strideWidth);
        });
      },
      outside: () => {
        f.forRange(row.j, 0, row.run, () => {
          f.get(row.d).f32Const(0).f32Store(0);
          f.addConst(row.d, 16);
        });
      },
    };
  });
  return f;
}

/** col2im walking one row i = (ky, kx, ci) at a time; see buildIm2colRowPanels. */
export function buildCol2imRowAdd(): FunctionBuilder {
  const f = new FunctionBuilder("col2imRowAdd", new Array(20).fill("i32"));
  const [dcols, ldc, dx] = f.params as [Local, Local, Local];
  const g = geometry(f.params, 3);
  const count = f.params[19]!;
  walkRows(f, g, count, (row) => {
    // d walks column i of d(cols): dcols + i*4, then + ldc per position
    f.get(dcols).get(row.i).i32Const(2).i32Shl().i32Add().set(row.d);
    return {
      inside: () => {
        f.get(dx).get(row.b).get(g.inHeight).i32Mul().get(row.iy).i32Add().get(g.inWidth).i32Mul().get(row.ix).i32Add().get(g.inChannels).i32Mul().get(row.ci).i32Add().i32Const(2).i32Shl().i32Add().set(row.s);
        f.forRange(row.j, 0, row.run, () => {
          f.get(row.ix).get(g.inWidth).i32LtU().if();
          f.get(row.s).get(row.s).f32Load(0).get(row.d).f32Load(0).f32Add().f32Store(0);
          f.end();
          f.addLocal(row.s, row.xStep).addLocal(row.d, ldc).addLocal(row.ix, g.strideWidth);
        });
      },
      outside: () => {
        f.get(row.d).get(row.run).get(ldc).i32Mul().i32Add().set(row.d);
      },
    };
  });
  return f;
}

interface RowWalk {
  /** The image of the current run. */
  b: Local;
  i: Local;
  ci: Local;
  iy: Local;
  ix: Local;
  j: Local;
  run: Local;
  s: Local;
  d: Local;
  xStep: Local;
  panelStride: Local;
}

/**
 * For each row i = (ky, kx, ci): set up (via `start`), then for each run of output positions along
 * one output row: `inside` when that input row exists (ix starts at the run's first column and the
 * callee steps it), `outside` when it falls in the padding.
 */
function walkRows(
  f: FunctionBuilder,
  g: Geometry,
  count: Local,
  start: (row: RowWalk) => { inside: () => void; outside: () => void },
): void {
  const row: RowWalk = {
    b: f.local("i32"),
    i: f.local("i32"),
    ci: f.local("i32"),
    iy: f.local("i32"),
    ix: f.local("i32"),
    j: f.local("i32"),
    run: f.local("i32"),
    s: f.local("i32"),
    d: f.local("i32"),
    xStep: f.local("i32"),
    panelStride: f.local("i32"),
  };
  const ky = f.local("i32");
  const kx = f.local("i32");
  const rows = f.local("i32");
  const left = f.local("i32");
  const oy = f.local("i32");
  const ox = f.local("i32");
  f.get(count).i32Const(4).i32Shl().set(row.panelStride);
  f.get(g.strideWidth).get(g.inChannels).i32Mul().i32Const(2).i32Shl().set(row.xStep);
  f.get(g.filterHeight).get(g.filterWidth).i32Mul().get(g.inChannels).i32Mul().set(rows);
  f.i32Const(0).set(ky).i32Const(0).set(kx).i32Const(0).set(row.ci);
  f.forRange(row.i, 0, rows, () => {
    const body = start(row);
    f.get(g.b).set(row.b).get(g.oy).set(oy).get(g.ox).set(ox);
    f.get(count).set(left);
    f.block().loop();
    {
      f.get(left).i32Const(0).i32LeS().brIf(1);
      // run = min(outWidth - ox, left)
      f.get(g.outWidth).get(ox).i32Sub().set(row.run);
      f.get(left).get(row.run).get(left).get(row.run).i32LtS().select().set(row.run);
      f.get(oy).get(g.strideHeight).i32Mul().get(g.padTop).i32Sub().get(ky).get(g.dilationHeight).i32Mul().i32Add().set(row.iy);
      f.get(ox).get(g.strideWidth).i32Mul().get(g.padLeft).i32Sub().get(kx).get(g.dilationWidth).i32Mul().i32Add().set(row.ix);
      f.get(row.iy).get(g.inHeight).i32LtU().if();
      body.inside();
      f.else();
      body.outside();
      f.end();
      f.get(left).get(row.run).i32Sub().set(left);
      f.get(ox).get(row.run).i32Add().set(ox);
      f.get(ox).get(g.outWidth).i32Eq().if();
      f.i32Const(0).set(ox).addConst(oy, 1);
      f.get(oy).get(g.outHeight).i32Eq().if();
      f.i32Const(0).set(oy).addConst(row.b, 1);
      f.end();
      f.end();
      f.br(0);
    }
    f.end().end();
    // next (ky, kx, ci)
    f.addConst(row.ci, 1);
    f.get(row.ci).get(g.inChannels).i32Eq().if();
    f.i32Const(0).set(row.ci).addConst(kx, 1);
    f.get(kx).get(g.filterWidth).i32Eq().if();
    f.i32Const(0).set(kx).addConst(ky, 1);
    f.end();
    f.end();
  });
}

/** Next row of the panels: the next lane, or lane 0 of the next panel. */
function stepLane(f: FunctionBuilder, lane: Local, d: Local, panelStride: Local): void {
  f.addConst(lane, 1);
  f.get(lane).i32Const(4).i32Eq().if();
  f.i32Const(0).set(lane);
  f.get(d).get(panelStride).i32Add().i32Const(-12).i32Add().set(d);
  f.else();
  f.addConst(d, 4);
  f.end();
}

export function buildCol2imAdd(): FunctionBuilder {
  const f = new FunctionBuilder("col2imAdd", new Array(20).fill("i32"));
  const [dcols, ldc, dx] = f.params as [Local, Local, Local];
  const g = geometry(f.params, 3);
  const count = f.params[19]!;
  const mm = f.local("i32"), ky = f.local("i32"), kx = f.local("i32"), c = f.local("i32"), iy = f.local("i32"), ix = f.local("i32"), src = f.local("i32"), dst = f.local("i32"), image = f.local("i32"), srcRow = f.local("i32"), rowStride = f.local("i32"), imageStride = f.local("i32"), pixelStride = f.local("i32"), vectorEnd = f.local("i32");
  f.get(g.inChannels).i32Const(2).i32Shl().set(pixelStride);
  f.get(g.inWidth).get(pixelStride).i32Mul().set(rowStride);
  f.get(g.inHeight).get(rowStride).i32Mul().set(imageStride);
  f.get(g.inChannels).i32Const(3).i32Sub().set(vectorEnd);
  f.forRange(mm, 0, count, () => {
    f.get(dx).get(g.b).get(imageStride).i32Mul().i32Add().set(image);
    f.get(dcols).get(mm).get(ldc).i32Mul().i32Add().set(srcRow);
    f.forRange(ky, 0, g.filterHeight, () => {
      f.get(g.oy).get(g.strideHeight).i32Mul().get(g.padTop).i32Sub().get(ky).get(g.dilationHeight).i32Mul().i32Add().set(iy);
      f.get(iy).get(g.inHeight).i32LtU().if();
      f.forRange(kx, 0, g.filterWidth, () => {
        f.get(g.ox).get(g.strideWidth).i32Mul().get(g.padLeft).i32Sub().get(kx).get(g.dilationWidth).i32Mul().i32Add().set(ix);
        f.get(ix).get(g.inWidth).i32LtU().if();
        f.get(srcRow).get(ky).get(g.filterWidth).i32Mul().get(kx).i32Add().get(pixelStride).i32Mul().i32Add().set(src);
        f.get(image).get(iy).get(rowStride).i32Mul().i32Add().get(ix).get(pixelStride).i32Mul().i32Add().set(dst);
        f.forRange(c, 0, vectorEnd, () => {
          f.get(dst).get(dst).v128Load(0).get(src).v128Load(0).f32x4Add().v128Store(0);
          f.addConst(src, 16).addConst(dst, 16);
        }, 4);
        f.forRange(c, c, g.inChannels, () => {
          f.get(dst).get(dst).f32Load(0).get(src).f32Load(0).f32Add().f32Store(0);
          f.addConst(src, 4).addConst(dst, 4);
        });
        f.end();
      });
      f.end();
    });
    advancePosition(f, g);
  });
  return f;
}

/**
 * cols(x)^T for output positions m0 .. m0+kLength-1 as A panels at float index `dst` (panel stride
 * kLength*4 floats). `x` is the float index of the NHWC input.
 */
export function packIm2colTransposed(wasm: Im2colFunctions, heap: Float32Array, x: number, conv: ConvInfo, m0: number, kLength: number, dst: number): void {
  const rows = conv.filterHeight * conv.filterWidth * conv.inChannels;
  if (rows % 4 !== 0) {
    // Lanes past the last row stay zero: clear the last panel, the kernel fills the rows it has.
    const last = dst + Math.floor(rows / 4) * kLength * 4;
    heap.fill(0, last, last + kLength * 4);
  }
  const [b, oy, ox] = outputPosition(conv, m0);
  const g = convGeometry(conv) as Geometry13;
  if (conv.inChannels % 4 === 0) wasm.im2colPanels(x * 4, ...g, b, oy, ox, kLength, dst * 4);
  else wasm.im2colRowPanels(x * 4, ...g, b, oy, ox, kLength, dst * 4);
}

/** dx[pixel(m, i)] += dcols[m - m0][i] for `count` positions from m0; float indices, `ldc` floats per row. */
export function col2imAdd(wasm: Im2colFunctions, dcols: number, ldc: number, dx: number, conv: ConvInfo, m0: number, count: number): void {
  const [b, oy, ox] = outputPosition(conv, m0);
  const g = convGeometry(conv) as Geometry13;
  if (conv.inChannels % 4 === 0) wasm.col2imAdd(dcols * 4, ldc * 4, dx * 4, ...g, b, oy, ox, count);
  else wasm.col2imRowAdd(dcols * 4, ldc * 4, dx * 4, ...g, b, oy, ox, count);
}
