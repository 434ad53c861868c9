import { SparseFormatError } from "./errors.js";

/** Most dimensions a stored tensor may have. */
export const MAX_RANK = 8;
/** Hard ceiling on elements per tensor (typed-array limit); readers default to a lower one. */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** Element count of `shape`, checking every extent is a non-negative integer and the total fits. */
export function elementCount(shape: readonly number[], what: string, limit = MAX_TENSOR_ELEMENTS): number {
  if (!Array.isArray(shape) || shape.length > MAX_RANK) {
    throw new SparseFormatError("INVALID_ARGUMENT", `${what}: shape must be an array of at most ${MAX_RANK} extents`);
  }
  let n = 1;
  for (const extent of shape) {
    if (!Number.isSafeInteger(extent) || extent < 0) {
      throw new SparseFormatError("INVALID_ARGUMENT", `${what}: shape [${shape.join(",")}] has an invalid extent ${String(extent)}`);
    }
    n *= extent;
  }
  if (n > limit) {
    throw new SparseFormatError(
      "LIMIT_EXCEEDED",
      `${what}: shape [${shape.join(",")}] holds ${n} elements, more than the allowed ${limit}`,
    );
  }
  return n;
}
