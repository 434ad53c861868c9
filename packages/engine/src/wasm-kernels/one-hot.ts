import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { OneHot, util, type KernelConfig, type KernelFunc, type OneHotAttrs, type TensorInfo } from "@tensorflow/tfjs-core";
import { heapF32, heapI32, heapIndex } from "./wasm-heap.js";
import { EngineError } from "../errors.js";

/**
 * OneHot that honours its dtype. The stock wasm kernel (tfjs-backend-wasm 4.22) always writes int32
 * on/off values, also into a float32 output, so `tf.oneHot(ids, depth, 1, 0, "float32")` gives
 * 1.4e-45 (the float whose bits are the integer 1) where 1 belongs: npi-core's MLP encoder one-hots the
 * three arguments that way, so on stock wasm the encoder never saw a program's arguments. Indices
 * outside [0, depth) give an all-off row, as on the cpu backend.
 */
function oneHotKernel(args: { inputs: { indices: TensorInfo }; backend: BackendWasm; attrs: OneHotAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const { indices } = args.inputs;
  const { dtype, depth, onValue, offValue } = attrs;
  if (dtype !== "float32" && dtype !== "int32")
    throw new EngineError("UNSUPPORTED", `OneHot on wasm supports float32 and int32, got ${dtype}`);
  if (indices.dtype !== "int32") throw new EngineError("UNSUPPORTED", `OneHot: indices must be int32, got ${indices.dtype}`);
  const rows = util.sizeFromShape(indices.shape);
  const out = backend.makeOutput([...indices.shape, depth], dtype);
  // Views only after the last allocation (growing the heap detaches them).
  const values = dtype === "float32" ? heapF32(backend) : heapI32(backend);
  const ids = heapI32(backend);
  const outBase = heapIndex(backend, out);
  const idBase = heapIndex(backend, indices);
  values.fill(offValue, outBase, outBase + rows * depth);
  for (let r = 0; r < rows; r++) {
    const id = ids[idBase + r]!;
    if (id >= 0 && id < depth) values[outBase + r * depth + id] = onValue;
  }
  return out;
}

export const oneHotConfig: KernelConfig = {
  kernelName: OneHot,
  backendName: "wasm",
  kernelFunc: oneHotKernel as unknown as KernelFunc,
};
