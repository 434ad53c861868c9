import { DcnpiError } from "@dcnpi/base";

export type ReportErrorCode = "INVALID_PLOT";

/** A Vega-Lite spec that does not compile, or a figure name that is not a plain unique file name. */
export class ReportError extends DcnpiError<ReportErrorCode> {}
