import type { QuantizedWeight } from "@dcnpi/quantization";
import { bindCodebooks } from "@dcnpi/quantization/tfjs";
import type { Rng } from "@dcnpi/tensor";
import type { CompressionTarget } from "./compression-target.js";
import { timed, type StageHooks, type TrainFunction } from "./stage-options.js";

export interface FineTuneOptions extends StageHooks {
  /** Forked as `retrain:quantize` for the training context. */
  readonly rng: Rng;
  readonly train?: TrainFunction | undefined;
  readonly epochs: number;
  readonly learningRate?: number | undefined;
}

export interface FineTuned {
  /** The quantized weights with their fine-tuned codebooks (codes never change). */
  readonly quantized: Map<string, QuantizedWeight>;
  /** False when there was nothing to train (no `train`, no epochs or no quantized weight). */
  readonly trained: boolean;
}

/**
 * Stage 2b (DC §3.3): centroid fine-tuning. The quantized weights are bound to `target` (each weight
 * is codebook[codes]) and `train` runs with an optimizer that moves only the shared centroids: the
 * weights' gradients summed per code. The target keeps the fine-tuned weights.
 */
export async function fineTuneCentroids(
  target: CompressionTarget,
  quantized: ReadonlyMap<string, QuantizedWeight>,
  options: FineTuneOptions,
): Promise<FineTuned> {
  const binding = bindCodebooks(target, quantized);
  try {
    const trained = options.train !== undefined && options.epochs > 0 && quantized.size > 0;
    if (trained) {
      const train = options.train!;
      options.onEvent?.({ kind: "stage-start", stage: "fine-tune" });
      await timed(options.seconds, "fine-tune", () =>
        train(target, {
          stage: "quantize",
          cycle: 1,
          cycles: 1,
          epochs: options.epochs,
          learningRate: options.learningRate,
          wrapOptimizer: (optimizer) => binding.wrapOptimizer(optimizer),
          minimize: (optimizer, loss, returnCost) => binding.minimize(optimizer, loss, returnCost),
          rng: options.rng.fork("retrain:quantize"),
        }),
      );
    }
    return { quantized: binding.read(), trained };
  } finally {
    binding.dispose();
  }
}
