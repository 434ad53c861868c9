import { DcnpiError } from "@dcnpi/base";

/** What went wrong, as a literal a caller can switch on. */
export type HuffmanErrorCode =
  /** A caller passed something outside the documented domain (bad option, symbol out of range). */
  | "INVALID_ARGUMENT"
  /** The bytes end before everything they declare has been read. */
  | "TRUNCATED"
  /** Code lengths over-subscribe the code space (Kraft sum above 1). */
  | "KRAFT_VIOLATION"
  /** Code lengths leave part of the code space unused (only a lone one-bit code may do that). */
  | "INCOMPLETE_CODE"
  /** A code-length table that cannot be right: too long, alphabet too large, a run past the end. */
  | "INVALID_CODE_LENGTHS"
  /** A declared count that the bytes cannot hold (every symbol costs at least one bit). */
  | "COUNT_TOO_LARGE"
  /** A bit pattern that is not a codeword of the stream's code. */
  | "INVALID_CODEWORD"
  /** Bytes left over after the declared symbols, or non-zero padding bits. */
  | "TRAILING_DATA"
  /** The stream's version byte is not one this library writes. */
  | "UNSUPPORTED_VERSION";

/** Every error thrown by `@dcnpi/huffman`; `code` says which rule was broken, `message` names the thing. */
export class HuffmanError extends DcnpiError<HuffmanErrorCode> {
  override readonly name = "HuffmanError";
}
