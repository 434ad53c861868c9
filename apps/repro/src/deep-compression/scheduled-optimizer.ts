/**
 * The training recipes need two things tfjs optimizers lack: a learning rate that follows a schedule
 * of the step (Caffe's "inv" policy, cosine, ...) and weight decay (Caffe's `weight_decay`). This
 * wrapper adds both around a stock Adam or momentum optimizer. It composes with the pipeline's
 * wrappers: `context.wrapOptimizer(scheduled)` masks gradients / moves centroids first, then this
 * one decays the kernels it was told about and steps the inner optimizer.
 */
import { WrappedOptimizer } from "@dcnpi/tensor/tfjs";
import * as tf from "@tensorflow/tfjs-core";

type NamedTensor = { name: string; tensor: tf.Tensor };

/** One tensor of an optimizer's state, on the host (for checkpoints). */
export interface OptimizerStateEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly data: Float32Array;
}

/** Learning rate as a pure function of the 0-based step. */
export type LearningRateSchedule = (step: number) => number;

export type LearningRatePolicy =
  | { readonly kind: "constant"; readonly rate: number }
  /** Caffe's "inv": rate · (1 + gamma · step)^(−power). */
  | { readonly kind: "inv"; readonly rate: number; readonly gamma: number; readonly power: number }
  /** Half a cosine from `rate` down to `finalRate` over `steps`, then `finalRate`. */
  | { readonly kind: "cosine"; readonly rate: number; readonly finalRate: number; readonly steps: number };

export function learningRateSchedule(policy: LearningRatePolicy): LearningRateSchedule {
  switch (policy.kind) {
    case "constant":
      return () => policy.rate;
    case "inv":
      return (step) => policy.rate * Math.pow(1 + policy.gamma * step, -policy.power);
    case "cosine":
      return (step) => {
        const t = Math.min(1, step / Math.max(1, policy.steps));
        return policy.finalRate + 0.5 * (policy.rate - policy.finalRate) * (1 + Math.cos(Math.PI * t));
      };
  }
}

export interface WeightDecay {
  /** `l2`: rate·w is added to the gradient (Caffe). `decoupled`: w ← w − lr·rate·w after the step (AdamW). */
  readonly mode: "l2" | "decoupled";
  readonly rate: number;
  /** Names of the variables to decay (the kernels; biases are left alone). */
  readonly variables: ReadonlySet<string>;
}

export type InnerOptimizerKind = "adam" | "momentum";

function setRate(optimizer: tf.Optimizer, rate: number): void {
  // Not `instanceof`: tfjs optimizers answer it by duck typing (an Adam "is" an SGD optimizer).
  const settable = optimizer as unknown as { setLearningRate?: (rate: number) => void; learningRate: number };
  if (typeof settable.setLearningRate === "function") settable.setLearningRate(rate);
  // Adam reads `this.learningRate` on every step and has no setter.
  else settable.learningRate = rate;
}

/**
 * Steps `inner` at `schedule(step)` with optional weight decay. The step counter starts at
 * `startStep` (so a resumed run continues its schedule) and counts calls to `applyGradients`.
 */
export class ScheduledOptimizer extends WrappedOptimizer {
  static className = "ScheduledOptimizer";
  #step: number;

  constructor(
    inner: tf.Optimizer,
    readonly schedule: LearningRateSchedule,
    readonly weightDecay: WeightDecay | undefined,
    startStep = 0,
  ) {
    super(inner);
    this.#step = startStep;
  }

  static create(kind: InnerOptimizerKind, schedule: LearningRateSchedule, weightDecay?: WeightDecay, startStep = 0): ScheduledOptimizer {
    const rate = schedule(startStep);
    const inner = kind === "adam" ? tf.train.adam(rate) : tf.train.momentum(rate, 0.9);
    return new ScheduledOptimizer(inner, schedule, weightDecay, startStep);
  }

  get step(): number {
    return this.#step;
  }

  /** The rate the next step will use. */
  get currentRate(): number {
    return this.schedule(this.#step);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const grads = WrappedOptimizer.gradientMap(variableGradients);
    const rate = this.schedule(this.#step);
    setRate(this.inner, rate);
    const decay = this.weightDecay;
    const registered = tf.engine().registeredVariables;
    if (decay === undefined || decay.rate === 0) {
      this.inner.applyGradients(grads);
    } else if (decay.mode === "l2") {
      const created: tf.Tensor[] = [];
      const withDecay: tf.NamedTensorMap = {};
      for (const [name, grad] of Object.entries(grads)) {
        const variable = registered[name];
        if (grad != null && variable !== undefined && decay.variables.has(name)) {
          const g = tf.tidy(() => tf.add(grad, tf.mul(variable, decay.rate)));
          created.push(g);
          withDecay[name] = g;
        } else withDecay[name] = grad;
      }
      this.inner.applyGradients(withDecay);
      tf.dispose(created);
    } else {
      this.inner.applyGradients(grads);
      tf.tidy(() => {
        for (const name of Object.keys(grads)) {
          const variable = registered[name];
          if (variable !== undefined && decay.variables.has(name)) variable.assign(tf.mul(variable, 1 - rate * decay.rate));
        }
      });
    }
    this.#step++;
  }

  /**
   * Everything needed to continue exactly where this optimizer stopped, as host copies: the inner
   * optimizer's weights (iterations, moments) and, for Adam, its running powers of beta1 and beta2
   * (which `setWeights` would otherwise recompute with pow(), not bit for bit what the steps multiplied).
   */
  async exportState(): Promise<OptimizerStateEntry[]> {
    const weights = await this.inner.getWeights();
    const adam = this.inner as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
    const entries = [...weights];
    if (adam.accBeta1 !== undefined && adam.accBeta2 !== undefined)
      entries.push({ name: "adam/accBeta1", tensor: adam.accBeta1 }, { name: "adam/accBeta2", tensor: adam.accBeta2 });
    const out = entries.map(({ name, tensor }) => ({
      name,
      shape: [...tensor.shape],
      dtype: tensor.dtype,
      data: Float32Array.from(tensor.dataSync()),
    }));
    // getWeights makes a fresh scalar for the iteration count; the rest are the optimizer's own variables.
    for (const w of weights) if (w.name === "iter") w.tensor.dispose();
    return out;
  }

  /** Restores what `exportState` returned. */
  async importState(state: readonly OptimizerStateEntry[]): Promise<void> {
    const toTensor = (e: OptimizerStateEntry) => tf.tensor(e.data, [...e.shape], e.dtype as tf.DataType);
    const weights = state.filter((e) => !e.name.startsWith("adam/")).map((e) => ({ name: e.name, tensor: toTensor(e) }));
    await this.inner.setWeights(weights);
    tf.dispose(weights.map((w) => w.tensor));
    const adam = this.inner as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
    for (const e of state.filter((x) => x.name.startsWith("adam/"))) {
      const target = e.name === "adam/accBeta1" ? adam.accBeta1 : adam.accBeta2;
      tf.tidy(() => target?.assign(toTensor(e)));
    }
  }
}
