/**
 * The benchmark's models, each in three forms a page could download: the `.dcnpi` file, tfjs float32
 * shards and tfjs uint8 shards (bench/uint8-shards.ts), with their sizes raw and gzipped (what a server
 * would send with `Content-Encoding: gzip`, zlib level 6). Written under `<out>/<model>/`.
 *
 * - lenet-300-100: the demo models of public/models (the repro's, seed 1).
 * - lenet-5: a `repro deep-compression --model lenet-5` run directory (its .dcnpi and its last dense
 *   checkpoint); skipped when there is none.
 * - conv-2m: LeNet-5 with ip1 widened to 2,500 units (2.05 M parameters; not a paper model), trained
 *   and compressed with the paper's LeNet-5 plan and retraining by apps/repro's conv-2m.ts: its
 *   `conv-2m.dcnpi` and its last dense checkpoint; skipped when no run is given.
 * - npi-addition: public/models/addition.dcnpi and the dense checkpoint it was compressed from.
 * - mobilenet-v2: the MobileNetV2 that nsfwjs 4.4.0 ships (MIT; 2.6 M parameters, Keras layers
 *   model, stored by tfjs-converter as uint8 shards): those shards as shipped, their float32
 *   dequantization, and `dcnpi compress` of it with the default plan (one-shot, no data: no
 *   retraining, so its accuracy is not claimed; bytes and speed are what is measured).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { readCompressedWeights, readModelFiles } from "@dcnpi/deep-compression/node";
import { readCheckpoint } from "@dcnpi/npi-core/node";
import { createNpiModel } from "@dcnpi/npi-core/tfjs";
import { additionTask } from "@dcnpi/npi-envs";
import type { Task } from "@dcnpi/npi-core";
import { WeightMap, tensor } from "@dcnpi/tensor";
import { shardFiles } from "./uint8-shards.js";

export interface FormatSize {
  readonly path: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface BenchModel {
  readonly name: string;
  readonly kind: "layers" | "npi";
  readonly parameters: number;
  readonly inputShape: number[];
  readonly formats: { dcnpi: FormatSize; float32: FormatSize; uint8: FormatSize };
  readonly note: string;
}

const sizeOf = (root: string, paths: string[]): FormatSize => {
  const bytes = paths.map((p) => readFileSync(join(root, p)));
  return {
    path: paths[0]!,
    bytes: bytes.reduce((n, b) => n + b.length, 0),
    gzipBytes: bytes.reduce((n, b) => n + gzipSync(b, { level: 6 }).length, 0),
  };
};

function writeForms(out: string, name: string, dcnpi: Uint8Array, weights: WeightMap, topology: unknown): BenchModel["formats"] {
  const dir = join(out, name);
  for (const form of ["float32", "uint8"]) mkdirSync(join(dir, form), { recursive: true });
  writeFileSync(join(dir, "model.dcnpi"), dcnpi);
  for (const [form, quantize] of [
    ["float32", false],
    ["uint8", true],
  ] as const) {
    const files = shardFiles(weights, topology, quantize);
    writeFileSync(join(dir, form, "model.json"), files.modelJson);
    writeFileSync(join(dir, form, "weights.bin"), files.weights);
  }
  return {
    dcnpi: sizeOf(out, [`${name}/model.dcnpi`]),
    float32: sizeOf(out, [`${name}/float32/model.json`, `${name}/float32/weights.bin`]),
    uint8: sizeOf(out, [`${name}/uint8/model.json`, `${name}/uint8/weights.bin`]),
  };
}

const parameterCount = (weights: WeightMap) => [...weights].reduce((n, w) => n + w.tensor.data.length, 0);

/** The repro's checkpoint format (apps/repro/src/deep-compression/checkpoint.ts): tensors by name in one .bin. */
function readReproCheckpoint(dir: string, names: readonly string[]): WeightMap {
  const index = JSON.parse(readFileSync(join(dir, "model.json"), "utf8")) as {
    tensors: { name: string; shape: number[]; offset: number; length: number }[];
  };
  const bin = readFileSync(join(dir, "model.bin"));
  const weights = new WeightMap();
  for (const name of names) {
    const r = index.tensors.find((t) => t.name === name);
    if (r === undefined) throw new Error(`${dir}: no tensor ${name}`);
    weights.add(
      name,
      tensor(r.shape, new Float32Array(bin.buffer.slice(bin.byteOffset + r.offset, bin.byteOffset + r.offset + r.length)), name),
    );
  }
  return weights;
}

