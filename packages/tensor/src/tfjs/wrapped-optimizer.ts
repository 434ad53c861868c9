import * as tf from "@tensorflow/tfjs-core";

type NamedTensor = { name: string; tensor: tf.Tensor };

/**
 * A tf.Optimizer that changes gradients (masks them, maps them to centroids, clips them, schedules
 * a rate) and lets another optimizer step. Everything else (iterations, weights, config, dispose) is
 * the inner optimizer's, so `model.fit`, checkpoints and the rate of the inner optimizer see one
 * optimizer. Subclasses implement `applyGradients`, and declare their own `static className`.
 */
export abstract class WrappedOptimizer<Inner extends tf.Optimizer = tf.Optimizer> extends tf.Optimizer {
  constructor(readonly inner: Inner) {
    super();
  }

  /** The gradients as a name → tensor map, whichever of its two forms tfjs passed. */
  protected static gradientMap(variableGradients: tf.NamedTensorMap | readonly NamedTensor[]): tf.NamedTensorMap {
    return Array.isArray(variableGradients)
      ? Object.fromEntries(variableGradients.map((g: NamedTensor) => [g.name, g.tensor]))
      : (variableGradients as tf.NamedTensorMap);
  }

  override get iterations(): number {
    return this.inner.iterations;
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return this.inner.getWeights();
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    return this.inner.setWeights(weightValues);
  }

  override dispose(): void {
    this.inner.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return this.inner.getConfig();
  }
}
