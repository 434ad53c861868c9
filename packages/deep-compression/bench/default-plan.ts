/**
 * Which plan is safe with no data (issue 14, item 2 and benchmark row (a)): one-shot compression of
 * four real models under candidate plans, each measured by top-1 agreement with the original model
 * on held-back real inputs, and by bytes against float32 and against uint8 shards.
 *
 *   models  nsfwjs 4.4.0 mobilenet_v2_mid (graph model, uint8 shards), nsfwjs 4.4.0 mobilenet_v2
 *           (layers model: Conv2D, DepthwiseConv2D, BatchNorm, Dense; uint8 shards), and the repro's
 *           LeNet-300-100 and LeNet-5 (model-zoo, trained here on the MNIST training set with adam)
 *   inputs  nsfwjs models: 100 windows of the real photos @jimp/test-utils ships (test/real-photos.ts);
 *           LeNets: the 10,000 MNIST test images
 *   plans   `safePlan` at 4–8 bits (kernels share 2^b weights, nothing pruned), the paper's plan one-shot
 *
 * Run: cd packages/deep-compression && node --conditions=@dcnpi/source --import tsx bench/default-plan.ts
 * (DCNPI_BENCH_PHOTOS=n windows per photo, default 25; DCNPI_BENCH_MODELS=LeNet only the models whose
 * name contains it). Writes bench-results/default-plan.json.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { loadGraphModel } from "@tensorflow/tfjs-converter";
import { machineInfo, printTable, recordBenchResult } from "@dcnpi/bench-kit";
import { loadMnist } from "@dcnpi/datasets";
import { initEngine } from "@dcnpi/engine";
import { buildLenet300100, buildLenet5, trainClassifier } from "@dcnpi/model-zoo";
import { Rng } from "@dcnpi/tensor";
import { readModelWeights } from "@dcnpi/tensor/tfjs";
import {
  compress,
  defaultPlan,
  graphCompressionTarget,
  graphModelArtifacts,
  modelTopologyOf,
  readTargetWeights,
  safePlan,
  type CompressionPlan,
} from "../src/index.js";
import { loadLayersModelFiles, readModelFiles, writeModelFiles } from "../src/node/index.js";
import { agreement } from "../test/agreement.js";
import { writeNsfwjsModel } from "../test/nsfwjs-models.js";
import { PHOTOS, realPhotoInputs } from "../test/real-photos.js";

const workspace = join(import.meta.dirname, "..", "..", "..", "bench-results", "default-plan-models");
mkdirSync(workspace, { recursive: true });
const perPhoto = Number(process.env["DCNPI_BENCH_PHOTOS"] ?? 25);

interface ModelCase {
  readonly name: string;
  readonly modelJsonPath: string;
  readonly inputs: tf.Tensor;
  readonly labels?: Uint8Array;
}

/** Trains a LeNet once (cached in bench-results/) and writes it as model.json + weights.bin. */
async function lenetModel(name: "lenet-300-100" | "lenet-5", epochs: number): Promise<string> {
  const dir = join(workspace, name);
  const path = join(dir, "model.json");
  if (existsSync(path)) return path;
  const rng = Rng.fromSeed(1);
  const model = name === "lenet-300-100" ? buildLenet300100(rng) : buildLenet5(rng);
  const train = loadMnist({ split: "train" });
  const optimizer = tf.train.adam(1e-3);
  await trainClassifier(model, train, { epochs, batchSize: 128, rng: rng.fork("train"), optimizer });
  optimizer.dispose();
  writeModelFiles(dir, await modelTopologyOf(model), readModelWeights(model));
  model.dispose();
  return path;
}

async function predictLayers(model: tfl.LayersModel, inputs: tf.Tensor): Promise<tf.Tensor2D> {
  return model.predict(inputs, { batchSize: 100 }) as tf.Tensor2D;
}

async function predictGraph(artifacts: tf.io.ModelArtifacts, inputs: tf.Tensor): Promise<tf.Tensor2D> {
  const model = await loadGraphModel(tf.io.fromMemory(artifacts));
  const parts: tf.Tensor2D[] = [];
  for (let i = 0; i < inputs.shape[0]!; i += 25) {
    const batch = tf.slice(inputs, i, Math.min(25, inputs.shape[0]! - i));
    parts.push(model.predict(batch) as tf.Tensor2D);
    batch.dispose();
  }
  model.dispose();
  const out = tf.concat2d(parts, 0);
  tf.dispose(parts);
  return out;
}

/** One-shot compression of the model on disk under `plan`; outputs of the compressed model and its bytes. */
async function compressed(modelJsonPath: string, plan: CompressionPlan, inputs: tf.Tensor) {
  const files = readModelFiles(modelJsonPath);
  if (files.format === "graph-model") {
    const graph = graphCompressionTarget(files);
    try {
      const { report } = await compress(graph.target, plan, { rng: Rng.fromSeed(1), graphModel: graph.graphModel });
      const outputs = await predictGraph(graphModelArtifacts(readTargetWeights(graph.target), graph.graphModel), inputs);
      return { report, outputs, bytesOnDisk: files.bytesOnDisk };
    } finally {
      graph.dispose();
    }
  }
  const { model } = await loadLayersModelFiles(modelJsonPath);
  try {
    const { report } = await compress(model, plan, { rng: Rng.fromSeed(1) });
    return { report, outputs: await predictLayers(model, inputs), bytesOnDisk: files.bytesOnDisk };
  } finally {
    model.dispose();
  }
}

