import * as tf from "@tensorflow/tfjs-core";
import { TensorError } from "../errors.js";
import type { DType, HostTensor } from "../host-tensor.js";
import { tensor as hostTensor } from "../host-tensor.js";

/** A new TensorFlow.js tensor holding a copy of `t` (uint8 becomes int32, which tfjs can hold). */
export function toTfTensor(t: HostTensor): tf.Tensor {
  const dtype = t.dtype === "float32" ? "float32" : "int32";
  const data = t.dtype === "uint8" ? Int32Array.from(t.data) : t.data;
  return tf.tensor(data, [...t.shape], dtype);
}

/** A host copy of a TensorFlow.js tensor (synchronous read; float32 and int32 only). */
export function fromTfTensor(t: tf.Tensor): HostTensor {
  if (t.dtype !== "float32" && t.dtype !== "int32") {
    throw new TensorError("DTYPE_MISMATCH", `fromTfTensor: cannot hold tfjs dtype ${t.dtype}`);
  }
  const data = t.dataSync();
  const copy: Float32Array | Int32Array = t.dtype === "float32" ? Float32Array.from(data) : Int32Array.from(data);
  return hostTensor(t.shape, copy) as HostTensor<DType>;
}
