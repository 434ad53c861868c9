/**
 * TensorFlow.js layers models on disk (model.json + binary weight shards), read and written without
 * tfjs-node. Reading accepts the shards tfjs-converter writes, including its uint8/uint16/float16
 * weight quantization (dequantized here to float32); writing produces a plain float32 model that
 * stock `tf.loadLayersModel` loads.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { tensor as hostTensor, WeightMap } from "@dcnpi/tensor";
import { writeDirectoryAtomic } from "@dcnpi/base/node";
import { z } from "zod";
import { CompressionError } from "../errors.js";
import { buildLayersModel } from "../tfjs-model.js";

const weightEntrySchema = z
  .object({
    name: z.string().min(1),
    shape: z.array(z.number().int().nonnegative()),
    dtype: z.enum(["float32", "int32", "bool"]),
    quantization: z
      .object({
        dtype: z.enum(["uint8", "uint16", "float16"]),
        scale: z.number().optional(),
        min: z.number().optional(),
      })
      .optional(),
  })
  .passthrough();

export const modelJsonSchema = z
  .object({
    format: z.string().optional(),
    generatedBy: z.string().optional(),
    convertedBy: z.string().nullable().optional(),
    modelTopology: z.record(z.string(), z.unknown()),
    weightsManifest: z.array(z.object({ paths: z.array(z.string().min(1)), weights: z.array(weightEntrySchema) })),
  })
  .passthrough();

export type ModelJson = z.infer<typeof modelJsonSchema>;
type WeightEntry = z.infer<typeof weightEntrySchema>;

export interface ModelFiles {
  readonly modelJsonPath: string;
  readonly modelJson: ModelJson;
  /** Every weight, dequantized to float32 (int32 stays int32), in manifest order. */
  readonly weights: WeightMap;
  /** Weights that were stored quantized by tfjs-converter, and how. */
  readonly quantizedWeights: ReadonlyMap<string, "uint8" | "uint16" | "float16">;
  /** Bytes of model.json plus every shard: the size of the model as it was on disk. */
  readonly bytesOnDisk: number;
}

const bytesPer = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 } as const;

function entryBytes(entry: WeightEntry): number {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  return count * bytesPer[entry.quantization?.dtype ?? entry.dtype];
}

function fail(path: string, message: string): never {
  throw new CompressionError("MODEL_FILE", `${path}: ${message}`);
}

/**
 * Opens `path` for reading without blocking (a FIFO must not hang the open) and checks that it is a
 * regular file; returns the descriptor and its size. `what` names the file in errors.
 */
function openRegularFile(path: string, shownAs: string, what: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    fail(shownAs, `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    fail(shownAs, `${what} is ${stats.isDirectory() ? "a directory" : "not a regular file (a FIFO, socket or device)"}`);
  }
  return { fd, size: stats.size };
}

/** Reads exactly `size` bytes (the size checked against the manifest), never more, whatever the file does meanwhile. */
function readExactly(fd: number, size: number, shownAs: string): Buffer {
  const buffer = Buffer.alloc(size);
  let done = 0;
  while (done < size) {
    const n = readSync(fd, buffer, done, size - done, done);
    if (n === 0) fail(shownAs, `shrank while being read (${done} of ${size} bytes)`);
    done += n;
  }
  return buffer;
}

/** True when `child` (an absolute normalised path) is `parent` or below it, compared by path segments. */
function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!isAbsolute(rel) && rel.split(sep)[0] !== "..");
}

/**
 * Reads and checks model.json and its shards; every problem is a MODEL_FILE error naming the file.
 * Untrusted folders cannot trick it: only regular files are read (a FIFO or a link to /dev/zero is
 * refused before reading), each weight group's shard sizes are compared with the manifest before a
 * byte is read and then exactly that many bytes are read, shard names are compared as paths (`..w.bin`
 * is a name, `../w.bin` leaves the folder), and symlinks are resolved and refused when they lead out
 * of the model's folder.
 */
export function readModelFiles(modelJsonPath: string): ModelFiles {
  const { fd: jsonFd, size: jsonSize } = openRegularFile(modelJsonPath, modelJsonPath, "model.json");
  let text: string;
  try {
    text = readExactly(jsonFd, jsonSize, modelJsonPath).toString("utf8");
  } finally {
    closeSync(jsonFd);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail(modelJsonPath, "is not valid JSON");
  }
  const parsed = modelJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(modelJsonPath, `not a TensorFlow.js model.json (${issue.path.join(".") || "root"}: ${issue.message})`);
  }
  const modelJson = parsed.data;
  if (modelJson.format !== undefined && modelJson.format !== "layers-model") {
    throw new CompressionError(
      "UNSUPPORTED_MODEL",
      `${modelJsonPath}: format "${modelJson.format}" is not supported; dcnpi compresses TensorFlow.js layers models (format "layers-model")`,
    );
  }
  const baseDir = resolve(dirname(modelJsonPath));
  const realBaseDir = realpathSync(baseDir);
  let bytesOnDisk = Buffer.byteLength(text);
  const weights = new WeightMap();
  const quantizedWeights = new Map<string, "uint8" | "uint16" | "float16">();
  modelJson.weightsManifest.forEach((group, groupIndex) => {
    const expected = group.weights.reduce((sum, entry) => sum + entryBytes(entry), 0);
    const shards: { fd: number; size: number; shownAs: string }[] = [];
    try {
      for (const shard of group.paths) {
        const shardPath = resolve(baseDir, shard);
        if (isAbsolute(shard) || !isInside(baseDir, shardPath)) fail(modelJsonPath, `shard path "${shard}" leaves the model's directory`);
        let real: string;
        try {
          real = realpathSync(shardPath);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          fail(shardPath, code === "ENOENT" ? "weight shard listed in model.json is missing" : `cannot read weight shard (${code})`);
        }
        if (!isInside(realBaseDir, real)) fail(shardPath, `weight shard is a link to ${real}, outside the model's directory`);
        shards.push({ ...openRegularFile(real, shardPath, "weight shard"), shownAs: shardPath });
      }
      const onDisk = shards.reduce((sum, shard) => sum + shard.size, 0);
      if (onDisk !== expected) {
        fail(
          shards[0]?.shownAs ?? join(baseDir, group.paths[0] ?? "?"),
          `weight group ${groupIndex} holds ${onDisk} bytes, its manifest entries need ${expected}`,
        );
      }
      bytesOnDisk += onDisk;
      const data = Buffer.concat(shards.map((shard) => readExactly(shard.fd, shard.size, shard.shownAs)));
      const arrayBuffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      const decoded = tf.io.decodeWeights(arrayBuffer, group.weights as tf.io.WeightsManifestEntry[]);
      try {
        for (const entry of group.weights) {
          const value = decoded[entry.name]!;
          const values = value.dataSync();
          const copy = value.dtype === "int32" ? Int32Array.from(values) : Float32Array.from(values);
          weights.add(entry.name, hostTensor(entry.shape, copy, entry.name));
          if (entry.quantization !== undefined) quantizedWeights.set(entry.name, entry.quantization.dtype);
        }
      } finally {
        tf.dispose(Object.values(decoded));
      }
    } finally {
      for (const shard of shards) closeSync(shard.fd);
    }
  });
  return { modelJsonPath, modelJson, weights, quantizedWeights, bytesOnDisk };
}

