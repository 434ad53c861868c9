import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  UnsortedSegmentSum,
  util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type UnsortedSegmentSumAttrs,
} from "@tensorflow/tfjs-core";
import { heapF32, heapI32, heapIndex, makeZeroOutput } from "./wasm-heap.js";
import { EngineError } from "../errors.js";

/**
 * out[s, ...] = sum of x[i, ...] over the i with segmentIds[i] = s (missing from tfjs-backend-wasm;
 * also the gradient of `gather`). Ids outside [0, numSegments) are dropped, as in TensorFlow, so a
 * negative id means "belongs nowhere". segmentIds may have any rank; its shape is a prefix of x's.
 */
export function unsortedSegmentSumWasm(backend: BackendWasm, x: TensorInfo, segmentIds: TensorInfo, numSegments: number): TensorInfo {
  if (x.dtype !== "float32" && x.dtype !== "int32") {
    throw new EngineError("UNSUPPORTED", `UnsortedSegmentSum on wasm supports float32 and int32 values, got ${x.dtype}`);
  }
  if (segmentIds.dtype !== "int32")
    throw new EngineError("UNSUPPORTED", `UnsortedSegmentSum: segmentIds must be int32, got ${segmentIds.dtype}`);
  const idCount = util.sizeFromShape(segmentIds.shape);
  const innerShape = x.shape.slice(segmentIds.shape.length);
  const inner = util.sizeFromShape(innerShape);
  const out = makeZeroOutput(backend, [numSegments, ...innerShape], x.dtype);
  const values = x.dtype === "float32" ? heapF32(backend) : heapI32(backend);
  const ids = heapI32(backend);
  const xBase = heapIndex(backend, x);
  const idBase = heapIndex(backend, segmentIds);
  const outBase = heapIndex(backend, out);
  const integer = x.dtype === "int32";
  for (let i = 0; i < idCount; i++) {
    const id = ids[idBase + i]!;
    if (id < 0 || id >= numSegments) continue;
    const src = xBase + i * inner;
    const dst = outBase + id * inner;
    if (integer) for (let j = 0; j < inner; j++) values[dst + j] = (values[dst + j]! + values[src + j]!) | 0;
    else for (let j = 0; j < inner; j++) values[dst + j] = values[dst + j]! + values[src + j]!;
  }
  return out;
}

function unsortedSegmentSumKernel(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: BackendWasm;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  return unsortedSegmentSumWasm(args.backend, args.inputs.x, args.inputs.segmentIds, args.attrs.numSegments);
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: "wasm",
  kernelFunc: unsortedSegmentSumKernel as unknown as KernelFunc,
};
