/**
 * Where NPI models live on disk and how they come back: a dense training checkpoint (npi-core's
 * `checkpoint.json` + `.bin`, written by `npi train` or `repro npi`) or a Deep-Compressed `.dcnpi`
 * container whose `user` metadata holds the NPI's layout (config, program table, task).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { npiModelDescriptionSchema, type Task } from "@dcnpi/npi-core";
import { checkWeightShapes, createNpiModel, expectedNpiWeightShapes, type NpiModel, type NpiModelDescription } from "@dcnpi/npi-core/tfjs";
import { readCheckpoint, readCheckpointManifest } from "@dcnpi/npi-core/node";
import { parseCompressedWeights, type CompressedWeights, type VariablesTarget } from "@dcnpi/deep-compression";
import { readCompressedWeights } from "@dcnpi/deep-compression/node";
import { crc32 } from "@dcnpi/base";
import { WeightMap as WeightMapClass, tensor as hostTensor, type WeightInfo, type WeightMap } from "@dcnpi/tensor";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { NpiAppError } from "./errors.js";
import { TASK_NAMES, taskForEnvironment, taskNameOf, type TaskName } from "./tasks.js";

export const NPI_METADATA_VERSION = 1;

/** The car task's problems: npi-envs' seen/unseen split of cars and start poses, and the render size. */
const carTrainingSchema = z.object({
  trainCars: z.number().int().positive(),
  trainStartFraction: z.number().gt(0).lte(1),
  unseenCars: z.number().int().nonnegative(),
  validationCars: z.number().int().positive(),
  maxPathLength: z.number().int().min(0).max(8),
  imageSize: z.number().int().min(8).multipleOf(8),
});
export type CarTraining = z.infer<typeof carTrainingSchema>;

const trainingSetSchema = z.object({
  /** Problem sizes (addition digits, array lengths, car GOTO moves) of training and validation problems. */
  trainLengths: z.array(z.number().int().positive()),
  /** Random training problems per length (0 for the car, whose problems come from `cars`). */
  tracesPerLength: z.number().int().nonnegative(),
  extraPrograms: z.array(z.string()),
  seed: z.number().int().nonnegative(),
  /** Car task only: the training problems are the split's training (car, start pose) pairs. */
  cars: carTrainingSchema.optional(),
});
export type TrainingSet = z.infer<typeof trainingSetSchema>;

/** What `npi compress` puts in the container's `user` metadata: enough to rebuild the NPI from the file alone. */
export const npiMetadataSchema = z.object({
  kind: z.literal("dcnpi/npi-model"),
  version: z.literal(NPI_METADATA_VERSION),
  /** CLI task name (`addition`, `sort`, `car`, ...: tasks.ts). */
  task: z.enum(TASK_NAMES),
  model: npiModelDescriptionSchema,
  /** The teacher traces the model was trained and retrained on. */
  trainingSet: trainingSetSchema,
  /** The dense checkpoint it came from (directory name and training step). */
  source: z.object({ checkpoint: z.string(), step: z.number().int().nonnegative() }),
});
export type NpiMetadata = z.infer<typeof npiMetadataSchema>;

/** `npi-train.json`, written by `npi train` beside its checkpoint. */
export const trainInfoSchema = z.object({
  kind: z.literal("dcnpi/npi-train"),
  version: z.literal(1),
  task: z.enum(TASK_NAMES),
  quick: z.boolean(),
  /** `npi train --recipe-of`: the task whose recipe trained this one (absent: its own). */
  recipeOf: z.enum(TASK_NAMES).optional(),
  trainingSet: trainingSetSchema,
});
export type TrainInfo = z.infer<typeof trainInfoSchema>;
export const TRAIN_INFO_FILE = "npi-train.json";

export interface LoadedModel {
  readonly model: NpiModel;
  readonly task: Task;
  readonly taskName: TaskName;
  readonly kind: "dense" | "compressed";
  /** Absolute path given (checkpoint directory or .dcnpi file). */
  readonly source: string;
  /** Bytes of every parameter as float32. */
  readonly float32Bytes: number;
  /** Bytes on disk: the .dcnpi file, or the checkpoint's float32 weights only (its .bin also holds Adam moments). */
  readonly storedBytes: number;
  readonly trainingSet: TrainingSet | undefined;
  readonly step: number;
  readonly metadata?: NpiMetadata;
}

/** A checkpoint directory for `path` (the directory or its checkpoint.json), or undefined. */
export function checkpointDirOf(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  if (statSync(path).isDirectory()) return existsSync(join(path, "checkpoint.json")) ? path : undefined;
  return basename(path) === "checkpoint.json" ? dirname(path) : undefined;
}

function float32BytesOf(model: NpiModel): number {
  return model.parameters().reduce((sum, p) => sum + p.variable.size * 4, 0);
}

