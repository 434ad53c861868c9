export { TensorError, type TensorErrorCode } from "./errors.js";
export { assertShape, formatShape, shapesEqual, sizeOfShape, type Shape } from "./shape.js";
export {
  assertDType,
  cloneTensor,
  dtypeOf,
  float32,
  reshape,
  tensor,
  zeros,
  type DType,
  type DTypeArrays,
  type HostTensor,
  type TypedArrayOf,
} from "./host-tensor.js";
export { WeightMap, type NamedWeight, type WeightInfo } from "./weight-map.js";
export { Rng, type RngState, type Seed } from "./rng.js";
export { cumulativeSums, indexAtFraction } from "./weighted-draw.js";
