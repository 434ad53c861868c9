import { DcnpiError } from "@dcnpi/base";

/** What went wrong, as a literal a caller can switch on. */
export type NpiErrorCode =
  | "INVALID_TASK"
  | "UNKNOWN_PROGRAM"
  | "INVALID_ARGUMENTS"
  | "TEACHER_ERROR"
  | "INVALID_TRACE"
  | "INVALID_OPTIONS"
  | "INVALID_CONFIG"
  | "INVALID_DATASET"
  | "INVALID_WEIGHTS"
  | "INVALID_CHECKPOINT"
  | "INCOMPATIBLE_CHECKPOINT"
  | "WORKER_FAILED";

/** Every error thrown by `@dcnpi/npi-core`; `code` says which rule was broken, `message` names the thing. */
export class NpiError extends DcnpiError<NpiErrorCode> {
  override readonly name = "NpiError";
}
