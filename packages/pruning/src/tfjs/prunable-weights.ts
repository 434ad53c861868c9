import { describeModelWeights } from "@dcnpi/tensor/tfjs";
import type { LayersModel } from "@tensorflow/tfjs-layers";

/** The weight roles magnitude pruning applies to (biases and normalisation parameters are left dense, as in the paper). */
export const PRUNABLE_ROLES: readonly string[] = ["kernel", "recurrent_kernel", "depthwise_kernel", "pointwise_kernel", "embeddings"];

/** Names of a model's trainable weights whose role is in `roles` (default `PRUNABLE_ROLES`), in model order. */
export function prunableWeightNames(model: LayersModel, roles: readonly string[] = PRUNABLE_ROLES): string[] {
  return describeModelWeights(model)
    .filter((d) => d.trainable && roles.includes(d.role))
    .map((d) => d.name);
}