/** Float32 (or int32) weight specs and one concatenated buffer, in the map's order. */
function encodePlain(weights: WeightMap): { specs: tf.io.WeightsManifestEntry[]; data: Uint8Array } {
  const specs: tf.io.WeightsManifestEntry[] = [];
  let total = 0;
  for (const { tensor } of weights) total += tensor.data.length * 4;
  const data = new Uint8Array(total);
  let offset = 0;
  for (const { name, tensor } of weights) {
    const dtype = tensor.dtype === "float32" ? "float32" : "int32";
    const values = tensor.dtype === "uint8" ? Int32Array.from(tensor.data) : tensor.data;
    specs.push({ name, shape: [...tensor.shape], dtype });
    data.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    offset += values.byteLength;
  }
  return { specs, data };
}

/** Loads a layers model from model.json + shards on disk (quantized shards are dequantized). */
export async function loadLayersModelFiles(modelJsonPath: string): Promise<{ model: LayersModel; files: ModelFiles }> {
  const files = readModelFiles(modelJsonPath);
  try {
    return { model: await buildLayersModel(files.modelJson.modelTopology, files.weights), files };
  } catch (error) {
    if (error instanceof CompressionError) throw error;
    throw new CompressionError(
      "UNSUPPORTED_MODEL",
      `${modelJsonPath}: TensorFlow.js cannot build this model (${(error as Error).message})`,
    );
  }
}

/**
 * Writes a standard model.json + weights.bin (float32) as the folder `dir`, all or nothing: both files
 * go into a temporary sibling folder that is renamed into place (`writeDirectoryAtomic`), so a
 * failure or a kill leaves the old folder exactly as it was, never an old model.json beside new
 * weights. An existing `dir` is replaced only if it holds nothing but model.json and weights.bin.
 */
export function writeModelFiles(
  dir: string,
  modelTopology: Record<string, unknown>,
  weights: WeightMap,
): { modelJsonPath: string; weightsPath: string } {
  const { specs, data } = encodePlain(weights);
  const modelJsonPath = join(dir, "model.json");
  let json: string;
  try {
    json = `${JSON.stringify(
      {
        format: "layers-model",
        generatedBy: "dcnpi",
        convertedBy: null,
        modelTopology,
        weightsManifest: [{ paths: ["weights.bin"], weights: specs }],
      },
      null,
      2,
    )}\n`;
  } catch (error) {
    // JSON.stringify recurses: a topology nested ~10^5 deep overflows the stack (RangeError).
    if (error instanceof RangeError) {
      throw new CompressionError("UNSUPPORTED_MODEL", `${modelJsonPath}: the model topology is nested too deeply to write as JSON`);
    }
    throw error;
  }
  const written = writeDirectoryAtomic(dir, { "weights.bin": data, "model.json": json });
  return { modelJsonPath: join(written, "model.json"), weightsPath: join(written, "weights.bin") };
}
