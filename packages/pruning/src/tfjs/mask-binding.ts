import { WeightMap, type HostTensor } from "@dcnpi/tensor";
import { isNamedVariables, readModelWeights, variablesByWeightName, WrappedOptimizer, type WeightTarget } from "@dcnpi/tensor/tfjs";
import * as tf from "@tensorflow/tfjs-core";
import type { CustomCallbackArgs, LayersModel } from "@tensorflow/tfjs-layers";
import { applyMasks } from "../apply-masks.js";
import { computeMasks, type LayerMaskReport, type TargetsByName } from "../compute-mask.js";
import { PruningError } from "../errors.js";
import { MaskSet, type MaskRecord } from "../mask-set.js";
import { pruneTargetSchema, type PruneTarget } from "../prune-target.js";
import type { PruningSchedule } from "../schedules.js";

/** tfjs-core does not export this type from its root. */
type NamedTensor = { name: string; tensor: tf.Tensor };

interface BoundWeight {
  /** The mask's name: the weight's name in the target (see `WeightTarget`). */
  readonly name: string;
  readonly variable: tf.Variable;
  host: Uint8Array;
  /** The mask as a bool tensor (true = kept). */
  keep: tf.Tensor;
}

function concreteShape(variable: tf.Variable): number[] {
  return [...variable.shape];
}

/** Options for `bindMasks`. */
export interface BindMasksOptions {
  /** Weights to bind in addition to those `masks` names; they start dense (all kept). */
  readonly weights?: readonly string[];
}

/**
 * Pruning masks attached to the variables of a model (or a list of raw variables) for retraining:
 * it keeps pruned weights at exactly 0.0 by masking their gradients and re-applying the masks after
 * every optimizer step. The masks live here, beside the weights; the model itself is not changed
 * (no wrapper layers), so `strip()` only has to read the weights back.
 *
 * Three ways to use it, any of which keeps the zeros:
 * - `model.compile({ optimizer: binding.wrapOptimizer(tf.train.adam(1e-3)), ... })` then `model.fit`;
 * - `binding.minimize(optimizer, lossFn)` in a hand-written loop (raw variables: the NPI);
 * - `model.fit(..., { callbacks: [binding.callback()] })` with an unwrapped optimizer (masks are
 *   re-applied after each batch, gradients are not masked; prefer the wrapped optimizer).
 */
export class MaskBinding {
  readonly #bound = new Map<string, BoundWeight>();
  readonly #byVariable = new Map<string, BoundWeight>();
  readonly #target: WeightTarget;
  #disposed = false;

  private constructor(target: WeightTarget) {
    this.#target = target;
  }

  static bind(target: WeightTarget, masks: MaskSet, options: BindMasksOptions = {}): MaskBinding {
    const binding = new MaskBinding(target);
    const variables = variablesByWeightName(target);
    const names = [...new Set([...masks.names(), ...(options.weights ?? [])])];
    for (const name of names) {
      const variable = variables.get(name);
      if (variable === undefined) {
        throw new PruningError("UNKNOWN_WEIGHT", `bindMasks: no weight "${name}" (has: ${[...variables.keys()].join(", ")})`);
      }
      if (variable.dtype !== "float32")
        throw new PruningError("INVALID_OPTION", `bindMasks: "${name}" is ${variable.dtype}, only float32 weights can be pruned`);
      const shape = concreteShape(variable);
      const host = masks.get(name) ?? new Uint8Array(variable.size).fill(1);
      if (host.length !== variable.size) {
        throw new PruningError(
          "SHAPE_MISMATCH",
          `bindMasks: "${name}" is [${shape.join(",")}] (${variable.size} weights), its mask has ${host.length} entries`,
        );
      }
      const bound: BoundWeight = { name, variable, host: host.slice(), keep: maskTensor(host, shape) };
      binding.#bound.set(name, bound);
      binding.#byVariable.set(variable.name, bound);
    }
    binding.apply();
    return binding;
  }

