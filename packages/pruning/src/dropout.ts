import { PruningError } from "./errors.js";

/**
 * The paper's dropout adjustment for retraining (LWC §3.1, used by DC §2): pruning already removes
 * capacity, so the retraining dropout rate shrinks with the square root of the kept connections,
 * D_r = D_o x sqrt(C_ir / C_io), where C_io and C_ir are the layer's connection counts before and
 * after pruning (C_i = N_i x N_(i-1) for a fully connected layer).
 */
export function adjustDropoutRate(
  originalRate: number,
  connections: { readonly originalConnections: number; readonly remainingConnections: number },
): number {
  const { originalConnections, remainingConnections } = connections;
  if (!Number.isFinite(originalRate) || originalRate < 0 || originalRate >= 1) {
    throw new PruningError("INVALID_OPTION", `adjustDropoutRate: originalRate must lie in [0,1), got ${originalRate}`);
  }
  if (!Number.isSafeInteger(originalConnections) || originalConnections <= 0) {
    throw new PruningError(
      "INVALID_OPTION",
      `adjustDropoutRate: originalConnections must be a positive integer, got ${originalConnections}`,
    );
  }
  if (!Number.isSafeInteger(remainingConnections) || remainingConnections < 0 || remainingConnections > originalConnections) {
    throw new PruningError(
      "INVALID_OPTION",
      `adjustDropoutRate: remainingConnections must be an integer in [0, ${originalConnections}], got ${remainingConnections}`,
    );
  }
  return originalRate * Math.sqrt(remainingConnections / originalConnections);
}
