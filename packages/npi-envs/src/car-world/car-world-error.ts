import { DcnpiError } from "@dcnpi/base";

/** What went wrong, as a literal a caller can switch on. */
export type CarWorldErrorCode =
  | "INVALID_SIZE"
  | "POSE_OFF_GRID"
  | "INVALID_BIN"
  | "INVALID_MOVE"
  | "INVALID_SEED"
  | "INVALID_SPLIT"
  | "INVALID_COUNT"
  | "INVALID_MESH"
  | "INVALID_CAMERA"
  | "INVALID_IMAGE"
  | "INVALID_PNG";

/** Every error thrown by the car world; `code` says which rule was broken, `message` names the thing. */
export class CarWorldError extends DcnpiError<CarWorldErrorCode> {
  override readonly name = "CarWorldError";
}
