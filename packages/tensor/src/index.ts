export { TensorError, type TensorErrorCode } from "./errors.js";
export { formatShape, sizeOfShape, type Shape } from "./shape.js";
export { float32, tensor, type DType, type HostTensor } from "./host-tensor.js";
export { WeightMap, type NamedWeight, type WeightInfo } from "./weight-map.js";
export { Rng, type RngState, type Seed } from "./rng.js";
export { cumulativeSums, indexAtFraction } from "./weighted-draw.js";
