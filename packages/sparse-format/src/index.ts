export { SparseFormatError, type SparseFormatErrorCode } from "./errors.js";
export { crc32 } from "@dcnpi/base";
export { packBits, packedByteLength, unpackBits } from "./bit-packing.js";
export { decodeRelativeIndex, encodeRelativeIndex, type RelativeIndexEntries, type SparsePositions } from "./relative-index.js";
export {
  accountLayer,
  encodeLayer,
  type CodeArray,
  type EncodedLayer,
  type EncodedStream,
  type EntryInfo,
  type HuffmanChoice,
  type LayerAccounting,
  type LayerInput,
} from "./layer-codec.js";
export { decodeLayer, decodeStream, toDense, toDenseCodes, type DecodedLayer, type LayerStreams, type StreamBytes } from "./layer-decode.js";
export { csrToDense, packCsr, toCsr, transposeCsr, type CsrMatrix, type CsrOptions, type PackedCsrMatrix } from "./csr.js";
export { sparseMatMul, sparseMatVec, sparseMatVecTransposed } from "./sparse-matvec.js";
export { compileMatVec, wasmMatVecAvailable, type CompiledMatVec } from "./wasm-matvec.js";
export {
  FORMAT_VERSION,
  MAGIC,
  PREAMBLE_BYTES,
  TRAILER_BYTES,
  TRAILER_MAGIC,
  headerSchema,
  type ContainerHeader,
  type DenseDType,
  type EntryRecord,
} from "./container-schema.js";
export { DEFAULT_MAX_TENSOR_ELEMENTS, type ReadLimits } from "./container-validate.js";
export {
  ContainerWriter,
  serializeContainer,
  writeContainer,
  type ContainerContents,
  type ContainerSummary,
  type DenseTensorInput,
} from "./container-writer.js";
export {
  ContainerReader,
  openContainer,
  openContainerBytes,
  parseContainer,
  readContainer,
  type ContainerContentsRead,
  type DenseTensor,
  type ReadOptions,
} from "./container-reader.js";
export {
  formatInspection,
  inspectContainer,
  inspectContainerBytes,
  inspectReader,
  type ContainerInspection,
  type InspectOptions,
  type InspectionRow,
} from "./inspect.js";
export { fileSource, memorySource, type ByteSource } from "./byte-source.js";
