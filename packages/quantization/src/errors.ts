import { DcnpiError } from "@dcnpi/base";

/** What went wrong, as a literal a caller can switch on. */
export type QuantizationErrorCode = "INVALID_OPTION" | "SHAPE_MISMATCH" | "NON_FINITE_WEIGHT" | "UNKNOWN_WEIGHT" | "MISSING_RNG";

/** Every error thrown by `@dcnpi/quantization`; `code` says which rule was broken, `message` names the thing. */
export class QuantizationError extends DcnpiError<QuantizationErrorCode> {
  override readonly name = "QuantizationError";
}
