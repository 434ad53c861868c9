import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@dcnpi/base/node";
import { WeightMap, tensor as hostTensor, type RngState } from "@dcnpi/tensor";
import { z } from "zod";
import { NpiError } from "../errors.js";
import { npiModelDescriptionSchema } from "../model-description-schema.js";
import type { AdamSlotState } from "../tfjs/adam.js";
import type { Task } from "../task.js";
import { checkWeightShapes, expectedNpiWeightShapes, type NpiModelDescription } from "../tfjs/npi-model.js";

export const CHECKPOINT_VERSION = 1;
const CHECKPOINT_FILE = "checkpoint.json";

const integer = z.number().int().nonnegative();
const uint32 = z.number().int().min(0).max(0xffffffff);
const checkpointSchema = z.object({
  version: z.literal(CHECKPOINT_VERSION),
  kind: z.literal("dcnpi-npi-checkpoint"),
  step: integer,
  // The same bounds as a compressed NPI's metadata: sizes refused before a model is built (issue 16).
  model: npiModelDescriptionSchema,
  weights: z.array(z.object({ name: z.string(), shape: z.array(integer), offset: integer })),
  optimizer: z.array(z.object({ name: z.string(), steps: integer, shape: z.array(integer), mOffset: integer, vOffset: integer })),
  trainer: z.object({
    sequencesSeen: integer,
    rng: z.object({ key: z.tuple([uint32, uint32, uint32, uint32]), state: z.tuple([uint32, uint32, uint32, uint32]) }),
    curriculum: z.object({ programs: z.array(z.string()), probabilities: z.array(z.number().nonnegative()) }),
    fingerprint: z.string(),
  }),
  dataFile: z.string().regex(/^[A-Za-z0-9._-]+$/),
  dataBytes: integer,
  dataChecksum: z.string().regex(/^[0-9a-f]{8}$/),
});

/** The JSON part of a checkpoint (validated with zod when read). */
export type CheckpointManifest = z.infer<typeof checkpointSchema>;

/** What the trainer saves and restores, besides weights and optimizer moments. */
export interface TrainerCheckpointState {
  readonly sequencesSeen: number;
  readonly rng: RngState;
  readonly curriculum: { readonly programs: readonly string[]; readonly probabilities: readonly number[] };
  /** Identifies the data set and options; a checkpoint only resumes a trainer with the same one. */
  readonly fingerprint: string;
}

/** A whole checkpoint in memory. */
export interface Checkpoint {
  readonly step: number;
  readonly model: NpiModelDescription;
  readonly weights: WeightMap;
  readonly optimizer: readonly AdamSlotState[];
  readonly trainer: TrainerCheckpointState;
}

function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

// The one atomic writer (temp file, fsync, rename, fsync of the directory); re-exported for the trainer's state file.
export { writeFileAtomic };

/**
 * Writes `checkpoint` into `dir`: first the float32 data file (`checkpoint-<step>.bin`), then
 * `checkpoint.json`, each atomically. The JSON is the commit point: a run killed at any moment
 * leaves either the previous checkpoint or the new one. Older data files are removed afterwards.
 */
export function writeCheckpoint(dir: string, checkpoint: Checkpoint): string {
  const chunks: Float32Array[] = [];
  let offset = 0;
  const place = (data: Float32Array) => {
    chunks.push(data);
    const at = offset;
    offset += data.length;
    return at;
  };
  const weights = [...checkpoint.weights].map(({ name, tensor }) => ({
    name,
    shape: [...tensor.shape],
    offset: place(tensor.data as Float32Array),
  }));
  const optimizer = checkpoint.optimizer.map((slot) => ({
    name: slot.name,
    steps: slot.steps,
    shape: [...slot.shape],
    mOffset: place(slot.m),
    vOffset: place(slot.v),
  }));
  const data = new Float32Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.length;
  }
  const bytes = new Uint8Array(data.buffer);
  const dataFile = `checkpoint-${checkpoint.step}.bin`;
  writeFileAtomic(join(dir, dataFile), bytes);
  const manifest: CheckpointManifest = {
    version: CHECKPOINT_VERSION,
    kind: "dcnpi-npi-checkpoint",
    step: checkpoint.step,
    model: {
      config: { ...checkpoint.model.config },
      programs: [...checkpoint.model.programs],
      encoders: checkpoint.model.encoders.map((e) => ({ environment: e.environment, observationShape: [...e.observationShape] })),
    },
    weights,
    optimizer,
    trainer: {
      sequencesSeen: checkpoint.trainer.sequencesSeen,
      rng: {
        key: [...checkpoint.trainer.rng.key] as [number, number, number, number],
        state: [...checkpoint.trainer.rng.state] as [number, number, number, number],
      },
      curriculum: {
        programs: [...checkpoint.trainer.curriculum.programs],
        probabilities: [...checkpoint.trainer.curriculum.probabilities],
      },
      fingerprint: checkpoint.trainer.fingerprint,
    },
    dataFile,
    dataBytes: bytes.length,
    dataChecksum: fnv1a(bytes),
  };
  const manifestPath = join(dir, CHECKPOINT_FILE);
  writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  for (const file of readdirSync(dir)) {
    if (/^checkpoint-\d+\.bin$/.test(file) && file !== dataFile) rmSync(join(dir, file), { force: true });
  }
  return manifestPath;
}

