import { QuantizationError } from "./errors.js";
import type { QuantizedWeight } from "./quantize.js";

/** How weight gradients become a centroid gradient: `sum` is the paper's rule (DC §3.3), `mean` divides by the cluster size. */
export type GradientAggregation = "sum" | "mean";

/**
 * The centroid gradients of DC §3.3: dL/dC_k = sum over weights with code k of dL/dW (or the mean).
 * The pruned code 0 of a masked codebook always gets 0, so the zero never moves.
 */
export function aggregateCentroidGradients(
  quantized: Pick<QuantizedWeight, "codebook" | "codes" | "masked">,
  weightGradients: Float32Array,
  aggregation: GradientAggregation = "sum",
): Float64Array {
  const { codes, codebook, masked } = quantized;
  if (weightGradients.length !== codes.length) {
    throw new QuantizationError(
      "SHAPE_MISMATCH",
      `aggregateCentroidGradients: ${weightGradients.length} gradients for ${codes.length} codes`,
    );
  }
  const grads = new Float64Array(codebook.length);
  const counts = new Float64Array(codebook.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    grads[c] = grads[c]! + weightGradients[i]!;
    counts[c] = counts[c]! + 1;
  }
  if (aggregation === "mean") for (let c = 0; c < grads.length; c++) if (counts[c]! > 0) grads[c] = grads[c]! / counts[c]!;
  if (masked) grads[0] = 0;
  return grads;
}

/**
 * One plain gradient-descent step on the centroids with fixed assignments: C_k <- C_k - lr dL/dC_k.
 * Returns a new QuantizedWeight sharing the codes. (For momentum or Adam use the `./tfjs` trainer.)
 */
export function stepCentroids<Q extends QuantizedWeight>(
  quantized: Q,
  weightGradients: Float32Array,
  options: { learningRate: number; aggregation?: GradientAggregation },
): Q {
  if (!Number.isFinite(options.learningRate)) throw new QuantizationError("INVALID_OPTION", `stepCentroids: learningRate must be finite`);
  const grads = aggregateCentroidGradients(quantized, weightGradients, options.aggregation ?? "sum");
  const codebook = new Float32Array(quantized.codebook.length);
  for (let c = 0; c < codebook.length; c++) codebook[c] = quantized.codebook[c]! - options.learningRate * grads[c]!;
  if (quantized.masked) codebook[0] = 0;
  return { ...quantized, codebook };
}
