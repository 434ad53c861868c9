import { DcnpiError } from "@dcnpi/base";

export type NpiAppErrorCode =
  "INVALID_INPUT" | "INVALID_OPTION" | "TASK_UNAVAILABLE" | "WRONG_TASK" | "MODEL_FILE" | "INCOMPATIBLE_RUN" | "CHECK_FAILED";

/** Errors of the npi-trainer app; the CLI prints the message as one line and exits non-zero. */
export class NpiAppError extends DcnpiError<NpiAppErrorCode> {
  override readonly name = "NpiAppError";
}
