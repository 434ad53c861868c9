/**
 * The last pass of a matmul: copy the padded result tile buffer into the output tensor, adding the
 * bias and applying the fused activation on the way (one read and one write per element).
 * Activation formulas follow the tfjs cpu backend exactly, so results match it bit for bit after the
 * matmul itself.
 */
import { FunctionBuilder, type Local } from "./wasm-assembler.js";

export type FusedActivation = "linear" | "relu" | "relu6" | "elu" | "leakyrelu" | "sigmoid" | "prelu";

const ACTIVATIONS: ReadonlySet<string> = new Set(["linear", "relu", "relu6", "elu", "leakyrelu", "sigmoid", "prelu"]);

export function isFusedActivation(name: string): name is FusedActivation {
  return ACTIVATIONS.has(name);
}

/** An operand broadcast over a [batch, M, N] result: element (b, i, j) is at
 *  heap[base + batchOffsets[b] + i*rowStride + j*colStride]. */
export interface BroadcastOperand {
  readonly base: number;
  readonly batchOffsets: Int32Array;
  readonly rowStride: number;
  readonly colStride: number;
}

/**
 * For each index of the flattened output batch dims `outOuter`, the flattened index into an
 * operand whose batch dims `operandOuter` broadcast to it (numpy rules, aligned on the right).
 */
export function broadcastBatchIndex(outOuter: readonly number[], operandOuter: readonly number[]): Int32Array {
  const outSize = outOuter.reduce((p, d) => p * d, 1);
  const rank = outOuter.length;
  const padded = [...new Array<number>(rank - operandOuter.length).fill(1), ...operandOuter];
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = padded[d] === 1 ? 0 : s;
    s *= padded[d]!;
  }
  const map = new Int32Array(outSize);
  for (let flat = 0; flat < outSize; flat++) {
    let rest = flat;
    let index = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const extent = outOuter[d]!;
      const coordinate = rest % extent;
      rest = (rest - coordinate) / extent;
      index += coordinate * strides[d]!;
    }
    map[flat] = index;
  }
  return map;
}

/** How a bias or PReLU-weights tensor of `shape` broadcasts over an output of `outShape` (rank >= 2). */
export function broadcastOperand(base: number, shape: readonly number[], outShape: readonly number[]): BroadcastOperand {
  const rank = outShape.length;
  const padded = [...new Array<number>(Math.max(0, rank - shape.length)).fill(1), ...shape];
  const m = padded[rank - 2]!;
  const n = padded[rank - 1]!;
  const batchIndex = broadcastBatchIndex(outShape.slice(0, -2), padded.slice(0, -2));
  return {
    base,
    batchOffsets: batchIndex.map((b) => b * m * n),
    rowStride: m === 1 ? 0 : n,
    colStride: n === 1 ? 0 : 1,
  };
}

export interface Epilogue {
  readonly activation: FusedActivation;
  readonly bias?: BroadcastOperand;
  readonly prelu?: BroadcastOperand;
  readonly leakyreluAlpha: number;
}

export interface BiasActivationFunction {
  /**
   * dst[r*cols + c] = act(src[r*ldcBytes/4 + c] + bias[c]) for r < rows, c < cols; `bias` 0 means
   * none; act is relu when `relu` is 1, else identity. Byte addresses.
   */
  biasActivation(src: number, ldcBytes: number, dst: number, rows: number, cols: number, bias: number, relu: number): void;
}

