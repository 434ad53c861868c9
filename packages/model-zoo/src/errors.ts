import { DcnpiError } from "@dcnpi/base";

/** What went wrong, as a literal a caller can switch on. */
export type ModelZooErrorCode = "INVALID_OPTION" | "SHAPE_MISMATCH";

/** Every error thrown by `@dcnpi/model-zoo`; `code` says which rule was broken, `message` names the thing. */
export class ModelZooError extends DcnpiError<ModelZooErrorCode> {
  override readonly name = "ModelZooError";
}
