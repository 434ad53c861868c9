/**
 * Tensors kept per slice of a batch's inputs, for the scan's shortcuts (graph-prefix-cache.ts,
 * layers-prefix-cache.ts). A slice is known by where it sits in its buffer: every measurement of a
 * split hands the model the same subarrays of the same data. Kept values are capped in bytes.
 */
import * as tf from "@tensorflow/tfjs-core";

export class SliceStore {
  private readonly slices = new Map<ArrayBufferLike, Map<string, tf.Tensor[]>>();
  private bytes = 0;

  constructor(private readonly limitBytes: number) {}

  get(inputs: Float32Array): tf.Tensor[] | undefined {
    return this.slices.get(inputs.buffer)?.get(`${inputs.byteOffset}:${inputs.length}`);
  }

  /** Keeps `values` for the slice `inputs` if they fit under the cap; false: not kept (the caller disposes them). */
  keep(inputs: Float32Array, values: tf.Tensor[]): boolean {
    const size = values.reduce((sum, v) => sum + 4 * v.size, 0);
    if (this.bytes + size > this.limitBytes) return false;
    let perBuffer = this.slices.get(inputs.buffer);
    if (perBuffer === undefined) this.slices.set(inputs.buffer, (perBuffer = new Map()));
    perBuffer.set(`${inputs.byteOffset}:${inputs.length}`, values);
    this.bytes += size;
    return true;
  }

  clear(): void {
    for (const perBuffer of this.slices.values()) for (const values of perBuffer.values()) tf.dispose(values);
    this.slices.clear();
    this.bytes = 0;
  }
}
