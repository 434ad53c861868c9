import { DcnpiError } from "@dcnpi/base";

/** What went wrong, as a literal a caller can switch on. */
export type NpiEnvErrorCode =
  /** A task or encoder option outside its documented domain. */
  | "INVALID_OPTION"
  /** A problem input the environment cannot hold (not digits, not a car seed). */
  | "INVALID_INPUT"
  /** Observations of another size than the encoder was built for. */
  | "SHAPE_MISMATCH"
  /** No path of the asked length, or a teacher move that never reaches the target. */
  | "NO_PATH";

/** Every error thrown by the tasks and encoders of `@dcnpi/npi-envs` (the car world has `CarWorldError`). */
export class NpiEnvError extends DcnpiError<NpiEnvErrorCode> {
  override readonly name = "NpiEnvError";
}
