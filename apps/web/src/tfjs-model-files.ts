/**
 * A dropped TensorFlow.js model (model.json + its weight shards): where its bytes go, per weight, as
 * the converter stored them (float32, or uint8/uint16/float16-quantized). Read with zod, since the
 * files come from the user; every shard the manifest names must be among the dropped files and have
 * exactly the bytes the manifest implies.
 */
import { z } from "zod";
import { WebAppError } from "./errors.js";

const dtypeBytes = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, string: 0, complex64: 8 } as const;

const weightSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()).max(8),
  dtype: z.enum(["float32", "int32", "bool", "string", "complex64"]),
  quantization: z
    .object({ dtype: z.enum(["uint8", "uint16", "float16"]) })
    .passthrough()
    .optional(),
});
const modelJsonSchema = z.object({
  format: z.string().optional(),
  modelTopology: z.unknown().optional(),
  weightsManifest: z.array(z.object({ paths: z.array(z.string()).min(1), weights: z.array(weightSchema) })).min(1),
});

export interface ModelFileWeight {
  readonly name: string;
  readonly shape: readonly number[];
  /** How the weight is stored in the shards: its dtype, or the quantization dtype. */
  readonly storedAs: string;
  readonly elementCount: number;
  readonly bytes: number;
}

export interface ModelFilesSummary {
  readonly weights: readonly ModelFileWeight[];
  readonly shardBytes: number;
  readonly modelJsonBytes: number;
  /** Every weight as float32 (what a dense model costs in memory and in float32 shards). */
  readonly float32Bytes: number;
}

/** Sizes the weights of a model.json whose shards are `shardSizes` (file name → bytes). */
export function summariseModelFiles(
  modelJsonText: string,
  shardSizes: ReadonlyMap<string, number>,
  source = "model.json",
): ModelFilesSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(modelJsonText);
  } catch {
    throw new WebAppError("MODEL_FILES", `${source}: not valid JSON`);
  }
  const parsed = modelJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WebAppError(
      "MODEL_FILES",
      `${source}: not a TensorFlow.js model.json (${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"})`,
    );
  }
  const weights: ModelFileWeight[] = [];
  let shardBytes = 0;
  let float32Bytes = 0;
  for (const group of parsed.data.weightsManifest) {
    let groupBytes = 0;
    for (const w of group.weights) {
      const elementCount = w.shape.reduce((a, b) => a * b, 1);
      const storedAs = w.quantization?.dtype ?? w.dtype;
      const bytes = elementCount * dtypeBytes[storedAs];
      weights.push({ name: w.name, shape: w.shape, storedAs, elementCount, bytes });
      groupBytes += bytes;
      float32Bytes += elementCount * 4;
    }
    let present = 0;
    for (const path of group.paths) {
      const name = path.split("/").pop()!;
      const size = shardSizes.get(name);
      if (size === undefined)
        throw new WebAppError("MODEL_FILES", `${source}: names the shard "${name}", which was not among the files given`);
      present += size;
    }
    if (present !== groupBytes)
      throw new WebAppError(
        "MODEL_FILES",
        `${source}: the shards ${group.paths.join(", ")} hold ${present} bytes; the manifest's weights need ${groupBytes}`,
      );
    shardBytes += present;
  }
  return { weights, shardBytes, modelJsonBytes: new TextEncoder().encode(modelJsonText).length, float32Bytes };
}