/** The common epilogue (bias over the last axis, linear or relu) in WebAssembly, 4 columns at a time. */
export function buildBiasActivation(): FunctionBuilder {
  const f = new FunctionBuilder("biasActivation", ["i32", "i32", "i32", "i32", "i32", "i32", "i32"]);
  const [src, ldc, dst, rows, cols, bias, relu] = f.params as [Local, Local, Local, Local, Local, Local, Local];
  const r = f.local("i32");
  const c = f.local("i32");
  const s = f.local("i32");
  const d = f.local("i32");
  const p = f.local("i32");
  const vectorEnd = f.local("i32");
  const v = f.local("v128");
  const x = f.local("f32");
  f.get(cols).i32Const(3).i32Sub().set(vectorEnd);
  f.get(dst).set(d);
  f.forRange(r, 0, rows, () => {
    f.get(src).get(r).get(ldc).i32Mul().i32Add().set(s);
    f.get(bias).set(p);
    f.forRange(
      c,
      0,
      vectorEnd,
      () => {
        f.get(s).v128Load(0).set(v);
        f.get(bias).if().get(v).get(p).v128Load(0).f32x4Add().set(v).end();
        f.get(relu).if().get(v).v128Zero().f32x4Pmax().set(v).end();
        f.get(d).get(v).v128Store(0);
        f.addConst(s, 16).addConst(d, 16).addConst(p, 16);
      },
      4,
    );
    f.forRange(c, c, cols, () => {
      f.get(s).f32Load(0).set(x);
      f.get(bias).if().get(x).get(p).f32Load(0).f32Add().set(x).end();
      f.get(relu).if().f32Const(0).get(x).get(x).f32Const(0).f32Lt().select().set(x).end();
      f.get(d).get(x).f32Store(0);
      f.addConst(s, 4).addConst(d, 4).addConst(p, 4);
    });
  });
  return f;
}

/**
 * Like applyEpilogue, taking the WebAssembly path when it applies (bias absent or over the last axis
 * only, activation linear or relu).
 */
export function applyEpilogueFast(
  wasm: BiasActivationFunction,
  heap: Float32Array,
  tile: number,
  ldc: number,
  out: number,
  m: number,
  n: number,
  batch: number,
  epilogue: Epilogue | undefined,
): void {
  const activation = epilogue?.activation ?? "linear";
  const bias = epilogue?.bias;
  const simpleBias = bias === undefined || (bias.rowStride === 0 && bias.colStride === 1 && bias.batchOffsets.every((o) => o === 0));
  if ((activation === "linear" || activation === "relu") && simpleBias && epilogue?.prelu === undefined) {
    wasm.biasActivation(tile * 4, ldc * 4, out * 4, m, n, bias === undefined ? 0 : bias.base * 4, activation === "relu" ? 1 : 0);
    return;
  }
  applyEpilogue(heap, tile, ldc, out, m, n, batch, epilogue);
}

/**
 * out[b][i][j] = act(tile[i*ldc + j] + bias(b,i,j)) for i < m, j < n; `tile` and `out` are float
 * indices into `heap`, `out` is dense [m, n].
 */
export function applyEpilogue(
  heap: Float32Array,
  tile: number,
  ldc: number,
  out: number,
  m: number,
  n: number,
  batch: number,
  epilogue: Epilogue | undefined,
): void {
  if (epilogue === undefined || (epilogue.activation === "linear" && epilogue.bias === undefined)) {
    if (ldc === n) {
      heap.copyWithin(out, tile, tile + m * n);
      return;
    }
    for (let i = 0; i < m; i++) heap.copyWithin(out + i * n, tile + i * ldc, tile + i * ldc + n);
    return;
  }
  const { activation, bias, prelu, leakyreluAlpha } = epilogue;
  const biasBatch = bias === undefined ? 0 : bias.base + bias.batchOffsets[batch]!;
  const preluBatch = prelu === undefined ? 0 : prelu.base + prelu.batchOffsets[batch]!;
  for (let i = 0; i < m; i++) {
    const src = tile + i * ldc;
    const dst = out + i * n;
    const biasRow = bias === undefined ? 0 : biasBatch + i * bias.rowStride;
    const biasCol = bias === undefined ? 0 : bias.colStride;
    for (let j = 0; j < n; j++) {
      let v = heap[src + j]!;
      // Round after the bias add, as the cpu backend stores the sum before activating it.
      if (bias !== undefined) v = Math.fround(v + heap[biasRow + j * biasCol]!);
      switch (activation) {
        case "linear":
          break;
        case "relu":
          v = v < 0 ? 0 : v;
          break;
        case "relu6":
          v = v < 0 ? 0 : v > 6 ? 6 : v;
          break;
        case "elu":
          v = v >= 0 ? v : Math.exp(v) - 1;
          break;
        case "leakyrelu":
          v = v < 0 ? leakyreluAlpha * v : v;
          break;
        case "sigmoid":
          v = 1 / (1 + Math.exp(-v));
          break;
        case "prelu": {
          const alpha = heap[preluBatch + i * prelu!.rowStride + j * prelu!.colStride]!;
          v = v < 0 ? alpha * v : v;
          break;
        }
      }
      heap[dst + j] = v;
    }
  }
}