async function lenetFromRun(out: string, name: string, model: string, dcnpiPath: string, runDir: string): Promise<BenchModel> {
  const { metadata } = await readCompressedWeights(dcnpiPath);
  const stage = readdirSync(join(runDir, "stages"))
    .filter((d) => new RegExp(`^${model}\\.dense-\\d+$`).test(d))
    .sort()
    .pop()!;
  const weights = readReproCheckpoint(join(runDir, "stages", stage), metadata.weightOrder);
  const formats = writeForms(out, name, readFileSync(dcnpiPath), weights, metadata.modelTopology);
  return {
    name,
    kind: "layers",
    parameters: parameterCount(weights),
    inputShape: model === "lenet-300-100" ? [1, 784] : [1, 28, 28, 1],
    formats,
    note: `dense: ${stage} of ${runDir.split("/").pop()}`,
  };
}

export async function prepareBenchModels(
  out: string,
  options: { lenet5Run?: string; conv2mRun?: string; npiCheckpoint?: string },
): Promise<BenchModel[]> {
  const appDir = resolve(dirname(new URL(import.meta.url).pathname), "..");
  const models: BenchModel[] = [];
  const publicModels = join(appDir, "public/models");

  // LeNet-300-100: the demo models.
  const lenetDense = readModelFiles(join(publicModels, "lenet-300-100-dense/model.json"));
  const lenetFormats = writeForms(
    out,
    "lenet-300-100",
    readFileSync(join(publicModels, "lenet-300-100.dcnpi")),
    lenetDense.weights,
    lenetDense.modelJson.modelTopology,
  );
  models.push({
    name: "lenet-300-100",
    kind: "layers",
    parameters: parameterCount(lenetDense.weights),
    inputShape: [1, 784],
    formats: lenetFormats,
    note: "the demo models",
  });

  // LeNet-5 from a repro run.
  const lenet5 = options.lenet5Run;
  // The run's file, or its compress stage's copy (written before the run's figure sweeps finish).
  const lenet5File =
    lenet5 === undefined
      ? undefined
      : [join(lenet5, "lenet-5.dcnpi"), join(lenet5, "stages/lenet-5.compress/lenet-5.dcnpi")].find((f) => existsSync(f));
  if (lenet5 !== undefined && lenet5File !== undefined) models.push(await lenetFromRun(out, "lenet-5", "lenet-5", lenet5File, lenet5));
  else console.warn(`lenet-5: no compressed LeNet-5 in ${lenet5 ?? "(no run given)"}; skipped`);

  // The ≥ 2 M-parameter convolutional model compressed with retraining (apps/repro conv-2m.ts).
  const conv2m = options.conv2mRun;
  if (conv2m !== undefined && existsSync(join(conv2m, "conv-2m.dcnpi")))
    models.push(await lenetFromRun(out, "conv-2m", "conv-2m", join(conv2m, "conv-2m.dcnpi"), conv2m));
  else console.warn(`conv-2m: no conv-2m.dcnpi in ${conv2m ?? "(no run given)"}; skipped`);

  // The addition NPI: .dcnpi and the dense checkpoint it came from (parameters named as in the file).
  const npiFile = join(publicModels, "addition.dcnpi");
  const { metadata: npiMetadata } = await readCompressedWeights(npiFile);
  const user = npiMetadata.user as { model: { config: object } };
  let npiWeights: WeightMap;
  let npiNote: string;
  if (options.npiCheckpoint !== undefined && existsSync(options.npiCheckpoint)) {
    const checkpoint = readCheckpoint(options.npiCheckpoint);
    const model = createNpiModel({ tasks: [additionTask as Task], config: user.model.config, seed: 0 });
    model.setWeights(checkpoint.weights, { complete: true });
    npiWeights = new WeightMap();
    for (const p of model.parameters())
      npiWeights.add(p.name, tensor([...p.variable.shape], Float32Array.from(p.variable.dataSync() as Float32Array), p.name));
    model.dispose();
    npiNote = `dense: ${options.npiCheckpoint} (step ${checkpoint.step})`;
  } else {
    // Without the checkpoint, the decoded weights stand in: same bytes raw, but they gzip far better than trained float32.
    npiWeights = (await readCompressedWeights(npiFile)).weights;
    npiNote = "dense: decoded from the .dcnpi (no checkpoint given): its gzip sizes flatter float32";
  }
  const npiFormats = writeForms(out, "npi-addition", readFileSync(npiFile), npiWeights, undefined);
  writeFileSync(join(out, "npi-addition", "description.json"), JSON.stringify(npiMetadata.user));
  models.push({
    name: "npi-addition",
    kind: "npi",
    parameters: parameterCount(npiWeights),
    inputShape: [],
    formats: npiFormats,
    note: npiNote,
  });

  // MobileNetV2 from nsfwjs: the uint8 shards as shipped (browserified modules: model JSON, base64 shard).
  const require = createRequire(import.meta.url);
  // nsfwjs's exports map hides its files; the dev dependency's folder is linked into this app's node_modules.
  const nsfwModels = join(realpathSync(join(appDir, "node_modules/nsfwjs")), "dist/models/mobilenet_v2");
  const modelJson = require(join(nsfwModels, "model.min.js")) as {
    modelTopology: unknown;
    weightsManifest: { paths: string[]; weights: object[] }[];
  };
  const shard = Buffer.from(require(join(nsfwModels, "group1-shard1of1.min.js")) as string, "base64");
  const mobileDir = join(out, "mobilenet-v2");
  mkdirSync(join(mobileDir, "uint8"), { recursive: true });
  writeFileSync(
    join(mobileDir, "uint8", "model.json"),
    JSON.stringify({
      format: "layers-model",
      modelTopology: modelJson.modelTopology,
      weightsManifest: [{ paths: ["weights.bin"], weights: modelJson.weightsManifest[0]!.weights }],
    }),
  );
  writeFileSync(join(mobileDir, "uint8", "weights.bin"), shard);
  const mobile = readModelFiles(join(mobileDir, "uint8", "model.json"));
  mkdirSync(join(mobileDir, "float32"), { recursive: true });
  const float32 = shardFiles(mobile.weights, mobile.modelJson.modelTopology, false);
  writeFileSync(join(mobileDir, "float32", "model.json"), float32.modelJson);
  writeFileSync(join(mobileDir, "float32", "weights.bin"), float32.weights);
  const repo = resolve(appDir, "../..");
  if (!existsSync(join(mobileDir, "model.dcnpi")))
    execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=@dcnpi/source",
        join(repo, "apps/dcnpi/src/cli.ts"),
        "compress",
        join(mobileDir, "uint8/model.json"),
        "-o",
        join(mobileDir, "model.dcnpi"),
        "--seed",
        "1",
      ],
      { cwd: repo, stdio: ["ignore", "ignore", "inherit"] },
    );
  models.push({
    name: "mobilenet-v2",
    kind: "layers",
    parameters: parameterCount(mobile.weights),
    inputShape: [1, 224, 224, 3],
    formats: {
      dcnpi: sizeOf(out, ["mobilenet-v2/model.dcnpi"]),
      float32: sizeOf(out, ["mobilenet-v2/float32/model.json", "mobilenet-v2/float32/weights.bin"]),
      uint8: sizeOf(out, ["mobilenet-v2/uint8/model.json", "mobilenet-v2/uint8/weights.bin"]),
    },
    note: "nsfwjs 4.4.0's MobileNetV2 (uint8 as shipped); .dcnpi: dcnpi compress, default plan, one-shot (accuracy not measured)",
  });
  return models;
}
