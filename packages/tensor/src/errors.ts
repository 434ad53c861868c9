import { DcnpiError } from "@dcnpi/base";

/** What went wrong, as a literal a caller can switch on. */
export type TensorErrorCode =
  "INVALID_SHAPE" | "SHAPE_MISMATCH" | "SIZE_MISMATCH" | "DTYPE_MISMATCH" | "UNKNOWN_WEIGHT" | "DUPLICATE_WEIGHT" | "INVALID_SEED";

/** Every error thrown by `@dcnpi/tensor`; `code` says which rule was broken, `message` names the thing. */
export class TensorError extends DcnpiError<TensorErrorCode> {
  override readonly name = "TensorError";
}
