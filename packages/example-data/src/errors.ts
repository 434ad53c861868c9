import { DcnpiError } from "@dcnpi/base";

export type ExampleDataErrorCode =
  "UNREADABLE" | "BAD_FORMAT" | "SHAPE_MISMATCH" | "LABEL_MISMATCH" | "EMPTY" | "LIMIT_EXCEEDED" | "INVALID_OPTION";

/** Example inputs that cannot be used as they are; the message names the file (or flag) first. */
export class ExampleDataError extends DcnpiError<ExampleDataErrorCode> {
  override readonly name = "ExampleDataError";
}
