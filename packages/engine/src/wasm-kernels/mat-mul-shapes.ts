import { broadcast_util, util, type TensorInfo } from "@tensorflow/tfjs-core";
import { broadcastBatchIndex } from "./epilogue.js";

/** The sizes of out = op(a) @ op(b) for tensors of rank >= 2 with broadcast batch dims, checked as tfjs checks them. */
export interface MatMulShapes {
  readonly M: number;
  readonly K: number;
  readonly N: number;
  readonly outShape: readonly number[];
  /** Number of M x N products (the broadcast batch). */
  readonly batch: number;
  /** For each product, which of a's (b's) matrices it reads. */
  readonly aBatchIndex: ArrayLike<number>;
  readonly bBatchIndex: ArrayLike<number>;
}

export function matMulShapes(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): MatMulShapes {
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const M = transposeA ? a.shape[aRank - 1]! : a.shape[aRank - 2]!;
  const K = transposeA ? a.shape[aRank - 2]! : a.shape[aRank - 1]!;
  const kB = transposeB ? b.shape[bRank - 1]! : b.shape[bRank - 2]!;
  const N = transposeB ? b.shape[bRank - 2]! : b.shape[bRank - 1]!;
  util.assert(
    K === kB,
    () =>
      `Error in matMul: inner shapes (${K}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} ` +
      `and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
  );
  const aOuter = a.shape.slice(0, -2);
  const bOuter = b.shape.slice(0, -2);
  const outOuter = broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter);
  return {
    M,
    K,
    N,
    outShape: [...outOuter, M, N],
    batch: util.sizeFromShape(outOuter),
    aBatchIndex: broadcastBatchIndex(outOuter, aOuter),
    bBatchIndex: broadcastBatchIndex(outOuter, bOuter),
  };
}