/** True when `dir` holds a checkpoint. */
export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, CHECKPOINT_FILE));
}

/**
 * Reads and checks a checkpoint's `checkpoint.json` alone (schema and version; the weights are not
 * read): its step, model layout and data checksum. Throws INVALID_CHECKPOINT naming the file.
 */
export function readCheckpointManifest(dir: string): CheckpointManifest {
  const manifestPath = join(dir, CHECKPOINT_FILE);
  const fail = (message: string): never => {
    throw new NpiError("INVALID_CHECKPOINT", `${manifestPath}: ${message}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch (error) {
    return fail(`cannot read (${(error as Error).message})`);
  }
  const parsed = checkpointSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`not a checkpoint of version ${CHECKPOINT_VERSION} (${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"})`);
  }
  return parsed.data;
}

/**
 * Checks that a manifest's weights are exactly those its model config implies for `tasks` (names,
 * shapes, total), from the JSON alone: no data is read and no model is built. Throws INVALID_WEIGHTS
 * naming the checkpoint and the first bad weight.
 */
export function checkCheckpointWeights(manifest: CheckpointManifest, tasks: readonly Task[], dir: string): void {
  const expected = expectedNpiWeightShapes(tasks, manifest.model.config, { memory: "tables" });
  checkWeightShapes(expected, manifest.weights, join(dir, CHECKPOINT_FILE));
}

/**
 * Reads and checks a checkpoint (schema, data size and checksum). Throws INVALID_CHECKPOINT naming
 * the file and the problem. With `tasks`, the manifest's weights are first compared with what the
 * model config implies for them (`checkCheckpointWeights`, INVALID_WEIGHTS), before the data is read.
 */
export function readCheckpoint(dir: string, options: { readonly tasks?: readonly Task[] } = {}): Checkpoint {
  const manifestPath = join(dir, CHECKPOINT_FILE);
  const fail = (message: string): never => {
    throw new NpiError("INVALID_CHECKPOINT", `${manifestPath}: ${message}`);
  };
  const manifest = readCheckpointManifest(dir);
  if (options.tasks !== undefined) checkCheckpointWeights(manifest, options.tasks, dir);
  // Size (and regular file) checked before reading: a data file of another size is not read whole.
  let stat;
  try {
    stat = statSync(join(dir, manifest.dataFile));
  } catch (error) {
    return fail(`data file ${manifest.dataFile} missing (${(error as Error).message})`);
  }
  if (!stat.isFile()) fail(`data file ${manifest.dataFile} is not a regular file`);
  if (stat.size !== manifest.dataBytes) fail(`data file has ${stat.size} bytes, expected ${manifest.dataBytes}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, manifest.dataFile));
  } catch (error) {
    return fail(`data file ${manifest.dataFile} cannot be read (${(error as Error).message})`);
  }
  if (bytes.length !== manifest.dataBytes) fail(`data file has ${bytes.length} bytes, expected ${manifest.dataBytes}`);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (fnv1a(copy) !== manifest.dataChecksum) fail("data file checksum mismatch");
  const data = new Float32Array(copy.buffer);
  const slice = (offset: number, dims: readonly number[], what: string) => {
    const size = dims.reduce((a, b) => a * b, 1);
    if (offset + size > data.length) fail(`${what} runs past the end of the data file`);
    return data.slice(offset, offset + size);
  };
  const weights = new WeightMap();
  for (const w of manifest.weights) weights.add(w.name, hostTensor(w.shape, slice(w.offset, w.shape, w.name), w.name));
  const optimizer = manifest.optimizer.map((o) => ({
    name: o.name,
    steps: o.steps,
    shape: o.shape,
    m: slice(o.mOffset, o.shape, `${o.name} m`),
    v: slice(o.vOffset, o.shape, `${o.name} v`),
  }));
  return { step: manifest.step, model: manifest.model, weights, optimizer, trainer: manifest.trainer };
}
