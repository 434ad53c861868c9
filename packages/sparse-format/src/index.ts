export { SparseFormatError, type SparseFormatErrorCode } from "./errors.js";
export { encodeRelativeIndex, type RelativeIndexEntries } from "./relative-index.js";
export { encodeLayer, type EncodedLayer, type EncodedStream, type EntryInfo, type LayerCoder, type LayerInput } from "./layer-codec.js";
export { type FormatVersion } from "./container-schema.js";
export { decodeLayer, toDense, toDenseCodes, type DecodedLayer } from "./layer-decode.js";
export { packCsr, toCsr, transposeCsr, type CsrMatrix, type CsrOptions, type PackedCsrMatrix } from "./csr.js";
export { sparseMatMul, sparseMatVec, sparseMatVecTransposed } from "./sparse-matvec.js";
export { compileMatVec, type CompiledMatVec } from "./wasm-matvec.js";
export {
  ContainerWriter,
  serializeContainer,
  writeContainer,
  type ContainerContents,
  type ContainerFormat,
  type ContainerSummary,
  type HeaderForm,
  type DenseTensorInput,
} from "./container-writer.js";
export {
  ContainerReader,
  openContainer,
  parseContainer,
  readContainer,
  type ContainerContentsRead,
  type DenseTensor,
  type ReadOptions,
} from "./container-reader.js";
export { DEFAULT_READ_LIMITS, type ReadLimits } from "./read-limits.js";
export { formatInspection, inspectContainer, inspectContainerBytes, type ContainerInspection, type InspectOptions } from "./inspect.js";
