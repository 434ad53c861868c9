import { DcnpiError } from "@dcnpi/base";

export type RunErrorCode = "INVALID_RUN_ID" | "CORRUPT_STAGE" | "INVALID_PLOT";

export class RunError extends DcnpiError<RunErrorCode> {
  override readonly name = "RunError";
}