async function originalOutputs(modelJsonPath: string, inputs: tf.Tensor): Promise<tf.Tensor2D> {
  const files = readModelFiles(modelJsonPath);
  if (files.format === "graph-model") {
    const graph = graphCompressionTarget(files);
    try {
      return await predictGraph(graphModelArtifacts(files.weights, graph.graphModel), inputs);
    } finally {
      graph.dispose();
    }
  }
  const { model } = await loadLayersModelFiles(modelJsonPath);
  try {
    return await predictLayers(model, inputs);
  } finally {
    model.dispose();
  }
}

/** uint8 shards as tfjs-converter --quantize_uint8 writes them: 1 byte per float32 parameter, 4 per int32, plus model.json. */
function uint8ShardBytes(modelJsonPath: string): number {
  const files = readModelFiles(modelJsonPath);
  if (files.quantizedWeights.size === files.weights.size) return files.bytesOnDisk;
  const json = files.bytesOnDisk - [...files.weights].reduce((s, w) => s + w.tensor.data.length * 4, 0);
  return json + [...files.weights].reduce((s, w) => s + w.tensor.data.length * (w.tensor.dtype === "float32" ? 1 : 4), 0);
}

const engine = await initEngine({ log: () => {} });
const mnistTest = loadMnist({ split: "test" });
const photos = realPhotoInputs(PHOTOS, 224, perPhoto);
const cases: ModelCase[] = [
  { name: "nsfwjs mobilenet_v2_mid (graph)", modelJsonPath: writeNsfwjsModel("mobilenet_v2_mid", join(workspace, "mid")), inputs: photos },
  { name: "nsfwjs mobilenet_v2 (layers)", modelJsonPath: writeNsfwjsModel("mobilenet_v2", join(workspace, "v2")), inputs: photos },
  {
    name: "LeNet-300-100",
    modelJsonPath: await lenetModel("lenet-300-100", 2),
    inputs: tf.tensor2d(mnistTest.images, [mnistTest.count, 784]),
    labels: mnistTest.labels,
  },
  {
    name: "LeNet-5",
    modelJsonPath: await lenetModel("lenet-5", 1),
    inputs: tf.tensor4d(mnistTest.images, [mnistTest.count, 28, 28, 1]),
    labels: mnistTest.labels,
  },
];

const plans: [string, CompressionPlan][] = [
  ...[8, 7, 6, 5, 4].map((bits) => [`safe ${bits}-bit`, safePlan(bits)] as [string, CompressionPlan]),
  ["paper (one-shot)", defaultPlan],
];

// DCNPI_BENCH_MODELS=LeNet runs only the models whose name contains it.
const only = process.env["DCNPI_BENCH_MODELS"];
const rows: Record<string, string | number>[] = [];
for (const c of cases.filter((m) => only === undefined || m.name.includes(only))) {
  const reference = await originalOutputs(c.modelJsonPath, c.inputs);
  const float32Bytes = [...readModelFiles(c.modelJsonPath).weights].reduce((s, w) => s + w.tensor.data.length * 4, 0);
  const uint8Bytes = uint8ShardBytes(c.modelJsonPath);
  const accuracy = (outputs: tf.Tensor2D) =>
    c.labels === undefined
      ? ""
      : (100 * agreement(outputs, tf.cast(tf.oneHot(tf.tensor1d(c.labels, "int32"), 10), "float32") as tf.Tensor2D).top1).toFixed(2);
  const row = (plan: string, bytes: number, top1: number, cosine: number, accuracyPercent: string) =>
    rows.push({
      model: c.name,
      plan,
      bytes,
      "x float32": (float32Bytes / bytes).toFixed(2),
      "x uint8": (uint8Bytes / bytes).toFixed(2),
      "top-1 agree %": (100 * top1).toFixed(2),
      "min cosine": cosine.toFixed(4),
      "accuracy %": accuracyPercent,
    });
  row("float32", float32Bytes, 1, 1, accuracy(reference));
  row(c.labels === undefined ? "uint8 shards (as shipped)" : "uint8 shards (1 B/weight, computed)", uint8Bytes, NaN, NaN, "");
  for (const [planName, plan] of plans) {
    const { report, outputs } = await compressed(c.modelJsonPath, plan, c.inputs);
    const { top1, cosine } = agreement(reference, outputs);
    const bytes = report.totals.onDisk.fileBytes;
    row(planName, bytes, top1, cosine, accuracy(outputs));
    outputs.dispose();
    console.error(`${c.name} / ${planName}: ${bytes} B, agreement ${(100 * top1).toFixed(2)}%`);
  }
  reference.dispose();
}

printTable(`one-shot plans without data (backend ${engine.backend}; ${photos.shape[0]} photo windows, 10,000 MNIST test images)`, rows);
console.log(
  `wrote ${recordBenchResult("default-plan", { backend: engine.backend, photoWindows: photos.shape[0], rows, machine: machineInfo() })}`,
);
