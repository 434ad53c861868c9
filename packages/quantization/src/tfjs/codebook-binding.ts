import * as tf from "@tensorflow/tfjs-core";
import { variablesByWeightName, WrappedOptimizer, type WeightTarget } from "@dcnpi/tensor/tfjs";
import type { GradientAggregation } from "../centroid-gradients.js";
import { QuantizationError } from "../errors.js";
import type { QuantizedWeight } from "../quantize.js";

/** tfjs-core does not export this type from its root. */
type NamedTensor = { name: string; tensor: tf.Tensor };

/** What happens to trainable weights that are not quantized (biases, normalisation) during centroid fine-tuning. */
export type OtherWeightsPolicy = "train" | "freeze";

export interface CodebookBindingOptions {
  /** `sum` (the paper's rule, default) or `mean` of the weight gradients in a cluster. */
  readonly aggregation?: GradientAggregation;
}

interface BoundCodebook {
  readonly name: string;
  readonly weight: tf.Variable;
  readonly shape: number[];
  readonly bits: number;
  readonly masked: boolean;
  readonly hostCodes: Uint8Array | Uint16Array;
  readonly codebook: tf.Variable;
  readonly codes: tf.Tensor1D;
  /** 1 / cluster size (mean) or 1 (sum), times 0 for the frozen pruned code. */
  readonly scale: tf.Tensor1D;
  /** False for the frozen pruned code 0 of a masked codebook. */
  readonly movable: tf.Tensor1D;
}

/**
 * Trained quantization (DC §3.3) inside TensorFlow.js training: each quantized weight becomes a
 * trainable codebook variable plus fixed int32 codes; the model's weight variable always holds
 * gather(codebook, codes). A training step takes the gradients w.r.t. the model's weights, sums them
 * per code (`unsortedSegmentSum`; or averages them), lets a tfjs optimizer update the codebooks, and
 * rewrites the weights from the codebooks. Assignments never change; a masked codebook's code 0 (the
 * pruned zero) never moves, so pruned weights stay exactly 0.0.
 *
 * Use it like the pruning hooks:
 * - `model.compile({ optimizer: binding.wrapOptimizer(tf.train.sgd(lr)), ... })`, then `model.fit`;
 * - `binding.minimize(optimizer, lossFn)` in a hand-written loop (raw variables too).
 */
export class CodebookBinding {
  readonly #bound = new Map<string, BoundCodebook>();
  readonly #byWeight = new Map<string, BoundCodebook>();
  #disposed = false;

  private constructor() {}

  static bind(
    target: WeightTarget,
    quantized: ReadonlyMap<string, QuantizedWeight>,
    options: CodebookBindingOptions = {},
  ): CodebookBinding {
    const aggregation = options.aggregation ?? "sum";
    if (aggregation !== "sum" && aggregation !== "mean")
      throw new QuantizationError("INVALID_OPTION", `bindCodebooks: aggregation must be "sum" or "mean", got "${String(aggregation)}"`);
    const variables = variablesByWeightName(target);
    const binding = new CodebookBinding();
    for (const [name, q] of quantized) {
      const weight = variables.get(name);
      if (weight === undefined)
        throw new QuantizationError("UNKNOWN_WEIGHT", `bindCodebooks: no weight "${name}" (has: ${[...variables.keys()].join(", ")})`);
      const shape = [...weight.shape];
      if (q.codes.length !== weight.size || shape.join(",") !== q.shape.join(",")) {
        throw new QuantizationError(
          "SHAPE_MISMATCH",
          `bindCodebooks: "${name}" is [${shape.join(",")}] in the model, [${q.shape.join(",")}] quantized`,
        );
      }
      if (q.codebook.length !== 2 ** q.bits)
        throw new QuantizationError(
          "SHAPE_MISMATCH",
          `bindCodebooks: "${name}" codebook has ${q.codebook.length} entries for ${q.bits} bits`,
        );
      const counts = new Float32Array(q.codebook.length);
      for (let i = 0; i < q.codes.length; i++) counts[q.codes[i]!]!++;
      const scale = new Float32Array(q.codebook.length).map((_, c) =>
        q.masked && c === 0 ? 0 : aggregation === "mean" ? 1 / Math.max(1, counts[c]!) : 1,
      );
      const bound: BoundCodebook = {
        name,
        weight,
        shape,
        bits: q.bits,
        masked: q.masked,
        hostCodes: q.codes.slice(),
        // tidy releases the initial value; the variable keeps its own reference to the data.
        codebook: tf.tidy(() => tf.variable(tf.tensor1d(q.codebook, "float32"), true)),
        codes: tf.tensor1d(Int32Array.from(q.codes), "int32"),
        scale: tf.tensor1d(scale, "float32"),
        movable: tf.tensor1d(
          Int32Array.from({ length: q.codebook.length }, (_, c) => (q.masked && c === 0 ? 0 : 1)),
          "bool",
        ),
      };
      binding.#bound.set(name, bound);
      binding.#byWeight.set(weight.name, bound);
    }
    binding.writeWeights();
    return binding;
  }

