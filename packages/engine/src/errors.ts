import { DcnpiError } from "@dcnpi/base";

/** What went wrong, as a literal a caller can switch on. */
export type EngineErrorCode =
  | "INVALID_OPTION"
  | "BACKEND_UNAVAILABLE"
  | "SELF_TEST_FAILED"
  | "UNSUPPORTED"
  /** A tensor of another size than the operation needs. */
  | "SHAPE_MISMATCH"
  /** The wasm heap cannot grow to hold a kernel's scratch buffers. */
  | "OUT_OF_MEMORY";

/** Every error thrown by `@dcnpi/engine`; `code` says which rule was broken, `message` names the thing. */
export class EngineError extends DcnpiError<EngineErrorCode> {
  override readonly name = "EngineError";
}
