import { DcnpiError } from "@dcnpi/base";

/** What went wrong, as a literal a caller can switch on. */
export type ArithmeticErrorCode =
  /** A caller passed something outside the documented domain (bad option, symbol out of range). */
  | "INVALID_ARGUMENT"
  /** The bytes end before everything they declare has been read. */
  | "TRUNCATED"
  /** A declared count above the caller's limit, or more than the bytes can hold (see MAX_SYMBOLS_PER_PAYLOAD_BYTE). */
  | "COUNT_TOO_LARGE"
  /** Bytes left over after the stream's last byte. */
  | "TRAILING_DATA"
  /** The stream's version byte is not one this library writes. */
  | "UNSUPPORTED_VERSION"
  /** A class-coded stream decoded without its class definition or with another one, or a plain stream given one. */
  | "CLASS_MISMATCH"
  /** A header field or a decoded value that no encoder writes (alphabet too large, symbol past the alphabet). */
  | "CORRUPT";

/** Every error thrown by `@dcnpi/arithmetic`; `code` says which rule was broken, `message` names the thing. */
export class ArithmeticError extends DcnpiError<ArithmeticErrorCode> {}