  names(): string[] {
    return [...this.#bound.keys()];
  }

  /** The trainable codebook variables, in binding order (e.g. to give an optimizer a var list). */
  codebookVariables(): tf.Variable[] {
    return [...this.#bound.values()].map((b) => b.codebook);
  }

  /** Sets every bound weight to gather(codebook, codes), exactly. */
  writeWeights(): void {
    this.#alive();
    tf.tidy(() => {
      for (const b of this.#bound.values()) b.weight.assign(tf.reshape(tf.gather(b.codebook, b.codes), b.shape));
    });
  }

  /**
   * Centroid gradients from weight gradients (keyed by the weight variables' names): a new map keyed
   * by codebook variable names, holding new tensors the caller disposes. Unbound names are skipped.
   */
  centroidGradients(weightGradients: tf.NamedTensorMap): tf.NamedTensorMap {
    this.#alive();
    const out: tf.NamedTensorMap = {};
    for (const [name, grad] of Object.entries(weightGradients)) {
      const b = this.#byWeight.get(name);
      if (b === undefined || grad == null) continue;
      out[b.codebook.name] = tf.tidy(() => {
        const scaled = tf.mul(tf.unsortedSegmentSum(tf.reshape(grad, [-1]), b.codes, b.scale.size), b.scale);
        return b.masked ? tf.where(b.movable, scaled, tf.zerosLike(scaled)) : scaled;
      });
    }
    return out;
  }

  /** Applies one step from weight gradients: codebooks updated by `optimizer`, other weights trained or frozen, weights rewritten. */
  applyWeightGradients(optimizer: tf.Optimizer, weightGradients: tf.NamedTensorMap, otherWeights: OtherWeightsPolicy = "train"): void {
    this.#alive();
    const created: tf.Tensor[] = [];
    const step: tf.NamedTensorMap = {};
    for (const [name, grad] of Object.entries(weightGradients)) {
      const b = this.#byWeight.get(name);
      if (b === undefined) {
        if (otherWeights === "train" && grad != null) step[name] = grad;
        continue;
      }
      if (grad == null) continue;
      const centroid = this.centroidGradients({ [name]: grad })[b.codebook.name]!;
      created.push(centroid);
      step[b.codebook.name] = centroid;
    }
    optimizer.applyGradients(step);
    tf.dispose(created);
    // Momentum or Adam state can never move the pruned zero: pin it back, then rebuild the weights.
    tf.tidy(() => {
      for (const b of this.#bound.values()) if (b.masked) b.codebook.assign(tf.where(b.movable, b.codebook, tf.zerosLike(b.codebook)));
    });
    this.writeWeights();
  }

  /**
   * One fine-tuning step on `f` for hand-written loops. Gradients are taken w.r.t. `varList` (default:
   * the bound weights only, so only the centroids learn).
   */
  minimize(optimizer: tf.Optimizer, f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    const list = varList ?? [...this.#bound.values()].map((b) => b.weight);
    const { value, grads } = optimizer.computeGradients(f, list);
    this.applyWeightGradients(optimizer, grads);
    tf.dispose(grads);
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  /** An optimizer for `model.compile` whose steps fine-tune the centroids through `optimizer` (see `applyWeightGradients`). */
  wrapOptimizer(optimizer: tf.Optimizer, options: { otherWeights?: OtherWeightsPolicy } = {}): CentroidOptimizer {
    return new CentroidOptimizer(optimizer, this, options.otherWeights ?? "train");
  }

  /** The fine-tuned quantized weights: host copies of the codebooks with the unchanged codes. */
  read(): Map<string, QuantizedWeight> {
    this.#alive();
    const out = new Map<string, QuantizedWeight>();
    for (const b of this.#bound.values()) {
      out.set(b.name, {
        shape: [...b.shape],
        bits: b.bits,
        codebook: Float32Array.from(b.codebook.dataSync() as Float32Array),
        codes: b.hostCodes.slice(),
        masked: b.masked,
      });
    }
    return out;
  }

  /** Frees the codebook variables and code tensors (the model's weights keep their last values). */
  dispose(): void {
    if (this.#disposed) return;
    for (const b of this.#bound.values()) tf.dispose([b.codebook, b.codes, b.scale, b.movable]);
    this.#disposed = true;
  }

  #alive(): void {
    if (this.#disposed) throw new QuantizationError("INVALID_OPTION", "codebook binding: used after dispose()");
  }
}

/** Binds quantized weights to a model's (or raw variables') weights for centroid fine-tuning; see `CodebookBinding`. */
export function bindCodebooks(
  target: WeightTarget,
  quantized: ReadonlyMap<string, QuantizedWeight>,
  options: CodebookBindingOptions = {},
): CodebookBinding {
  return CodebookBinding.bind(target, quantized, options);
}

/**
 * A tf.Optimizer for `model.compile`: tfjs-layers hands it the gradients of the model's weights; it
 * turns those of quantized weights into centroid gradients, steps the inner optimizer on the
 * codebooks (and on the other weights unless frozen), and rewrites the weights from the codebooks.
 */
export class CentroidOptimizer extends WrappedOptimizer {
  static className = "CentroidOptimizer";

  constructor(
    inner: tf.Optimizer,
    readonly binding: CodebookBinding,
    readonly otherWeights: OtherWeightsPolicy,
  ) {
    super(inner);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    this.binding.applyWeightGradients(this.inner, WrappedOptimizer.gradientMap(variableGradients), this.otherWeights);
  }
}
