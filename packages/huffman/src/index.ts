export { HuffmanError, type HuffmanErrorCode } from "./errors.js";
export { type SymbolArray } from "./decode-table.js";
export {
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