  /** The names of the bound weights. */
  names(): string[] {
    return [...this.#bound.keys()];
  }

  /** A copy of the current masks. */
  masks(): MaskSet {
    const set = new MaskSet();
    for (const b of this.#bound.values()) set.set(b.name, concreteShape(b.variable), b.host.slice());
    return set;
  }

  /** Sets every pruned weight to exactly +0.0. */
  apply(): void {
    this.#alive();
    tf.tidy(() => {
      for (const b of this.#bound.values()) b.variable.assign(tf.where(b.keep, b.variable, tf.zerosLike(b.variable)));
    });
  }

  /**
   * Gradients with the pruned entries set to 0: a new map whose masked entries are new tensors (the
   * caller disposes them, not the inputs) and whose other entries are the input tensors themselves.
   */
  maskGradients(grads: tf.NamedTensorMap): tf.NamedTensorMap {
    this.#alive();
    const out: tf.NamedTensorMap = {};
    for (const [name, grad] of Object.entries(grads)) {
      const bound = this.#byVariable.get(name);
      out[name] = bound === undefined || grad == null ? grad : tf.tidy(() => tf.where(bound.keep, grad, tf.zerosLike(grad)));
    }
    return out;
  }

  /** One masked optimizer step on `f` (for hand-written loops): gradients masked, step taken, masks re-applied. */
  minimize(optimizer: tf.Optimizer, f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    const { value, grads } = optimizer.computeGradients(f, varList);
    const masked = this.maskGradients(grads);
    optimizer.applyGradients(masked);
    for (const [name, t] of Object.entries(masked)) if (t !== grads[name]) t.dispose();
    tf.dispose(grads);
    this.apply();
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  /** An optimizer for `model.compile` (or `.minimize`) that masks gradients and re-applies masks after each step. */
  wrapOptimizer(optimizer: tf.Optimizer): MaskedOptimizer {
    return new MaskedOptimizer(optimizer, this);
  }

  /**
   * Replaces the masks of some bound weights (e.g. the next round of iterative pruning) and applies
   * them. Pruned weights are not forced to stay pruned here: use `prune` for composing rounds.
   */
  setMasks(masks: MaskSet): void {
    this.#alive();
    for (const { name, mask } of masks) {
      const bound = this.#bound.get(name);
      if (bound === undefined)
        throw new PruningError("UNKNOWN_WEIGHT", `setMasks: "${name}" is not bound (bound: ${this.names().join(", ")})`);
      if (mask.length !== bound.host.length)
        throw new PruningError("SHAPE_MISMATCH", `setMasks: "${name}" needs ${bound.host.length} entries, got ${mask.length}`);
      bound.keep.dispose();
      bound.host = mask.slice();
      bound.keep = maskTensor(bound.host, concreteShape(bound.variable));
    }
    this.apply();
  }

  /** The bound weights' current values as a weight map (host copies), named like the masks. */
  readBoundWeights(): WeightMap {
    const map = new WeightMap();
    for (const b of this.#bound.values()) {
      const data = b.variable.dataSync() as Float32Array;
      map.add(b.name, { dtype: "float32", shape: concreteShape(b.variable), data: Float32Array.from(data) } as HostTensor);
    }
    return map;
  }

  /**
   * A further pruning round from the current weights: computes new masks for the given weights
   * (composing with the current ones, so pruned weights stay pruned) and applies them. A single
   * `PruneTarget` applies to every bound weight.
   */
  prune(targets: PruneTarget | TargetsByName): readonly LayerMaskReport[] {
    this.#alive();
    const single = pruneTargetSchema.safeParse(targets);
    const byName: TargetsByName = single.success
      ? Object.fromEntries(this.names().map((n) => [n, single.data as PruneTarget]))
      : (targets as TargetsByName);
    const { masks, layers } = computeMasks(this.readBoundWeights(), byName, { previous: this.masks() });
    this.setMasks(masks);
    return layers;
  }

  /**
   * A `model.fit` callback. It re-applies the masks after every batch and, given a schedule, prunes
   * at the schedule's steps (before the batch of that step; steps count batches from `initialStep`).
   */
  callback(
    options: {
      schedule?: PruningSchedule<PruneTarget | TargetsByName>;
      initialStep?: number;
      onPrune?: (step: number, layers: readonly LayerMaskReport[]) => void;
    } = {},
  ): CustomCallbackArgs {
    let step = options.initialStep ?? 0;
    return {
      onBatchBegin: async () => {
        const decision = options.schedule?.(step);
        if (decision?.prune === true && decision.target !== null) {
          const layers = this.prune(decision.target);
          options.onPrune?.(step, layers);
        }
      },
      onBatchEnd: async () => {
        this.apply();
        step++;
      },
    };
  }

  /**
   * The "strip" verb: applies the masks one last time and returns plain weights (the whole model's
   * for a layers model, the bound variables' otherwise) with pruned entries 0.0, plus the mask record.
   * The binding stays usable; call `dispose()` when done.
   */
  strip(): { weights: WeightMap; record: MaskRecord } {
    this.apply();
    const masks = this.masks();
    const weights =
      Array.isArray(this.#target) || isNamedVariables(this.#target)
        ? this.readBoundWeights()
        : readModelWeights(this.#target as LayersModel);
    return { weights: applyMasks(weights, masks), record: masks.toRecord() };
  }

  /** Frees the mask tensors (the variables are the caller's). */
  dispose(): void {
    if (this.#disposed) return;
    for (const b of this.#bound.values()) b.keep.dispose();
    this.#disposed = true;
  }

  #alive(): void {
    if (this.#disposed) throw new PruningError("INVALID_OPTION", "mask binding: used after dispose()");
  }
}

function maskTensor(host: Uint8Array, shape: number[]): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.tensor(host, shape, "int32"), "bool"));
}

/**
 * Binds `masks` to a model's (or raw variables') weights and applies them at once (pruned entries
 * become +0.0); see `MaskBinding`. `options.weights` binds further weights that start dense, for
 * pruning later with `prune` or a schedule.
 */
export function bindMasks(target: WeightTarget, masks: MaskSet, options: BindMasksOptions = {}): MaskBinding {
  return MaskBinding.bind(target, masks, options);
}

/**
 * A tf.Optimizer that wraps another: gradients of pruned weights are zeroed before the inner
 * optimizer sees them (so momentum and Adam moments of pruned weights get no new input) and the masks
 * are re-applied after each step (so state accumulated before pruning cannot move them either).
 * Works with `model.fit` (tfjs-layers calls `optimizer.minimize`) and with `minimize` directly.
 */
export class MaskedOptimizer extends WrappedOptimizer {
  static className = "MaskedOptimizer";

  constructor(
    inner: tf.Optimizer,
    readonly binding: MaskBinding,
  ) {
    super(inner);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const grads = WrappedOptimizer.gradientMap(variableGradients);
    const masked = this.binding.maskGradients(grads);
    this.inner.applyGradients(masked);
    for (const [name, t] of Object.entries(masked)) if (t !== grads[name]) t.dispose();
    this.binding.apply();
  }
}
