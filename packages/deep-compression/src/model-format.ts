/**
 * Which kind of TensorFlow.js model a model.json is, which weight dtypes each kind may hold, and how
 * a graph model's weight group splits into numeric weights (decoded as usual) and `string`/`bool`
 * weights kept byte for byte. Pure functions over parsed JSON and bytes; reading files is elsewhere.
 */
import { CompressionError } from "./errors.js";

export type ModelFormat = "layers-model" | "graph-model";

interface ManifestEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: { readonly dtype: string } | undefined;
}

interface ModelJsonLike {
  readonly format?: string | undefined;
  readonly modelTopology: Record<string, unknown>;
  readonly weightsManifest: readonly { readonly weights: readonly ManifestEntry[] }[];
}

/**
 * `format` decides when present; old converters wrote none, so then the topology does: a GraphDef has
 * `node`, a Keras topology `model_config` or `class_name`. Anything else is refused naming the file.
 */
export function modelFormatOf(modelJson: ModelJsonLike, source: string): ModelFormat {
  const topology = modelJson.modelTopology;
  const isGraph = Array.isArray(topology["node"]);
  const isLayers = topology["model_config"] !== undefined || topology["class_name"] !== undefined;
  if (modelJson.format === "graph-model" || (modelJson.format === undefined && isGraph)) {
    if (!isGraph) throw new CompressionError("UNSUPPORTED_MODEL", `${source}: format "graph-model" but modelTopology has no node list`);
    return "graph-model";
  }
  if (modelJson.format === "layers-model" || (modelJson.format === undefined && isLayers)) return "layers-model";
  throw new CompressionError(
    "UNSUPPORTED_MODEL",
    modelJson.format === undefined
      ? `${source}: neither a layers model (modelTopology.model_config) nor a graph model (modelTopology.node)`
      : `${source}: format "${modelJson.format}" is not supported; dcnpi reads TensorFlow.js "layers-model" and "graph-model" files`,
  );
}

const DTYPES: Readonly<Record<ModelFormat, readonly string[]>> = {
  "layers-model": ["float32", "int32", "bool"],
  "graph-model": ["float32", "int32", "bool", "string"],
};
const QUANTIZED = ["uint8", "uint16", "float16"];

/** Every weight's dtype (and converter quantization) must be one this format supports; the error names the weight. */
export function checkWeightDtypes(modelJson: ModelJsonLike, format: ModelFormat, source: string): void {
  for (const group of modelJson.weightsManifest) {
    for (const entry of group.weights) {
      if (!DTYPES[format].includes(entry.dtype)) {
        throw new CompressionError(
          "UNSUPPORTED_MODEL",
          `${source}: weight "${entry.name}" has dtype "${entry.dtype}"; a ${format} may hold ${DTYPES[format].join(", ")}`,
        );
      }
      const quantized = entry.quantization?.dtype;
      if (quantized !== undefined && (!QUANTIZED.includes(quantized) || entry.dtype !== "float32")) {
        throw new CompressionError(
          "UNSUPPORTED_MODEL",
          `${source}: weight "${entry.name}" is ${entry.dtype} quantized as "${quantized}"; only float32 weights quantized as ${QUANTIZED.join(", ")} are read`,
        );
      }
    }
  }
}

const FIXED_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/**
 * Splits a graph model's weight group (its shards concatenated) into the numeric entries, with their
 * bytes in one buffer for `tf.io.decodeWeights`, and the `string`/`bool` entries as raw bytes.
 * Strings are walked by their 4-byte little-endian length prefixes (tfjs's encoding), each checked
 * against the bytes left; the group must end exactly where its last entry does (MODEL_FILE otherwise).
 */
export function splitGraphGroup<E extends ManifestEntry>(
  data: Uint8Array,
  entries: readonly E[],
  source: string,
): {
  numeric: { entries: E[]; bytes: Buffer } | undefined;
  raw: { name: string; shape: readonly number[]; dtype: "string" | "bool"; bytes: Uint8Array }[];
} {
  const fail = (message: string): never => {
    throw new CompressionError("MODEL_FILE", `${source}: ${message}`);
  };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const numericEntries: E[] = [];
  const numericParts: Uint8Array[] = [];
  const raw: { name: string; shape: readonly number[]; dtype: "string" | "bool"; bytes: Uint8Array }[] = [];
  let offset = 0;
  for (const entry of entries) {
    const count = entry.shape.reduce((a, b) => a * b, 1);
    let size: number;
    if (entry.dtype === "string") {
      size = 0;
      for (let i = 0; i < count; i++) {
        if (offset + size + 4 > data.length) fail(`string weight "${entry.name}" runs past the end of its shards`);
        size += 4 + view.getUint32(offset + size, true);
      }
    } else {
      size = count * FIXED_BYTES[entry.quantization?.dtype ?? entry.dtype]!;
    }
    if (offset + size > data.length) fail(`weight "${entry.name}" runs past the end of its shards`);
    const bytes = data.subarray(offset, offset + size);
    if (entry.dtype === "string" || entry.dtype === "bool")
      raw.push({ name: entry.name, shape: entry.shape, dtype: entry.dtype, bytes: bytes.slice() });
    else {
      numericEntries.push(entry);
      numericParts.push(bytes);
    }
    offset += size;
  }
  if (offset !== data.length) fail(`holds ${data.length} bytes, its manifest entries need ${offset}`);
  return { numeric: numericEntries.length === 0 ? undefined : { entries: numericEntries, bytes: Buffer.concat(numericParts) }, raw };
}
