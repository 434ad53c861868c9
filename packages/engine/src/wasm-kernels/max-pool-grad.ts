import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  MaxPoolGrad,
  backend_util,
  type KernelConfig,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { kernelContext } from "./kernel-context.js";
import { FunctionBuilder, type Local } from "./wasm-assembler.js";
import { heapOffset, makeZeroOutput } from "./wasm-heap.js";

/**
 * Max-pool gradient (replaces the stock wasm kernel, about twice as slow): each output's dy goes to
 * the first position of its window holding the window maximum, scanning rows then columns with a
 * strict `>` from -Infinity, which is the cpu backend's rule (ties go to the first; a window of NaN
 * or -Infinity passes no gradient). Overlapping windows add up. NHWC. The scan is WebAssembly
 * (`buildMaxPoolGrad`); dx starts zeroed.
 */
export function maxPoolGradWasm(backend: BackendWasm, dy: TensorInfo, x: TensorInfo, attrs: MaxPoolGradAttrs): TensorInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const context = kernelContext(backend);
  const out = makeZeroOutput(backend, x.shape, "float32");
  // Channels in groups of 4 with SIMD, the last (channels % 4) one at a time.
  const vectorChannels = info.inChannels - (info.inChannels % 4);
  const args = [
    heapOffset(backend, x),
    heapOffset(backend, dy),
    heapOffset(backend, out),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
    info.effectiveFilterHeight,
    info.effectiveFilterWidth,
  ] as const;
  if (vectorChannels > 0) context.wasm.maxPoolGradVector(...args, 0, vectorChannels);
  if (vectorChannels < info.inChannels) context.wasm.maxPoolGrad(...args, vectorChannels, info.inChannels);
  return out;
}

export interface MaxPoolGradFunction {
  /** The same, 4 channels at a time; channelEnd - channelFirst must be a multiple of 4. */
  maxPoolGradVector(...args: Parameters<MaxPoolGradFunction["maxPoolGrad"]>): void;
  /** Scans channels [channelFirst, channelEnd) of every window. */
  maxPoolGrad(
    x: number,
    dy: number,
    dx: number,
    batch: number,
    inHeight: number,
    inWidth: number,
    channels: number,
    outHeight: number,
    outWidth: number,
    strideHeight: number,
    strideWidth: number,
    padTop: number,
    padLeft: number,
    windowHeight: number,
    windowWidth: number,
    channelFirst: number,
    channelEnd: number,
  ): void;
}

export function buildMaxPoolGrad(): FunctionBuilder {
  const f = new FunctionBuilder("maxPoolGrad", new Array(17).fill("i32"));
  const [channelFirst, channelEnd] = f.params.slice(15) as [Local, Local];
  const dyWindow = f.local("i32");
  const [
    x,
    dy,
    dx,
    batch,
    inHeight,
    inWidth,
    channels,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    padTop,
    padLeft,
    windowHeight,
    windowWidth,
  ] = f.params as Local[] as [Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local];
  const b = f.local("i32"),
    oy = f.local("i32"),
    ox = f.local("i32"),
    ch = f.local("i32"),
    r = f.local("i32"),
    col = f.local("i32"),
    r0 = f.local("i32"),
    c0 = f.local("i32"),
    rMin = f.local("i32"),
    rMax = f.local("i32"),
    cMin = f.local("i32"),
    cMax = f.local("i32"),
    image = f.local("i32"),
    offset = f.local("i32"),
    where = f.local("i32"),
    pixelStride = f.local("i32"),
    rowStride = f.local("i32"),
    dyPointer = f.local("i32"),
    address = f.local("i32");
  const best = f.local("f32");
  const value = f.local("f32");
  const max = (a: Local, bound: number) => f.get(a).i32Const(bound).get(a).i32Const(bound).i32GtS().select();
  const min = (a: Local, bound: Local) => f.get(a).get(bound).get(a).get(bound).i32LtS().select();

  f.get(channels).i32Const(2).i32Shl().set(pixelStride);
  f.get(inWidth).get(pixelStride).i32Mul().set(rowStride);
  f.get(dy).set(dyWindow);
  f.forRange(b, 0, batch, () => {
    f.get(b).get(inHeight).i32Mul().get(rowStride).i32Mul().set(image);
    f.forRange(oy, 0, outHeight, () => {
      f.get(oy).get(strideHeight).i32Mul().get(padTop).i32Sub().set(r0);
      max(r0, 0).set(rMin);
      f.get(r0).get(windowHeight).i32Add().set(rMax);
      min(rMax, inHeight).set(rMax);
      f.forRange(ox, 0, outWidth, () => {
        f.get(ox).get(strideWidth).i32Mul().get(padLeft).i32Sub().set(c0);
        max(c0, 0).set(cMin);
        f.get(c0).get(windowWidth).i32Add().set(cMax);
        min(cMax, inWidth).set(cMax);
        f.get(dyWindow).get(channelFirst).i32Const(2).i32Shl().i32Add().set(dyPointer);
        f.forRange(ch, channelFirst, channelEnd, () => {
          f.f32Const(Number.NEGATIVE_INFINITY).set(best);
          f.i32Const(-1).set(where);
          f.forRange(r, rMin, rMax, () => {
            f.forRange(col, cMin, cMax, () => {
              // offset = image + r*rowStride + col*pixelStride + ch*4 (bytes, relative to the tensors)
              f.get(image)
                .get(r)
                .get(rowStride)
                .i32Mul()
                .i32Add()
                .get(col)
                .get(pixelStride)
                .i32Mul()
                .i32Add()
                .get(ch)
                .i32Const(2)
                .i32Shl()
                .i32Add()
                .set(offset);
              f.get(x).get(offset).i32Add().f32Load(0).set(value);
              f.get(value).get(best).f32Gt().if();
              f.get(value).set(best).get(offset).set(where);
              f.end();
            });
          });
          f.get(where).i32Const(0).i32GeS().if();
          f.get(dx).get(where).i32Add().set(address);
          f.get(address).get(address).f32Load(0).get(dyPointer).f32Load(0).f32Add().f32Store(0);
          f.end();
          f.addConst(dyPointer, 4);
        });
        f.get(dyWindow).get(pixelStride).i32Add().set(dyWindow);
      });
    });
  });
  return f;
}

