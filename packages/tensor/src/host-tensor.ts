import { TensorError } from "./errors.js";
import { formatShape, sizeOfShape, type Shape } from "./shape.js";

/** Element types a host tensor can hold, and the typed array behind each. */
export interface DTypeArrays {
  float32: Float32Array;
  int32: Int32Array;
  uint8: Uint8Array;
}
export type DType = keyof DTypeArrays;
export type TypedArrayOf<D extends DType> = DTypeArrays[D];

/**
 * A tensor that lives in plain JavaScript memory: a dtype, a shape and a row-major typed array.
 * It is the one currency every dcnpi package trades in; TensorFlow.js tensors are converted at the
 * edges by `@dcnpi/tensor/tfjs`.
 */
export interface HostTensor<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: Shape;
  readonly data: TypedArrayOf<D>;
}

const constructors = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array } as const;

export function dtypeOf(data: Float32Array | Int32Array | Uint8Array): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Int32Array) return "int32";
  return "uint8";
}

/** A zero-filled tensor of the given shape. */
export function zeros<D extends DType = "float32">(shape: Shape, dtype?: D): HostTensor<D> {
  const kind = (dtype ?? "float32") as D;
  const size = sizeOfShape(shape);
  return { dtype: kind, shape: [...shape], data: new constructors[kind](size) as TypedArrayOf<D> };
}

/**
 * Wraps `data` (not copied) as a tensor of `shape`; throws SIZE_MISMATCH when the element count
 * does not match, so a wrong shape is caught where it is made rather than deep inside a kernel.
 */
export function tensor<D extends DType>(shape: Shape, data: TypedArrayOf<D>, what = "tensor"): HostTensor<D> {
  const size = sizeOfShape(shape, what);
  if (data.length !== size) {
    throw new TensorError("SIZE_MISMATCH", `${what}: shape ${formatShape(shape)} needs ${size} elements, got ${data.length}`);
  }
  return { dtype: dtypeOf(data) as D, shape: [...shape], data };
}

/** A float32 tensor from a plain array of numbers (copied). */
export function float32(shape: Shape, values: ArrayLike<number>, what = "tensor"): HostTensor<"float32"> {
  return tensor(shape, Float32Array.from(values), what);
}

/** A deep copy, so callers can mutate without touching the original. */
export function cloneTensor<D extends DType>(t: HostTensor<D>): HostTensor<D> {
  return { dtype: t.dtype, shape: [...t.shape], data: t.data.slice() as TypedArrayOf<D> };
}

/** The same data under a new shape with the same element count (no copy). */
export function reshape<D extends DType>(t: HostTensor<D>, shape: Shape): HostTensor<D> {
  return tensor(shape, t.data, "reshape");
}

export function assertDType<D extends DType>(t: HostTensor, dtype: D, what = "tensor"): asserts t is HostTensor<D> {
  if (t.dtype !== dtype) {
    throw new TensorError("DTYPE_MISMATCH", `${what}: expected dtype ${dtype}, got ${t.dtype}`);
  }
}
