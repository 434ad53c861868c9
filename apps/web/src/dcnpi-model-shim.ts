/**
 * TEMPORARY: the same IOHandler shape as `dcnpiModel` of `@dcnpi/deep-compression` (branch h-browser,
 * not yet on main when this app was written). Delete this file and import `dcnpiModel` from
 * `@dcnpi/deep-compression` once it is there (lenet-models.ts, bench-page.ts).
 */
import { parseCompressedWeights } from "@dcnpi/deep-compression";
import type * as tf from "@tensorflow/tfjs-core";

export function dcnpiModel(source: string | ArrayBuffer, _options: { onProgress?: (fraction: number) => void } = {}): tf.io.IOHandler {
  return {
    async load() {
      const url = typeof source === "string" ? source : "buffer";
      const bytes = new Uint8Array(typeof source === "string" ? await (await fetch(source)).arrayBuffer() : source);
      const { weights, metadata } = await parseCompressedWeights(bytes, url);
      const specs: tf.io.WeightsManifestEntry[] = [];
      const parts: Uint8Array[] = [];
      for (const { name, tensor } of weights) {
        specs.push({ name, shape: [...tensor.shape], dtype: "float32" });
        parts.push(new Uint8Array(Float32Array.from(tensor.data as Float32Array).buffer));
      }
      const total = parts.reduce((n, p) => n + p.length, 0);
      const data = new Uint8Array(total);
      let offset = 0;
      for (const p of parts) (data.set(p, offset), (offset += p.length));
      return { modelTopology: metadata.modelTopology as object, weightSpecs: specs, weightData: data.buffer };
    },
  };
}
