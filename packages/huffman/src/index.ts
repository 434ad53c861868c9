export { HuffmanError, type HuffmanErrorCode } from "./errors.js";
export { BitWriter, reverseBits } from "./bit-writer.js";
export { BitReader } from "./bit-reader.js";
export {
  MAX_ALPHABET_SIZE,
  MAX_CODE_LENGTH,
  buildCodeLengths,
  countFrequencies,
  type CodeLengthOptions,
} from "./code-lengths.js";
export { buildCanonicalCode, validateCodeLengths, type CanonicalCode } from "./canonical-code.js";
export { readCodeLengths, writeCodeLengths, type ReadCodeLengthsOptions } from "./code-length-table.js";
export { PAIR_TABLE_BITS, ROOT_TABLE_BITS, buildDecodeTable, decodeSymbols, type DecodeTable, type SymbolArray } from "./decode-table.js";
export {
  MAX_STREAM_SYMBOLS,
  STREAM_VERSION,
  decode,
  decodeInto,
  encode,
  encodeDetailed,
  readStreamHeader,
  type DecodeOptions,
  type EncodeOptions,
  type HuffmanEncoding,
  type StreamHeader,
} from "./huffman-stream.js";
