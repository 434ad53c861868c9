import { quantizeWeights, type CentroidInit, type FeedbackFactor, type KMeansReport, type QuantizedWeight } from "@dcnpi/quantization";
import { bindCodebooks } from "@dcnpi/quantization/tfjs";
import type { Rng, WeightMap } from "@dcnpi/tensor";
import { readTargetWeights, type CompressionTarget } from "./compression-target.js";
import { CompressionError } from "./errors.js";
import { timedSync, type StageHooks } from "./stage-options.js";

/** How to quantize one weight (a plan's compressed decision is one). */
export interface QuantizeSpec {
  readonly weightBits: number;
  /** Centroid initialisation (default linear, the paper's choice). */
  readonly init?: CentroidInit;
  /** λ of entropy-constrained quantization (Choi et al., ICLR 2017); omitted: plain k-means. */
  readonly entropyWeight?: number;
}

export interface QuantizeOptions extends StageHooks {
  /** Forked per weight, by `rngLabel(name)` (default: the weight's name); only random and k-means++ inits draw. */
  readonly rng?: Rng | undefined;
  readonly rngLabel?: (name: string) => string;
  /** Pruning masks (a `MaskSet`): a masked weight clusters its survivors only and keeps code 0 for the pruned zero. */
  readonly masks?: { get(name: string): Uint8Array | undefined } | undefined;
  /** Lloyd iterations at most (default: to a fixed point). */
  readonly maxIterations?: number | undefined;
  /** Beyond the paper: codes chosen with error feedback from these weights' inputs (GPTQ; `CompressOptions.feedback`). */
  readonly feedback?: ReadonlyMap<string, FeedbackFactor> | undefined;
  /**
   * The weights before one-shot pruning, for error feedback: a pruned weight's value is then spread
   * onward too (survivors are unchanged by one-shot pruning, so the codebooks are the same). Omit after retraining.
   */
  readonly feedbackFrom?: WeightMap | undefined;
}

export interface Quantized {
  /** Codes + codebook of every quantized weight, in the target's weight order. */
  readonly quantized: Map<string, QuantizedWeight>;
  readonly kmeans: Map<string, KMeansReport>;
}

/**
 * Stage 2a (DC §3.1–3.2): per-weight 1-D k-means weight sharing of the named weights of `target`,
 * then each weight is set to codebook[codes] in the target (exactly what the file will decode to).
 */
export function quantize(target: CompressionTarget, specs: ReadonlyMap<string, QuantizeSpec>, options: QuantizeOptions = {}): Quantized {
  options.onEvent?.({ kind: "stage-start", stage: "quantize" });
  const weights = readTargetWeights(target);
  for (const name of specs.keys()) {
    if (!weights.has(name))
      throw new CompressionError("WEIGHT_MISMATCH", `quantize: no weight "${name}" (has: ${weights.names().join(", ")})`);
  }
  const quantized = new Map<string, QuantizedWeight>();
  const kmeans = new Map<string, KMeansReport>();
  const label = options.rngLabel ?? ((name: string) => name);
  const feedbackValues = (name: string) =>
    options.feedback?.has(name) === true && options.feedbackFrom?.has(name) === true ? options.feedbackFrom.get(name) : weights.get(name);
  let index = 0;
  for (const name of weights.names()) {
    const spec = specs.get(name);
    if (spec === undefined) continue;
    options.onEvent?.({ kind: "weight", stage: "quantize", name, index: index++, count: specs.size });
    const { report, ...shared } = timedSync(options.seconds, "quantize", () =>
      quantizeWeights(feedbackValues(name), {
        bits: spec.weightBits,
        init: spec.init,
        ...(spec.entropyWeight === undefined ? {} : { entropyWeight: spec.entropyWeight }),
        mask: options.masks?.get(name),
        ...(options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations }),
        feedback: options.feedback?.get(name),
        ...(options.rng === undefined ? {} : { rng: options.rng.fork(label(name)) }),
        name,
      }),
    );
    quantized.set(name, shared);
    kmeans.set(name, report);
  }
  // Binding writes gather(codebook, codes) into the weights; nothing else of it is needed here.
  bindCodebooks(target, quantized).dispose();
  return { quantized, kmeans };
}
