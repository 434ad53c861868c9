export type RunErrorCode = "INVALID_RUN_ID" | "CORRUPT_STAGE" | "INVALID_PLOT";

export class RunError extends Error {
  override readonly name = "RunError";
  constructor(
    readonly code: RunErrorCode,
    message: string,
  ) {
    super(message);
  }
}
