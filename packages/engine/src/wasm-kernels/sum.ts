import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { Sum, util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from "@tensorflow/tfjs-core";
import { kernelContext } from "./kernel-context.js";
import { FunctionBuilder, type Local } from "./wasm-assembler.js";
import { heapOffset, makeZeroOutput } from "./wasm-heap.js";
import { EngineError } from "../errors.js";

/**
 * Sum over leading axes (replaces the stock wasm kernel for that case): out[j] = sum_i x[i, j].
 * This is every bias gradient (reduce a [batch, ..., channels] tensor to [channels]); the stock
 * kernel first transposes the reduced axes to the end, which costs more than the sum itself. Here
 * rows are added into the output with 128-bit adds, in order, in float32. Any other reduction goes
 * to the stock kernel.
 */
export function sumLeadingAxes(backend: BackendWasm, x: TensorInfo, reducedAxes: number, keepDims: boolean): TensorInfo {
  const kept = x.shape.slice(reducedAxes);
  const rows = util.sizeFromShape(x.shape.slice(0, reducedAxes));
  const inner = util.sizeFromShape(kept);
  const outShape = keepDims ? [...new Array<number>(reducedAxes).fill(1), ...kept] : kept;
  const context = kernelContext(backend);
  const out = makeZeroOutput(backend, outShape, "float32");
  context.wasm.sumRows(heapOffset(backend, x), rows, inner, heapOffset(backend, out));
  return out;
}

export interface SumRowsFunction {
  /** dst[j] += sum over r < rows of src[r*inner + j] (byte addresses). */
  sumRows(src: number, rows: number, inner: number, dst: number): void;
}

export function buildSumRows(): FunctionBuilder {
  const f = new FunctionBuilder("sumRows", ["i32", "i32", "i32", "i32"]);
  const [src, rows, inner, dst] = f.params as [Local, Local, Local, Local];
  const r = f.local("i32");
  const j = f.local("i32");
  const s = f.local("i32");
  const d = f.local("i32");
  const vectorEnd = f.local("i32");
  f.get(inner).i32Const(3).i32Sub().set(vectorEnd);
  f.get(src).set(s);
  f.forRange(r, 0, rows, () => {
    f.get(dst).set(d);
    f.forRange(
      j,
      0,
      vectorEnd,
      () => {
        f.get(d).get(d).v128Load(0).get(s).v128Load(0).f32x4Add().v128Store(0);
        f.addConst(s, 16).addConst(d, 16);
      },
      4,
    );
    f.forRange(j, j, inner, () => {
      f.get(d).get(d).f32Load(0).get(s).f32Load(0).f32Add().f32Store(0);
      f.addConst(s, 4).addConst(d, 4);
    });
  });
  return f;
}

export function sumConfig(stock: KernelConfig | undefined): KernelConfig {
  const stockFunc = stock?.kernelFunc;
  const kernelFunc = (args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SumAttrs }) => {
    const { x } = args.inputs;
    const axes = [...new Set(util.parseAxisParam(args.attrs.axis, x.shape))].sort((a, b) => a - b);
    const prefix = axes.every((axis, i) => axis === i);
    if (x.dtype === "float32" && prefix && axes.length > 0 && axes.length < x.shape.length) {
      return sumLeadingAxes(args.backend, x, axes.length, args.attrs.keepDims);
    }
    if (stockFunc === undefined) throw new EngineError("UNSUPPORTED", "Sum: no stock kernel to delegate to");
    return stockFunc(args as unknown as Parameters<KernelFunc>[0]);
  };
  return {
    kernelName: Sum,
    backendName: "wasm",
    kernelFunc: kernelFunc as unknown as KernelFunc,
    ...(stock?.setupFunc !== undefined ? { setupFunc: stock.setupFunc } : {}),
  };
}
