export { ArithmeticError, type ArithmeticErrorCode } from "./errors.js";
export { DECODER_LOOKAHEAD_BYTES, PROBABILITY_BITS, RangeDecoder, RangeEncoder } from "./range-coder.js";
export {
  AdaptiveContexts,
  FAST_RATE_SHIFT,
  MAX_PROBABILITY,
  MIN_PROBABILITY,
  PROBABILITY_ONE,
  SLOW_RATE_SHIFT,
} from "./adaptive-contexts.js";
export {
  CONTEXT_COUNT,
  MAX_ALPHABET_SIZE,
  UNARY_BINS,
  decodeSymbolBins,
  encodeSymbolBins,
  type BinSink,
  type SymbolArray,
} from "./symbol-binarisation.js";
export {
  MAX_STREAM_SYMBOLS,
  MAX_SYMBOLS_PER_PAYLOAD_BYTE,
  STREAM_VERSION,
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
} from "./arithmetic-stream.js";