function readTrainInfo(dir: string): TrainInfo | undefined {
  const file = join(dir, TRAIN_INFO_FILE);
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new NpiAppError("MODEL_FILE", `${file}: not valid JSON`);
  }
  const parsed = trainInfoSchema.safeParse(raw);
  if (!parsed.success)
    throw new NpiAppError(
      "MODEL_FILE",
      `${file}: not an npi-train.json of version 1 (${parsed.error.issues[0]?.path.join(".") ?? ""}: ${parsed.error.issues[0]?.message ?? "invalid"})`,
    );
  return parsed.data;
}

function taskOfDescription(description: NpiModelDescription, source: string): Task {
  if (description.encoders.length !== 1)
    throw new NpiAppError(
      "MODEL_FILE",
      `${source}: holds a model with ${description.encoders.length} encoders; this app handles single-task models`,
    );
  const encoder = description.encoders[0]!;
  return taskForEnvironment(encoder.environment, encoder.observationShape, source);
}

/**
 * Everything about the model that can be checked without building it (issue 16, "shapes checked
 * before tfjs builds anything"): the program table and observation shape against the task, and the
 * file's weights (names, shapes, total) against the shapes the config implies. `memory` says how the
 * file names the program memory: per-program rows (`.dcnpi`) or tables (checkpoints).
 */
function checkBeforeBuilding(
  description: NpiModelDescription,
  task: Task,
  weights: Iterable<{ readonly name: string; readonly shape: readonly number[] }>,
  memory: "rows" | "tables",
  source: string,
): void {
  const programs: string[] = [];
  for (const p of task.programs) if (!programs.includes(p.memoryName)) programs.push(p.memoryName);
  const encoder = description.encoders[0];
  if (
    JSON.stringify(description.programs) !== JSON.stringify(programs) ||
    encoder === undefined ||
    JSON.stringify(encoder.observationShape) !== JSON.stringify(task.observationShape)
  )
    throw new NpiAppError(
      "MODEL_FILE",
      `${source}: the model's program table or observation shape does not match the current ${task.name} task`,
    );
  try {
    checkWeightShapes(expectedNpiWeightShapes([task], description.config, { memory }), weights, source);
  } catch (error) {
    throw new NpiAppError("MODEL_FILE", (error as Error).message);
  }
}

function buildModel(description: NpiModelDescription, task: Task, source: string): NpiModel {
  const model = createNpiModel({ tasks: [task], config: description.config, seed: 0 });
  if (
    JSON.stringify(model.describe()) !==
    JSON.stringify({ config: description.config, programs: description.programs, encoders: description.encoders })
  ) {
    model.dispose();
    throw new NpiAppError(
      "MODEL_FILE",
      `${source}: the model's program table or observation shape does not match the current ${task.name} task`,
    );
  }
  return model;
}

/** Writes weights named by parameter (`core/lstm0/kernel`, `memory/programKeys/addition/ADD`, ...) into the model. */
export function assignParameters(model: NpiModel, weights: WeightMap, source: string): void {
  const parameters = model.parameters();
  for (const p of parameters) {
    if (!weights.has(p.name)) throw new NpiAppError("MODEL_FILE", `${source}: has no weight "${p.name}"`);
    const w = weights.get(p.name);
    if (w.shape.length !== p.variable.shape.length || w.shape.some((d, i) => d !== p.variable.shape[i])) {
      throw new NpiAppError(
        "MODEL_FILE",
        `${source}: "${p.name}" is [${w.shape.join(",")}], the model needs [${p.variable.shape.join(",")}]`,
      );
    }
  }
  for (const p of parameters)
    tf.tidy(() => p.variable.assign(tf.tensor(Float32Array.from(weights.get(p.name).data as Float32Array), [...p.variable.shape])));
}

/** Loads a dense checkpoint directory (or its checkpoint.json). */
export function loadDenseModel(dir: string): LoadedModel {
  let manifest;
  try {
    manifest = readCheckpointManifest(dir);
  } catch (error) {
    throw new NpiAppError("MODEL_FILE", (error as Error).message);
  }
  const task = taskOfDescription(manifest.model, dir);
  // From checkpoint.json alone: the data file is not read and nothing is built when the weights disagree.
  checkBeforeBuilding(manifest.model, task, manifest.weights, "tables", dir);
  let checkpoint;
  try {
    checkpoint = readCheckpoint(dir);
  } catch (error) {
    throw new NpiAppError("MODEL_FILE", (error as Error).message);
  }
  const model = buildModel(checkpoint.model, task, dir);
  try {
    model.setWeights(checkpoint.weights, { complete: true });
  } catch (error) {
    model.dispose();
    throw new NpiAppError("MODEL_FILE", `${dir}: ${(error as Error).message}`);
  }
  const info = readTrainInfo(dir);
  const float32Bytes = float32BytesOf(model);
  return {
    model,
    task,
    taskName: taskNameOf(task),
    kind: "dense",
    source: dir,
    float32Bytes,
    storedBytes: float32Bytes,
    trainingSet: info?.trainingSet,
    step: checkpoint.step,
  };
}

