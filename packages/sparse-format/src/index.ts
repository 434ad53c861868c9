export { SparseFormatError, type SparseFormatErrorCode } from "./errors.js";
export { encodeRelativeIndex, type RelativeIndexEntries } from "./relative-index.js";
export { gapStreamClasses, weightStreamClasses } from "./context-classes.js";
export { encodeLayer, type EncodedLayer, type EncodedStream, type EntryInfo, type LayerCoder, type LayerInput } from "./layer-codec.js";
export { type FormatVersion } from "./container-constants.js";
export { decodeLayer, toDense, toDenseCodes, toLayerInput, type DecodedLayer } from "./layer-decode.js";
export { packCsr, toCsr, transposeCsr, type CsrMatrix, type CsrOptions, type PackedCsrMatrix } from "./csr.js";
export { sparseMatMul, sparseMatVec, sparseMatVecTransposed } from "./sparse-matvec.js";
export { compileMatVec, type CompiledMatVec } from "./wasm-matvec.js";
export { fullyConnectedMatVec, type FullyConnectedMatVec, type FullyConnectedOptions } from "./fully-connected.js";
export {
  serializeContainer,
  type ContainerContents,
  type ContainerFormat,
  type ContainerSummary,
  type DenseForm,
  type DenseTensorInput,
  type HeaderForm,
} from "./container-writer.js";
export { memorySource, type ByteSource } from "./byte-source.js";
export {
  ContainerReader,
  openContainerBytes,
  parseContainer,
  type ContainerContentsRead,
  type DenseTensor,
  type ReadOptions,
} from "./container-reader.js";
export { DEFAULT_READ_LIMITS, type ReadLimits } from "./read-limits.js";
export { formatInspection, inspectContainerBytes, type ContainerInspection, type InspectOptions } from "./inspect.js";
