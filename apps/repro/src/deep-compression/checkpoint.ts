/**
 * Trained weights (and optimizer state) as files inside a stage directory, so a killed run resumes
 * from the last finished stage with exactly the numbers it had. Two files: `<name>.json` (zod
 * schema, `version`) lists the tensors and their byte ranges in `<name>.bin` (little-endian float32,
 * which is what every platform Node runs on uses). Both are written to a temp file and renamed.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DcnpiError } from "@dcnpi/base";
import { writeFileAtomic, writeJsonAtomic } from "@dcnpi/run-kit";
import { tensor, WeightMap } from "@dcnpi/tensor";
import { z } from "zod";

const tensorRecordSchema = z.strictObject({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
});

export const checkpointIndexSchema = z.strictObject({
  kind: z.literal("dcnpi/repro-checkpoint"),
  version: z.literal(1),
  tensors: z.array(tensorRecordSchema),
  /** Small JSON the caller wants back (optimizer step, epoch...). */
  extra: z.unknown().optional(),
});
export type CheckpointIndex = z.infer<typeof checkpointIndexSchema>;

export interface CheckpointTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export class CheckpointError extends DcnpiError<"CORRUPT_CHECKPOINT"> {
  constructor(message: string, options?: ErrorOptions) {
    super("CORRUPT_CHECKPOINT", message, options);
  }
}

/** Writes `tensors` as `<dir>/<name>.bin` + `<dir>/<name>.json`. */
export function writeCheckpoint(dir: string, name: string, tensors: readonly CheckpointTensor[], extra?: unknown): void {
  const total = tensors.reduce((s, t) => s + t.data.length, 0);
  const bytes = new Uint8Array(total * 4);
  const view = new Float32Array(bytes.buffer);
  const records: CheckpointIndex["tensors"] = [];
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new CheckpointError(`${name}: tensor ${t.name} has ${t.data.length} values for shape [${t.shape.join(",")}]`);
    view.set(t.data, offset);
    records.push({ name: t.name, shape: [...t.shape], offset: offset * 4, length: t.data.length * 4 });
    offset += t.data.length;
  }
  // The .bin first: a .json on disk always describes a complete .bin.
  writeFileAtomic(join(dir, `${name}.bin`), bytes);
  const index: CheckpointIndex = {
    kind: "dcnpi/repro-checkpoint",
    version: 1,
    tensors: records,
    ...(extra === undefined ? {} : { extra }),
  };
  writeJsonAtomic(join(dir, `${name}.json`), index);
}

export function hasCheckpoint(dir: string, name: string): boolean {
  return existsSync(join(dir, `${name}.json`)) && existsSync(join(dir, `${name}.bin`));
}

/** Reads a checkpoint back; every record is checked against the file. */
export function readCheckpoint(dir: string, name: string): { tensors: CheckpointTensor[]; extra: unknown } {
  const indexPath = join(dir, `${name}.json`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(indexPath, "utf8"));
  } catch (error) {
    throw new CheckpointError(`${indexPath}: cannot read (${(error as Error).message})`);
  }
  const index = checkpointIndexSchema.safeParse(parsed);
  if (!index.success) throw new CheckpointError(`${indexPath}: not a checkpoint index (${index.error.issues[0]?.message})`);
  const bin = readFileSync(join(dir, `${name}.bin`));
  const tensors = index.data.tensors.map((record) => {
    const n = record.shape.reduce((a, b) => a * b, 1);
    if (record.length !== n * 4 || record.offset + record.length > bin.length || record.offset % 4 !== 0) {
      throw new CheckpointError(`${indexPath}: tensor ${record.name} does not fit ${name}.bin`);
    }
    const data = new Float32Array(n);
    new Uint8Array(data.buffer).set(bin.subarray(record.offset, record.offset + record.length));
    return { name: record.name, shape: record.shape, data };
  });
  return { tensors, extra: index.data.extra };
}

/** A weight map as checkpoint tensors (float32 weights only; names kept). */
export function weightMapTensors(weights: WeightMap): CheckpointTensor[] {
  return [...weights].map(({ name, tensor: t }) => {
    if (!(t.data instanceof Float32Array)) throw new CheckpointError(`${name}: only float32 weights are checkpointed, got ${t.dtype}`);
    return { name, shape: t.shape, data: t.data };
  });
}

/** Checkpoint tensors back into a weight map with the layer information of `like`. */
export function tensorsToWeightMap(tensors: readonly CheckpointTensor[], like: WeightMap): WeightMap {
  const map = new WeightMap();
  for (const t of tensors) {
    if (!like.has(t.name)) throw new CheckpointError(`checkpoint has weight "${t.name}" the model does not`);
    map.add(t.name, tensor<"float32">([...t.shape], t.data), like.entry(t.name).info);
  }
  return map;
}