/** Loads a `.dcnpi` file written by `npi compress`. */
export async function loadCompressedModel(file: string): Promise<LoadedModel> {
  return modelOfCompressed(await readCompressedWeights(file), file, statSync(file).size);
}

/**
 * The model a `.dcnpi` file's bytes hold, decoded as `loadCompressedModel` decodes a file: `npi compress`
 * checks exactly what a user will load before it writes anything. `source` names it in errors.
 */
export async function loadCompressedBytes(bytes: Uint8Array, source: string): Promise<LoadedModel> {
  return modelOfCompressed(await parseCompressedWeights(bytes, source), source, bytes.length);
}

function modelOfCompressed({ weights, metadata }: CompressedWeights, file: string, storedBytes: number): LoadedModel {
  const parsed = npiMetadataSchema.safeParse(metadata.user);
  if (!parsed.success)
    throw new NpiAppError(
      "MODEL_FILE",
      `${file}: a .dcnpi file, but not an NPI written ` +
        `by npi compress (metadata user.${parsed.error.issues[0]?.path.join(".") ?? ""}: ${parsed.error.issues[0]?.message ?? "missing"})`,
    );
  const npi = parsed.data;
  const task = taskOfDescription(npi.model, file);
  checkBeforeBuilding(
    npi.model,
    task,
    [...weights].map(({ name, tensor }) => ({ name, shape: tensor.shape })),
    "rows",
    file,
  );
  const model = buildModel(npi.model, task, file);
  try {
    assignParameters(model, weights, file);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return {
    model,
    task,
    taskName: npi.task,
    kind: "compressed",
    source: file,
    float32Bytes: float32BytesOf(model),
    storedBytes,
    trainingSet: npi.trainingSet,
    step: npi.source.step,
    metadata: npi,
  };
}

/** A dense checkpoint (directory or checkpoint.json) or a `.dcnpi` file; errors name the path and the problem. */
export async function loadModel(path: string): Promise<LoadedModel> {
  if (!existsSync(path)) throw new NpiAppError("MODEL_FILE", `${path}: no such file or directory`);
  const dir = checkpointDirOf(path);
  if (dir !== undefined) return loadDenseModel(dir);
  if (statSync(path).isDirectory())
    throw new NpiAppError("MODEL_FILE", `${path}: a directory without checkpoint.json (not a training checkpoint)`);
  return loadCompressedModel(path);
}

/** Refuses a model of another task than the one asked for. */
export function checkTask(loaded: LoadedModel, wanted: TaskName | undefined): void {
  if (wanted !== undefined && wanted !== loaded.taskName) {
    throw new NpiAppError(
      "WRONG_TASK",
      `${loaded.source} holds ${/^[aeiou]/.test(loaded.taskName) ? "an" : "a"} ${loaded.taskName} model, not ${wanted}`,
    );
  }
}

/**
 * The model's parameters as a Deep Compression target: the model's own variables (so training the
 * model trains them), named by parameter (`core/lstm0/kernel`) instead of tfjs's unique variable names.
 */
export function compressionTargetOf(model: NpiModel): VariablesTarget {
  const parameters = model.parameters();
  const info: Record<string, WeightInfo> = {};
  const names: Record<string, string> = {};
  for (const p of parameters) {
    info[p.variable.name] = p.info;
    names[p.variable.name] = p.name;
  }
  return { variables: parameters.map((p) => p.variable), info, names };
}

/** Host copies of every parameter, named by parameter, in declaration order. */
export function parameterWeights(model: NpiModel): WeightMap {
  const map = new WeightMapClass();
  for (const p of model.parameters())
    map.add(p.name, hostTensor([...p.variable.shape], Float32Array.from(p.variable.dataSync() as Float32Array), p.name), p.info);
  return map;
}

/**
 * A short key that changes whenever the model's bytes do (the checkpoint's data checksum and step,
 * or the CRC-32 of the .dcnpi file), so cached evaluation results are never reused for another model.
 */
export function contentKeyOf(loaded: LoadedModel): string {
  if (loaded.kind === "dense") {
    const manifest = readCheckpointManifest(loaded.source);
    return `d${manifest.step}-${manifest.dataChecksum}`;
  }
  return `c${crc32(new Uint8Array(readFileSync(loaded.source)))
    .toString(16)
    .padStart(8, "0")}`;
}
