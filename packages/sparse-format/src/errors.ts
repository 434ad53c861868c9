import { DcnpiError } from "@dcnpi/base";

/** What went wrong, as a literal a caller can switch on. */
export type SparseFormatErrorCode =
  /** A caller passed something outside the documented domain (shape, bits, codes, codebook). */
  | "INVALID_ARGUMENT"
  /** The file does not start with the .dcnpi magic bytes. */
  | "BAD_MAGIC"
  /** The file (or a stream in it) has a format version this library does not read. */
  | "UNSUPPORTED_VERSION"
  /** The file ends before something it declares, or is shorter than a minimal file. */
  | "TRUNCATED"
  /** A section's or the header's CRC32 does not match its bytes. */
  | "CRC_MISMATCH"
  /** The JSON header is not valid JSON, fails its schema, or declares sizes that do not add up. */
  | "INVALID_HEADER"
  /** A stream decodes to something inconsistent with the header (counts, positions, codes). */
  | "CORRUPT_STREAM"
  /** A declared size is beyond one of the reader's `ReadLimits` (the message names the entry and the limit). */
  | "LIMIT_EXCEEDED"
  /** No entry of that name (or of that kind) in the file. */
  | "UNKNOWN_ENTRY"
  /** Reading or writing the file failed (the underlying error is the `cause`). */
  | "IO_ERROR";

/** Every error thrown by `@dcnpi/sparse-format`; `code` says which rule was broken, `message` names the thing. */
export class SparseFormatError extends DcnpiError<SparseFormatErrorCode> {
  override readonly name = "SparseFormatError";
}
