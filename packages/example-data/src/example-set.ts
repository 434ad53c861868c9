/**
 * Example inputs as one batch: what a model is fed to measure or retrain it. Every reader of this
 * package returns one; the data is row-major [count, ...shape] float32 after preprocessing.
 */
export interface ExampleSet {
  readonly count: number;
  /** The shape of one example (no batch axis). */
  readonly shape: readonly number[];
  readonly data: Float32Array;
  /** One class index per example, when the data has labels (class folders, a labels file). */
  readonly labels?: Int32Array | undefined;
  /** Class names by index (ImageFolder: the sorted folder names). */
  readonly classNames?: readonly string[] | undefined;
  /** Where the examples came from (a path), for messages. */
  readonly source: string;
  /**
   * Each example's file, relative to `source` (image folders: "cat/0001.png"), so that examples of
   * one origin (crops of one photo, frames of one video) can be kept together. Arrays have them only
   * from a groups file (`ReadExampleDataOptions.groups`): each example's group.
   */
  readonly names?: readonly string[] | undefined;
}

/** The examples at `indices` (in that order) as a new set. */
export function selectExamples(set: ExampleSet, indices: ArrayLike<number>): ExampleSet {
  const per = set.shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(indices.length * per);
  const labels = set.labels === undefined ? undefined : new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    data.set(set.data.subarray(index * per, index * per + per), i * per);
    if (labels !== undefined) labels[i] = set.labels![index]!;
  }
  const names = set.names === undefined ? undefined : Array.from(indices, (index) => set.names![index]!);
  return { ...set, count: indices.length, data, labels, names };
}
