export { ArithmeticError, type ArithmeticErrorCode } from "./errors.js";
export { type SymbolArray } from "./symbol-binarisation.js";
export { MAX_CONTEXT_CLASSES, type ContextClasses } from "./bit-tree.js";
export {
  decodeSymbols,
  decodeSymbolsFrom,
  decodeSymbolsInto,
  encodeSymbols,
  encodeSymbolsDetailed,
  estimateEncodedBytes,
  readStreamHeader,
  type ArithmeticEncoding,
  type DecodeOptions,
  type DecodedStream,
  type EncodeOptions,
  type StreamHeader,
  type TreeDecoderChoice,
} from "./arithmetic-stream.js";