/**
 * The same scan for 4 channels at a time: running maxima and the byte
 * offsets of their first occurrence are kept in v128 registers (compare, then bitselect), and only
 * the final scatter of dy is per channel.
 */
export function buildMaxPoolGradVector(): FunctionBuilder {
  const f = new FunctionBuilder("maxPoolGradVector", new Array(17).fill("i32"));
  const [channelFirst, channelEnd] = f.params.slice(15) as [Local, Local];
  const dyWindow = f.local("i32");
  const [
    x,
    dy,
    dx,
    batch,
    inHeight,
    inWidth,
    channels,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    padTop,
    padLeft,
    windowHeight,
    windowWidth,
  ] = f.params as Local[] as [Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local];
  const b = f.local("i32"),
    oy = f.local("i32"),
    ox = f.local("i32"),
    ch = f.local("i32"),
    r = f.local("i32"),
    col = f.local("i32");
  const r0 = f.local("i32"),
    c0 = f.local("i32"),
    rMin = f.local("i32"),
    rMax = f.local("i32"),
    cMin = f.local("i32"),
    cMax = f.local("i32");
  const image = f.local("i32"),
    offset = f.local("i32"),
    where = f.local("i32"),
    pixelStride = f.local("i32"),
    rowStride = f.local("i32");
  const dyPointer = f.local("i32"),
    address = f.local("i32");
  const best = f.local("v128"),
    value = f.local("v128"),
    mask = f.local("v128"),
    wheres = f.local("v128");
  const max = (a: Local, bound: number) => f.get(a).i32Const(bound).get(a).i32Const(bound).i32GtS().select();
  const min = (a: Local, bound: Local) => f.get(a).get(bound).get(a).get(bound).i32LtS().select();

  f.get(channels).i32Const(2).i32Shl().set(pixelStride);
  f.get(inWidth).get(pixelStride).i32Mul().set(rowStride);
  f.get(dy).set(dyWindow);
  f.forRange(b, 0, batch, () => {
    f.get(b).get(inHeight).i32Mul().get(rowStride).i32Mul().set(image);
    f.forRange(oy, 0, outHeight, () => {
      f.get(oy).get(strideHeight).i32Mul().get(padTop).i32Sub().set(r0);
      max(r0, 0).set(rMin);
      f.get(r0).get(windowHeight).i32Add().set(rMax);
      min(rMax, inHeight).set(rMax);
      f.forRange(ox, 0, outWidth, () => {
        f.get(ox).get(strideWidth).i32Mul().get(padLeft).i32Sub().set(c0);
        max(c0, 0).set(cMin);
        f.get(c0).get(windowWidth).i32Add().set(cMax);
        min(cMax, inWidth).set(cMax);
        f.get(dyWindow).get(channelFirst).i32Const(2).i32Shl().i32Add().set(dyPointer);
        f.forRange(
          ch,
          channelFirst,
          channelEnd,
          () => {
            f.f32Const(Number.NEGATIVE_INFINITY).f32x4Splat().set(best);
            f.v128ConstI32([-1, -1, -1, -1]).set(wheres);
            f.forRange(r, rMin, rMax, () => {
              f.forRange(col, cMin, cMax, () => {
                f.get(image)
                  .get(r)
                  .get(rowStride)
                  .i32Mul()
                  .i32Add()
                  .get(col)
                  .get(pixelStride)
                  .i32Mul()
                  .i32Add()
                  .get(ch)
                  .i32Const(2)
                  .i32Shl()
                  .i32Add()
                  .set(offset);
                f.get(x).get(offset).i32Add().v128Load(0).set(value);
                f.get(value).get(best).f32x4Gt().set(mask);
                f.get(value).get(best).get(mask).v128Bitselect().set(best);
                f.get(offset).i32x4Splat().v128ConstI32([0, 4, 8, 12]).i32x4Add().get(wheres).get(mask).v128Bitselect().set(wheres);
              });
            });
            for (let lane = 0; lane < 4; lane++) {
              f.get(wheres).i32x4ExtractLane(lane).set(where);
              f.get(where).i32Const(0).i32GeS().if();
              f.get(dx).get(where).i32Add().set(address);
              f.get(address)
                .get(address)
                .f32Load(0)
                .get(dyPointer)
                .f32Load(lane * 4)
                .f32Add()
                .f32Store(0);
              f.end();
            }
            f.addConst(dyPointer, 16);
          },
          4,
        );
        f.get(dyWindow).get(pixelStride).i32Add().set(dyWindow);
      });
    });
  });
  return f;
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
