import { DcnpiError } from "@dcnpi/base";

/** What went wrong, as a literal a caller can switch on. */
export type PruningErrorCode =
  "INVALID_TARGET" | "INVALID_SCHEDULE" | "INVALID_OPTION" | "SHAPE_MISMATCH" | "UNKNOWN_WEIGHT" | "NON_FINITE_WEIGHT" | "INVALID_RECORD";

/** Every error thrown by `@dcnpi/pruning`; `code` says which rule was broken, `message` names the thing. */
export class PruningError extends DcnpiError<PruningErrorCode> {
  override readonly name = "PruningError";
}
