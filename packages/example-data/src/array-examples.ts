/**
 * An array read from a file as examples: the first axis counts examples, the rest must hold as many
 * values as the model's input (MNIST's [n, 28, 28] feeds a model taking [784] or [28, 28, 1]: values
 * are taken in row-major order, as `reshape` would).
 */
import { ExampleDataError } from "./errors.js";
import type { ExampleSet } from "./example-set.js";
import type { NumericArray } from "./numeric-array.js";
import { applyScaleOffset, type Preprocessing } from "./preprocess.js";

/**
 * The shape of one example for a model input shape whose unknown dimensions are null (no batch
 * axis); `found` is the array's per-example shape. Throws SHAPE_MISMATCH naming `file`.
 */
export function resolveExampleShape(model: readonly (number | null)[], found: readonly number[], file: string): number[] {
  const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
  if (model.every((d): d is number => d !== null)) {
    if (size(model) !== size(found)) {
      throw new ExampleDataError(
        "SHAPE_MISMATCH",
        `${file}: each example is [${found.join(",")}] (${size(found)} values), the model takes [${model.join(",")}] (${size(model)})`,
      );
    }
    return [...model];
  }
  const fits = model.length === found.length && model.every((d, i) => d === null || d === found[i]);
  if (!fits)
    throw new ExampleDataError(
      "SHAPE_MISMATCH",
      `${file}: each example is [${found.join(",")}], the model takes [${model.map((d) => d ?? "?").join(",")}]`,
    );
  return [...found];
}

/** Examples from an array file, preprocessed (scale and offset over the last axis). */
export function arrayToExamples(
  array: NumericArray,
  modelShape: readonly (number | null)[],
  preprocessing: Preprocessing,
  file: string,
): ExampleSet {
  if (array.shape.length < 1 || array.shape[0]! < 1)
    throw new ExampleDataError("EMPTY", `${file}: holds no examples (shape [${array.shape.join(",")}])`);
  const shape = resolveExampleShape(modelShape, array.shape.slice(1), file);
  const data = array.data;
  applyScaleOffset(data, shape[shape.length - 1] ?? 1, preprocessing, array.isByte);
  return { count: array.shape[0]!, shape, data, source: file };
}

/** Integer class labels from an array file (one per example), checked against `count`. */
export function arrayToLabels(array: NumericArray, count: number, file: string): Int32Array {
  const flat = array.shape.length === 1 || (array.shape.length === 2 && array.shape[1] === 1);
  if (!flat || array.shape[0] !== count)
    throw new ExampleDataError("LABEL_MISMATCH", `${file}: labels are [${array.shape.join(",")}], expected [${count}] (one per example)`);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const value = array.data[i]!;
    if (!Number.isInteger(value) || value < 0)
      throw new ExampleDataError("LABEL_MISMATCH", `${file}: label ${i} is ${value}, not a class index`);
    labels[i] = value;
  }
  return labels;
}
