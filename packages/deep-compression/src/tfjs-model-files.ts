/**
 * TensorFlow.js layers models on disk (model.json + binary weight shards), read and written without
 * tfjs-node. Reading accepts the shards tfjs-converter writes, including its uint8/uint16/float16
 * weight quantization (dequantized here to float32); writing produces a plain float32 model that
 * stock `tf.loadLayersModel` loads.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, relative } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import * as tfl from "@tensorflow/tfjs-layers";
import { tensor as hostTensor, WeightMap } from "@dcnpi/tensor";
import { writeFileAtomic, writeJsonAtomic } from "@dcnpi/base/node";
import { z } from "zod";
import { CompressionError } from "./errors.js";

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

/** Reads and checks model.json and its shards; every problem is a MODEL_FILE error naming the file. */
export function readModelFiles(modelJsonPath: string): ModelFiles {
  let text: string;
  try {
    text = readFileSync(modelJsonPath, "utf8");
  } catch (error) {
    fail(modelJsonPath, `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
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
  const baseDir = dirname(modelJsonPath);
  let bytesOnDisk = Buffer.byteLength(text);
  const weights = new WeightMap();
  const quantizedWeights = new Map<string, "uint8" | "uint16" | "float16">();
  modelJson.weightsManifest.forEach((group, groupIndex) => {
    const buffers: Buffer[] = [];
    for (const shard of group.paths) {
      const shardPath = normalize(join(baseDir, shard));
      const inside = relative(baseDir, shardPath);
      if (isAbsolute(shard) || inside.startsWith("..")) fail(modelJsonPath, `shard path "${shard}" leaves the model's directory`);
      if (!existsSync(shardPath)) fail(shardPath, "weight shard listed in model.json is missing");
      buffers.push(readFileSync(shardPath));
      bytesOnDisk += statSync(shardPath).size;
    }
    const data = Buffer.concat(buffers);
    const expected = group.weights.reduce((sum, entry) => sum + entryBytes(entry), 0);
    if (data.byteLength !== expected) {
      fail(
        join(baseDir, group.paths[0] ?? "?"),
        `weight group ${groupIndex} holds ${data.byteLength} bytes, its manifest entries need ${expected}`,
      );
    }
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

/** Builds a tfjs LayersModel from a topology and a complete weight map (no files involved). */
export async function buildLayersModel(modelTopology: Record<string, unknown>, weights: WeightMap): Promise<LayersModel> {
  const { specs, data } = encodePlain(weights);
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs: specs, weightData: buffer }));
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
 * Writes a standard model.json + weights.bin (float32) into `dir`. The weights file is written first
 * and model.json last, each atomically, so model.json never points at missing or partial weights.
 */
export function writeModelFiles(
  dir: string,
  modelTopology: Record<string, unknown>,
  weights: WeightMap,
): { modelJsonPath: string; weightsPath: string } {
  const { specs, data } = encodePlain(weights);
  const weightsPath = join(dir, "weights.bin");
  const modelJsonPath = join(dir, "model.json");
  writeFileAtomic(weightsPath, data);
  writeJsonAtomic(modelJsonPath, {
    format: "layers-model",
    generatedBy: "dcnpi",
    convertedBy: null,
    modelTopology,
    weightsManifest: [{ paths: ["weights.bin"], weights: specs }],
  });
  return { modelJsonPath, weightsPath };
}

/** The JSON topology of a live model, as model.json stores it. */
export async function modelTopologyOf(model: LayersModel): Promise<Record<string, unknown>> {
  let topology: Record<string, unknown> | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      topology = artifacts.modelTopology as Record<string, unknown>;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
    }),
  );
  return topology!;
}
