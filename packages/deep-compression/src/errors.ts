import { DcnpiError } from "@dcnpi/base";

export type CompressionErrorCode =
  "INVALID_PLAN" | "MODEL_FILE" | "UNSUPPORTED_MODEL" | "WEIGHT_MISMATCH" | "INVALID_ARGUMENT" | "LIMIT_EXCEEDED" | "BUDGET_UNREACHABLE";

/** Every error of `@dcnpi/deep-compression`; the message names the file, layer or plan field. */
export class CompressionError extends DcnpiError<CompressionErrorCode> {
  override readonly name = "CompressionError";
}
