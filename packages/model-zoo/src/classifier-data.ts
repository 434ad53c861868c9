import type * as tfl from "@tensorflow/tfjs-layers";
import * as tf from "@tensorflow/tfjs-core";
import { ModelZooError } from "./errors.js";

/**
 * A labelled image set: `count` examples of `images.length / count` floats each, labels 0..classes-1.
 * `MnistData` from @dcnpi/datasets has exactly this shape.
 */
export interface ClassifierData {
  readonly count: number;
  readonly images: Float32Array;
  readonly labels: Uint8Array;
}

/** The per-example input shape of `model` (without the batch axis), checked against the data. */
export function exampleShape(model: tfl.LayersModel, data: ClassifierData): number[] {
  const input = model.inputs[0];
  if (input === undefined) throw new ModelZooError("SHAPE_MISMATCH", `model ${model.name} has no input`);
  const shape = input.shape.slice(1).map((d) => d ?? -1);
  const perExample = shape.reduce((p, d) => p * d, 1);
  if (!Number.isInteger(data.count) || data.count < 1 || data.images.length !== data.count * perExample) {
    throw new ModelZooError(
      "SHAPE_MISMATCH",
      `model ${model.name} takes [${shape.join(",")}] per example (${perExample} floats); data has ${data.images.length} floats for ${data.count} examples`,
    );
  }
  if (data.labels.length !== data.count) {
    throw new ModelZooError("SHAPE_MISMATCH", `data has ${data.labels.length} labels for ${data.count} examples`);
  }
  return shape;
}

/** Number of classes the model outputs. */
export function classCount(model: tfl.LayersModel): number {
  const output = model.outputs[0];
  const classes = output?.shape[output.shape.length - 1];
  if (classes === undefined || classes === null) throw new ModelZooError("SHAPE_MISMATCH", `model ${model.name} has no class axis`);
  return classes;
}

/**
 * Tensors for the examples `indices[start .. start+size)`: x [size, ...shape] and one-hot y [size, classes].
 * Rows are gathered on the host into reused buffers; the caller disposes the tensors.
 */
export class BatchAssembler {
  readonly #x: Float32Array;
  readonly #y: Float32Array;
  readonly #perExample: number;

  constructor(
    private readonly data: ClassifierData,
    private readonly shape: readonly number[],
    private readonly classes: number,
    maxBatch: number,
  ) {
    this.#perExample = shape.reduce((p, d) => p * d, 1);
    this.#x = new Float32Array(maxBatch * this.#perExample);
    this.#y = new Float32Array(maxBatch * classes);
  }

  batch(indices: ArrayLike<number>, start: number, size: number): { x: tf.Tensor; y: tf.Tensor; labels: Uint8Array } {
    const per = this.#perExample;
    const labels = new Uint8Array(size);
    this.#y.fill(0, 0, size * this.classes);
    for (let r = 0; r < size; r++) {
      const example = indices[start + r]!;
      this.#x.set(this.data.images.subarray(example * per, example * per + per), r * per);
      const label = this.data.labels[example]!;
      if (label >= this.classes)
        throw new ModelZooError("SHAPE_MISMATCH", `label ${label} of example ${example} is not below ${this.classes}`);
      labels[r] = label;
      this.#y[r * this.classes + label] = 1;
    }
    return {
      x: tf.tensor(this.#x.subarray(0, size * per), [size, ...this.shape]),
      y: tf.tensor(this.#y.subarray(0, size * this.classes), [size, this.classes]),
      labels,
    };
  }
}
