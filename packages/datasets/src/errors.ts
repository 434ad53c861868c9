import { DcnpiError } from "@dcnpi/base";

export type DatasetErrorCode = "MISSING_FILE" | "TRUNCATED" | "BAD_MAGIC" | "BAD_COUNT" | "CHECKSUM_MISMATCH" | "INVALID_OPTION";

/** A data file that is missing or not what it should be; the message names the file. */
export class DatasetError extends DcnpiError<DatasetErrorCode> {
  override readonly name = "DatasetError";
}
