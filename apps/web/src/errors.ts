import { DcnpiError } from "@dcnpi/base";

export type WebAppErrorCode = "MODEL_FILES" | "MODEL_FILE" | "INVALID_INPUT" | "WRONG_FILE";

/** Errors of the web app: a file the user gave is not what the view needs, or an input does not parse. */
export class WebAppError extends DcnpiError<WebAppErrorCode> {
  override readonly name = "WebAppError";
}
