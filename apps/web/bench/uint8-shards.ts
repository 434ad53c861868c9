/**
 * tfjs-converter's `--quantize_uint8` storage, for a weight map we hold in memory: each float32 tensor
 * becomes bytes q = round((w − min) / scale), scale = (max − min) / 255, with `{ dtype: "uint8", min,
 * scale }` in the manifest, which tfjs's loaders dequantize as w = q × scale + min. (The converter is a
 * Python tool; this is its affine scheme, so the benchmark can price the converter's uint8 shards for
 * models we trained ourselves. MobileNetV2 is benchmarked from the uint8 shards nsfwjs ships.)
 */
import type { WeightMap } from "@dcnpi/tensor";

export interface ShardFiles {
  readonly modelJson: string;
  readonly weights: Uint8Array;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) (out.set(p, offset), (offset += p.length));
  return out;
}

/** model.json + one weights.bin in tfjs's layout: `quantize` stores every float32 tensor as uint8. */
export function shardFiles(weights: WeightMap, modelTopology: unknown, quantize: boolean): ShardFiles {
  const specs: object[] = [];
  const parts: Uint8Array[] = [];
  for (const { name, tensor } of weights) {
    const data = tensor.data as Float32Array;
    if (!quantize || !(data instanceof Float32Array)) {
      specs.push({ name, shape: [...tensor.shape], dtype: data instanceof Int32Array ? "int32" : "float32" });
      parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice());
      continue;
    }
    let min = Infinity;
    let max = -Infinity;
    for (const v of data) ((min = Math.min(min, v)), (max = Math.max(max, v)));
    const scale = max > min ? (max - min) / 255 : 1;
    const q = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) q[i] = Math.round((data[i]! - min) / scale);
    specs.push({ name, shape: [...tensor.shape], dtype: "float32", quantization: { dtype: "uint8", min, scale } });
    parts.push(q);
  }
  const modelJson = JSON.stringify({
    format: "layers-model",
    generatedBy: "dcnpi bench",
    ...(modelTopology === undefined ? {} : { modelTopology }),
    weightsManifest: [{ paths: ["weights.bin"], weights: specs }],
  });
  return { modelJson, weights: concat(parts) };
}
