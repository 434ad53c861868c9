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
  im2colKPanels(x: number, ...geometryStartCountRangeDst: number[]): void;
  im2colKPanelsVector(x: number, ...geometryStartCountTapsZerosDst: number[]): void;
  im2colKPanelsSingleChannel(x: number, ...geometryStartCountTapsDst: number[]): void;
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
    "inHeight",
    "inWidth",
    "inChannels",
    "outHeight",
    "outWidth",
    "strideHeight",
    "strideWidth",
    "dilationHeight",
    "dilationWidth",
    "padTop",
    "padLeft",
    "filterHeight",
    "filterWidth",
    "b",
    "oy",
    "ox",
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
  const mm = f.local("i32"),
    ky = f.local("i32"),
    kx = f.local("i32"),
    c = f.local("i32"),
    iy = f.local("i32"),
    ix = f.local("i32"),
    i = f.local("i32"),
    lane = f.local("i32"),
    d = f.local("i32"),
    src = f.local("i32"),
    image = f.local("i32"),
    rowInside = f.local("i32"),
    panelStride = f.local("i32"),
    rowStride = f.local("i32"),
    imageStride = f.local("i32"),
    pixelStride = f.local("i32"),
    vector = f.local("i32");

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
        f.get(dst)
          .get(i)
          .i32Const(2)
          .i32ShrU()
          .get(panelStride)
          .i32Mul()
          .i32Add()
          .get(mm)
          .i32Const(4)
          .i32Shl()
          .i32Add()
          .get(lane)
          .i32Const(2)
          .i32Shl()
          .i32Add()
          .set(d);
        f.get(rowInside).get(ix).get(g.inWidth).i32LtU().i32And().if();
        {
          f.get(image).get(iy).get(rowStride).i32Mul().i32Add().get(ix).get(pixelStride).i32Mul().i32Add().set(src);
          f.get(vector).if();
          f.forRange(
            c,
            0,
            g.inChannels,
            () => {
              f.get(d).get(src).v128Load(0).v128Store(0);
              f.addLocal(d, panelStride).addConst(src, 16);
            },
            4,
          );
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
    f.get(dst)
      .get(row.i)
      .i32Const(2)
      .i32ShrU()
      .get(row.panelStride)
      .i32Mul()
      .i32Add()
      .get(row.i)
      .i32Const(3)
      .i32And()
      .i32Const(2)
      .i32Shl()
      .i32Add()
      .set(row.d);
    return {
      inside: () => {
        // s = x + ((b*inH + iy)*inW + ix0)*inC*4 + ci*4
        f.get(x)
          .get(row.b)
          .get(g.inHeight)
          .i32Mul()
          .get(row.iy)
          .i32Add()
          .get(g.inWidth)
          .i32Mul()
          .get(row.ix)
          .i32Add()
          .get(g.inChannels)
          .i32Mul()
          .get(row.ci)
          .i32Add()
          .i32Const(2)
          .i32Shl()
          .i32Add()
          .set(row.s);
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
        f.get(dx)
          .get(row.b)
          .get(g.inHeight)
          .i32Mul()
          .get(row.iy)
          .i32Add()
          .get(g.inWidth)
          .i32Mul()
          .get(row.ix)
          .i32Add()
          .get(g.inChannels)
          .i32Mul()
          .get(row.ci)
          .i32Add()
          .i32Const(2)
          .i32Shl()
          .i32Add()
          .set(row.s);
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
interface RowRange {
  readonly first: Local;
  readonly count: Local;
  readonly ky: Local;
  readonly kx: Local;
  readonly ci: Local;
}

function walkRows(
  f: FunctionBuilder,
  g: Geometry,
  count: Local,
  start: (row: RowWalk) => { inside: () => void; outside: () => void },
  range?: RowRange,
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
  const first = f.local("i32");
  const end = f.local("i32");
  const left = f.local("i32");
  const oy = f.local("i32");
  const ox = f.local("i32");
  f.get(count).i32Const(4).i32Shl().set(row.panelStride);
  f.get(g.strideWidth).get(g.inChannels).i32Mul().i32Const(2).i32Shl().set(row.xStep);
  if (range === undefined) {
    f.i32Const(0).set(first);
    f.get(g.filterHeight).get(g.filterWidth).i32Mul().get(g.inChannels).i32Mul().set(end);
    f.i32Const(0).set(ky).i32Const(0).set(kx).i32Const(0).set(row.ci);
  } else {
    f.get(range.first).set(first);
    f.get(range.first).get(range.count).i32Add().set(end);
    f.get(range.ky).set(ky).get(range.kx).set(kx).get(range.ci).set(row.ci);
  }
  f.forRange(row.i, first, end, () => {
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

/**
 * cols(x) for a block of output positions as A panels with k = filter row i: panels of 4 output
 * positions, [i][4] floats each, for i in [iFirst, iFirst + iCount). This is the forward
 * convolution's operand (out = cols(x) @ W). Walks one i at a time; along the output positions of
 * an output row the source pixel moves by a constant stride. (ky0, kx0, ci0) is iFirst decomposed.
 */
export function buildIm2colKPanels(): FunctionBuilder {
  const f = new FunctionBuilder("im2colKPanels", new Array(24).fill("i32"));
  const x = f.params[0]!;
  const g = geometry(f.params, 1);
  const [count, iFirst, iCount, ky0, kx0, ci0, dst] = f.params.slice(17) as [Local, Local, Local, Local, Local, Local, Local];
  const lane = f.local("i32");
  const panelStride = f.local("i32");
  f.get(iCount).i32Const(4).i32Shl().set(panelStride);
  walkRows(
    f,
    g,
    count,
    (row) => {
      // lane 0 of panel 0 at k = i - iFirst
      f.get(dst).get(row.i).get(iFirst).i32Sub().i32Const(4).i32Shl().i32Add().set(row.d);
      f.i32Const(0).set(lane);
      return {
        inside: () => {
          f.get(x)
            .get(row.b)
            .get(g.inHeight)
            .i32Mul()
            .get(row.iy)
            .i32Add()
            .get(g.inWidth)
            .i32Mul()
            .get(row.ix)
            .i32Add()
            .get(g.inChannels)
            .i32Mul()
            .get(row.ci)
            .i32Add()
            .i32Const(2)
            .i32Shl()
            .i32Add()
            .set(row.s);
          f.forRange(row.j, 0, row.run, () => {
            f.get(row.ix).get(g.inWidth).i32LtU().if();
            f.get(row.d).get(row.s).f32Load(0).f32Store(0);
            f.else();
            f.get(row.d).f32Const(0).f32Store(0);
            f.end();
            f.addLocal(row.s, row.xStep).addLocal(row.ix, g.strideWidth);
            stepLane(f, lane, row.d, panelStride);
          });
        },
        outside: () => {
          f.forRange(row.j, 0, row.run, () => {
            f.get(row.d).f32Const(0).f32Store(0);
            stepLane(f, lane, row.d, panelStride);
          });
        },
      };
    },
    { first: iFirst, count: iCount, ky: ky0, kx: kx0, ci: ci0 },
  );
  return f;
}

/**
 * The forward operand (see buildIm2colKPanels) for a multiple of 4 input channels, 16 values at a
 * time: for each panel of 4 output positions and each filter tap (ky, kx), the 4 pixels' channel
 * runs are read 4 channels at a time (one pointer per position, pointing at a zero buffer where the
 * tap falls in the padding) and transposed in registers into 4 panel rows. Covers taps
 * [tapFirst, tapFirst + tapCount), i.e. filter rows tapFirst*C .. (tapFirst+tapCount)*C - 1.
 */
export function buildIm2colKPanelsVector(): FunctionBuilder {
  const f = new FunctionBuilder("im2colKPanelsVector", new Array(24).fill("i32"));
  const x = f.params[0]!;
  const g = geometry(f.params, 1);
  const [count, tapFirst, tapCount, ky0, kx0, zeros, dst] = f.params.slice(17) as [Local, Local, Local, Local, Local, Local, Local];
  const p = f.local("i32");
  const panels = f.local("i32");
  const t = f.local("i32");
  const ky = f.local("i32");
  const kx = f.local("i32");
  const c = f.local("i32");
  const d = f.local("i32");
  const iy = f.local("i32");
  const ix = f.local("i32");
  const m = f.local("i32");
  const panelStride = f.local("i32");
  const tapStride = f.local("i32");
  const pixelStride = f.local("i32");
  const rowStride = f.local("i32");
  const imageStride = f.local("i32");
  const tapEnd = f.local("i32");
  const lanes = [0, 1, 2, 3].map(() => ({ iy0: f.local("i32"), ix0: f.local("i32"), image: f.local("i32"), pointer: f.local("i32") }));
  const v = [0, 1, 2, 3].map(() => f.local("v128"));
  const tmp = [0, 1, 2, 3].map(() => f.local("v128"));
  const interleaveLow = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
  const interleaveHigh = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
  const lowHalves = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
  const highHalves = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];

  f.get(g.inChannels).i32Const(2).i32Shl().set(pixelStride);
  f.get(g.inWidth).get(pixelStride).i32Mul().set(rowStride);
  f.get(g.inHeight).get(rowStride).i32Mul().set(imageStride);
  // Panel: [tapCount * C][4] floats; one tap is C rows of 16 bytes.
  f.get(tapCount).get(g.inChannels).i32Mul().i32Const(4).i32Shl().set(panelStride);
  f.get(g.inChannels).i32Const(4).i32Shl().set(tapStride);
  f.get(tapFirst).get(tapCount).i32Add().set(tapEnd);
  f.get(count).i32Const(3).i32Add().i32Const(2).i32ShrU().set(panels);
  f.i32Const(0).set(m);
  f.forRange(p, 0, panels, () => {
    // The 4 output positions of this panel (positions past `count` never hit the image).
    for (const lane of lanes) {
      f.get(m).get(count).i32LtS().if();
      f.get(g.oy).get(g.strideHeight).i32Mul().get(g.padTop).i32Sub().set(lane.iy0);
      f.get(g.ox).get(g.strideWidth).i32Mul().get(g.padLeft).i32Sub().set(lane.ix0);
      f.get(x).get(g.b).get(imageStride).i32Mul().i32Add().set(lane.image);
      advancePosition(f, g);
      f.else();
      f.i32Const(-(1 << 30)).set(lane.iy0);
      f.end();
      f.addConst(m, 1);
    }
    f.get(ky0).set(ky).get(kx0).set(kx);
    f.forRange(t, tapFirst, tapEnd, () => {
      for (const lane of lanes) {
        f.get(lane.iy0).get(ky).get(g.dilationHeight).i32Mul().i32Add().set(iy);
        f.get(lane.ix0).get(kx).get(g.dilationWidth).i32Mul().i32Add().set(ix);
        // pointer = inside ? image + iy*rowStride + ix*pixelStride : zeros
        f.get(lane.image)
          .get(iy)
          .get(rowStride)
          .i32Mul()
          .i32Add()
          .get(ix)
          .get(pixelStride)
          .i32Mul()
          .i32Add()
          .get(zeros)
          .get(iy)
          .get(g.inHeight)
          .i32LtU()
          .get(ix)
          .get(g.inWidth)
          .i32LtU()
          .i32And()
          .select()
          .set(lane.pointer);
      }
      f.get(dst).get(p).get(panelStride).i32Mul().i32Add().get(t).get(tapFirst).i32Sub().get(tapStride).i32Mul().i32Add().set(d);
      f.forRange(
        c,
        0,
        g.inChannels,
        () => {
          lanes.forEach((lane, i) => f.get(lane.pointer).v128Load(0).set(v[i]!));
          f.get(v[0]!).get(v[1]!).i8x16Shuffle(interleaveLow).set(tmp[0]!);
          f.get(v[0]!).get(v[1]!).i8x16Shuffle(interleaveHigh).set(tmp[1]!);
          f.get(v[2]!).get(v[3]!).i8x16Shuffle(interleaveLow).set(tmp[2]!);
          f.get(v[2]!).get(v[3]!).i8x16Shuffle(interleaveHigh).set(tmp[3]!);
          f.get(d).get(tmp[0]!).get(tmp[2]!).i8x16Shuffle(lowHalves).v128Store(0);
          f.get(d).get(tmp[0]!).get(tmp[2]!).i8x16Shuffle(highHalves).v128Store(16);
          f.get(d).get(tmp[1]!).get(tmp[3]!).i8x16Shuffle(lowHalves).v128Store(32);
          f.get(d).get(tmp[1]!).get(tmp[3]!).i8x16Shuffle(highHalves).v128Store(48);
          f.addConst(d, 64);
          for (const lane of lanes) f.addConst(lane.pointer, 16);
        },
        4,
      );
      f.addConst(kx, 1);
      f.get(kx).get(g.filterWidth).i32Eq().if();
      f.i32Const(0).set(kx).addConst(ky, 1);
      f.end();
    });
  });
  return f;
}

/**
 * The forward operand for a single input channel and column stride 1 (a first layer on grey
 * images): for a tap (ky, kx), 4 consecutive output positions of one output row read 4 consecutive
 * pixels, so each panel row is one 128-bit copy. Panels that straddle output rows or reach into the
 * padding take the per-lane path. Taps [tapFirst, tapFirst + tapCount) are filter rows (C = 1).
 */
export function buildIm2colKPanelsSingleChannel(): FunctionBuilder {
  const f = new FunctionBuilder("im2colKPanelsSingleChannel", new Array(23).fill("i32"));
  const x = f.params[0]!;
  const g = geometry(f.params, 1);
  const [count, tapFirst, tapCount, ky0, kx0, dst] = f.params.slice(17) as [Local, Local, Local, Local, Local, Local];
  const p = f.local("i32"),
    panels = f.local("i32"),
    t = f.local("i32"),
    ky = f.local("i32"),
    kx = f.local("i32");
  const d = f.local("i32"),
    iy = f.local("i32"),
    ix = f.local("i32"),
    m = f.local("i32"),
    panelStride = f.local("i32");
  const imageStride = f.local("i32"),
    tapEnd = f.local("i32"),
    sameRow = f.local("i32"),
    value = f.local("f32");
  const lanes = [0, 1, 2, 3].map(() => ({ iy0: f.local("i32"), ix0: f.local("i32"), image: f.local("i32") }));

  f.get(g.inHeight).get(g.inWidth).i32Mul().i32Const(2).i32Shl().set(imageStride);
  f.get(tapCount).i32Const(4).i32Shl().set(panelStride);
  f.get(tapFirst).get(tapCount).i32Add().set(tapEnd);
  f.get(count).i32Const(3).i32Add().i32Const(2).i32ShrU().set(panels);
  f.i32Const(0).set(m);
  f.forRange(p, 0, panels, () => {
    // Same output row for all 4 lanes: the panel is full and does not cross the end of a row.
    f.get(m).i32Const(4).i32Add().get(count).i32LeS().get(g.ox).i32Const(3).i32Add().get(g.outWidth).i32LtS().i32And().set(sameRow);
    for (const lane of lanes) {
      f.get(m).get(count).i32LtS().if();
      f.get(g.oy).get(g.strideHeight).i32Mul().get(g.padTop).i32Sub().set(lane.iy0);
      f.get(g.ox).get(g.padLeft).i32Sub().set(lane.ix0);
      f.get(x).get(g.b).get(imageStride).i32Mul().i32Add().set(lane.image);
      advancePosition(f, g);
      f.else();
      f.i32Const(-(1 << 30)).set(lane.iy0);
      f.end();
      f.addConst(m, 1);
    }
    f.get(dst).get(p).get(panelStride).i32Mul().i32Add().set(d);
    f.get(ky0).set(ky).get(kx0).set(kx);
    f.forRange(t, tapFirst, tapEnd, () => {
      const first = lanes[0]!;
      f.get(first.iy0).get(ky).get(g.dilationHeight).i32Mul().i32Add().set(iy);
      f.get(first.ix0).get(kx).get(g.dilationWidth).i32Mul().i32Add().set(ix);
      // Fast: same row, the input row exists, and all 4 pixels are inside it.
      f.get(sameRow)
        .get(iy)
        .get(g.inHeight)
        .i32LtU()
        .i32And()
        .get(ix)
        .i32Const(0)
        .i32GeS()
        .i32And()
        .get(ix)
        .i32Const(3)
        .i32Add()
        .get(g.inWidth)
        .i32LtS()
        .i32And()
        .if();
      f.get(d).get(first.image).get(iy).get(g.inWidth).i32Mul().get(ix).i32Add().i32Const(2).i32Shl().i32Add().v128Load(0).v128Store(0);
      f.else();
      lanes.forEach((lane, index) => {
        f.get(lane.iy0).get(ky).get(g.dilationHeight).i32Mul().i32Add().set(iy);
        f.get(lane.ix0).get(kx).get(g.dilationWidth).i32Mul().i32Add().set(ix);
        f.f32Const(0).set(value);
        f.get(iy).get(g.inHeight).i32LtU().get(ix).get(g.inWidth).i32LtU().i32And().if();
        f.get(lane.image).get(iy).get(g.inWidth).i32Mul().get(ix).i32Add().i32Const(2).i32Shl().i32Add().f32Load(0).set(value);
        f.end();
        f.get(d)
          .get(value)
          .f32Store(index * 4);
      });
      f.end();
      f.addConst(d, 16);
      f.addConst(kx, 1);
      f.get(kx).get(g.filterWidth).i32Eq().if();
      f.i32Const(0).set(kx).addConst(ky, 1);
      f.end();
    });
  });
  return f;
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
  const mm = f.local("i32"),
    ky = f.local("i32"),
    kx = f.local("i32"),
    c = f.local("i32"),
    iy = f.local("i32"),
    ix = f.local("i32"),
    src = f.local("i32"),
    dst = f.local("i32"),
    image = f.local("i32"),
    srcRow = f.local("i32"),
    rowStride = f.local("i32"),
    imageStride = f.local("i32"),
    pixelStride = f.local("i32"),
    vectorEnd = f.local("i32");
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
        f.forRange(
          c,
          0,
          vectorEnd,
          () => {
            f.get(dst).get(dst).v128Load(0).get(src).v128Load(0).f32x4Add().v128Store(0);
            f.addConst(src, 16).addConst(dst, 16);
          },
          4,
        );
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
export function packIm2colTransposed(
  wasm: Im2colFunctions,
  heap: Float32Array,
  x: number,
  conv: ConvInfo,
  m0: number,
  kLength: number,
  dst: number,
): void {
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

/**
 * cols(x) rows m0 .. m0+count-1, columns iFirst .. iFirst+iCount-1, as A panels (4 output positions
 * each, k = filter row) at float index `dst`. The lanes past `count` in the last panel are zeroed.
 */
export function packIm2colRows(
  wasm: Im2colFunctions,
  heap: Float32Array,
  x: number,
  conv: ConvInfo,
  m0: number,
  count: number,
  iFirst: number,
  iCount: number,
  dst: number,
  zeros: number,
): void {
  const [b, oy, ox] = outputPosition(conv, m0);
  const channels = conv.inChannels;
  if (channels % 4 === 0 && iFirst % channels === 0 && iCount % channels === 0) {
    // Whole filter taps: the transposing 128-bit path (`zeros` holds `channels` zero floats).
    const tap = iFirst / channels;
    const ky = Math.floor(tap / conv.filterWidth);
    wasm.im2colKPanelsVector(
      x * 4,
      ...convGeometry(conv),
      b,
      oy,
      ox,
      count,
      tap,
      iCount / channels,
      ky,
      tap - ky * conv.filterWidth,
      zeros * 4,
      dst * 4,
    );
    return;
  }
  if (channels === 1 && conv.strideWidth === 1) {
    const ky = Math.floor(iFirst / conv.filterWidth);
    wasm.im2colKPanelsSingleChannel(
      x * 4,
      ...convGeometry(conv),
      b,
      oy,
      ox,
      count,
      iFirst,
      iCount,
      ky,
      iFirst - ky * conv.filterWidth,
      dst * 4,
    );
    return;
  }
  if (count % 4 !== 0) {
    const last = dst + Math.floor(count / 4) * iCount * 4;
    heap.fill(0, last, last + iCount * 4);
  }
  const ci = iFirst % conv.inChannels;
  const kx = Math.floor(iFirst / conv.inChannels) % conv.filterWidth;
  const ky = Math.floor(iFirst / (conv.inChannels * conv.filterWidth));
  wasm.im2colKPanels(x * 4, ...convGeometry(conv), b, oy, ox, count, iFirst, iCount, ky, kx, ci, dst * 4);
}
