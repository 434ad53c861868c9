/**
 * The order relative indices run over a weight (DC §2, Figure 2). tfjs stores dense kernels as
 * [in, out] and convolutions as [kh, kw, in, out]; Caffe, whose layout the paper's reference decoder
 * walks, stores them output-major: [out, in] and [out, in, kh, kw]. Walking a layer output-major
 * puts one neuron's (or filter's) kept connections next to each other, which changes the index
 * gaps, the fillers and what Huffman coding makes of them. A layer encoded in Caffe order is stored
 * with its axes permuted; the file's metadata records the permutation and loading undoes it.
 */
import { CompressionError } from "./errors.js";

export type IndexOrder = "tfjs" | "caffe";
export const INDEX_ORDERS: readonly IndexOrder[] = ["tfjs", "caffe"];

/**
 * The axis permutation that takes a tfjs kernel to Caffe's layout (stored axis i = original axis
 * axes[i]); identity for shapes that have no Caffe counterpart (biases, embeddings).
 */
export function caffeAxes(shape: readonly number[], layerClass: string | undefined): number[] {
  const identity = shape.map((_, i) => i);
  if (layerClass === "Embedding") return identity;
  if (shape.length === 2) return [1, 0];
  if (shape.length === 3) return [2, 1, 0];
  if (shape.length === 4) return [3, 2, 0, 1];
  if (shape.length === 5) return [4, 3, 0, 1, 2];
  return identity;
}

export function isIdentity(axes: readonly number[]): boolean {
  return axes.every((a, i) => a === i);
}

function checkAxes(shape: readonly number[], axes: readonly number[], what: string): void {
  const seen = new Set(axes);
  if (axes.length !== shape.length || seen.size !== axes.length || axes.some((a) => !Number.isInteger(a) || a < 0 || a >= shape.length)) {
    throw new CompressionError(
      "WEIGHT_MISMATCH",
      `${what}: axes [${axes.join(",")}] are not a permutation of the ${shape.length} axes of [${shape.join(",")}]`,
    );
  }
}

type Numeric = Float32Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/** Transposes row-major `data` of `shape` so that stored axis i is original axis `axes[i]`. */
export function permuteAxes<T extends Numeric>(
  data: T,
  shape: readonly number[],
  axes: readonly number[],
  what = "weight",
): { data: T; shape: number[] } {
  checkAxes(shape, axes, what);
  const rank = shape.length;
  const outShape = axes.map((a) => shape[a]!);
  const inStrides = new Array<number>(rank);
  let stride = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = stride;
    stride *= shape[i]!;
  }
  if (data.length !== stride)
    throw new CompressionError("WEIGHT_MISMATCH", `${what}: ${data.length} values for shape [${shape.join(",")}]`);
  // Stride in the source of one step along each output axis.
  const step = axes.map((a) => inStrides[a]!);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[source]!;
    for (let d = rank - 1; d >= 0; d--) {
      index[d]!++;
      source += step[d]!;
      if (index[d]! < outShape[d]!) break;
      source -= step[d]! * outShape[d]!;
      index[d] = 0;
    }
  }
  return { data: out, shape: outShape };
}

/** The permutation that undoes `axes`. */
export function inverseAxes(axes: readonly number[]): number[] {
  const inverse = new Array<number>(axes.length);
  axes.forEach((a, i) => (inverse[a] = i));
  return inverse;
}
