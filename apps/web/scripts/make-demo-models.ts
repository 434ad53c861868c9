/**
 * Regenerates the demo models in public/models and their provenance (public/models/provenance.json):
 *
 *   npx --yes pnpm@12.4.2 --filter @dcnpi/web models [--run <repro run dir>] [--npi <addition.dcnpi>] [--npi-command "<how it was made>"] [--npi-commit <sha>]
 *
 * - lenet-300-100.dcnpi: the repro's compressed LeNet-300-100, copied byte for byte
 *   (`npx --yes pnpm@12.4.2 repro`, seed 1: results/dc-lenet-300-100-quick-seed1/).
 * - lenet-300-100-dense/: the dense model that run pruned (its last dense-training epoch, the
 *   checkpoint in stages/lenet-300-100.dense-NN/), as tfjs float32 shards with the .dcnpi's own
 *   topology. 1.07 MB: the one committed binary of that size, kept because "beside the dense one"
 *   is the comparison the page exists for, and its float32 shards are the baseline the benchmarks
 *   price (quantizing it would make it another model).
 * - addition.dcnpi: the compressed addition NPI of `npi compress`, copied byte for byte.
 *
 * Both LeNets' top-1 errors on the 10,000 MNIST test images are measured here (Node, cpu backend) and
 * recorded, so the page's models are known to be the repro's.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeJsonAtomic } from "@dcnpi/base/node";
import { loadMnist } from "@dcnpi/datasets";
import { loadCompressed, loadLayersModelFiles, readCompressedWeights, writeModelFiles } from "@dcnpi/deep-compression/node";
import { WeightMap, tensor } from "@dcnpi/tensor";
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { z } from "zod";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const repoDir = resolve(appDir, "../..");
const modelsDir = join(appDir, "public/models");

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return resolve(process.env["INIT_CWD"] ?? process.cwd(), i >= 0 ? process.argv[i + 1]! : fallback);
}
const runDir = flag("run", join(repoDir, "results/dc-lenet-300-100-quick-seed1"));
const npiFile = flag("npi", "results/npi-trainer/compressed/addition.dcnpi");
const npiCommitIndex = process.argv.indexOf("--npi-commit");
const npiCommit = npiCommitIndex >= 0 ? process.argv[npiCommitIndex + 1]! : null;
const npiCommandIndex = process.argv.indexOf("--npi-command");
/** How the NPI file was made, recorded as given (the .dcnpi itself records its checkpoint and training set). */
const npiCommand =
  npiCommandIndex >= 0
    ? process.argv[npiCommandIndex + 1]!
    : "npx --yes pnpm@12.4.2 npi train --task addition --seed 1 --out <checkpoint> && " +
      "npx --yes pnpm@12.4.2 npi compress <checkpoint> -o addition.dcnpi --seed 1";

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

const checkpointSchema = z.object({
  kind: z.literal("dcnpi/repro-checkpoint"),
  version: z.literal(1),
  tensors: z.array(
    z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), offset: z.number().int(), length: z.number().int() }),
  ),
});
const runMetadataSchema = z
  .object({ command: z.string(), seed: z.number(), gitCommit: z.string(), gitDirty: z.boolean(), finished: z.boolean() })
  .passthrough();

function testError(model: LayersModel): number {
  const test = loadMnist({ split: "test" });
  const predicted = tf.tidy(() => tf.argMax(model.predict(tf.tensor2d(test.images, [test.count, 784])) as tf.Tensor, -1).dataSync());
  let wrong = 0;
  for (let i = 0; i < test.count; i++) if (predicted[i] !== test.labels[i]) wrong++;
  return wrong / test.count;
}

async function main(): Promise<void> {
  await tf.setBackend("cpu");
  const provenance: Record<string, unknown> = {
    kind: "dcnpi/web-demo-models",
    version: 1,
    regenerate: "npx --yes pnpm@12.4.2 --filter @dcnpi/web models [--run <repro run dir>] [--npi <addition.dcnpi>]",
    models: {},
  };
  const models = provenance["models"] as Record<string, unknown>;

  // LeNet-300-100, compressed and dense, from one repro run.
  const run = runMetadataSchema.parse(JSON.parse(readFileSync(join(runDir, "metadata.json"), "utf8")));
  if (!run.finished) throw new Error(`${runDir}: the repro run has not finished`);
  const compressedSource = join(runDir, "lenet-300-100.dcnpi");
  const compressedTarget = join(modelsDir, "lenet-300-100.dcnpi");
  copyFileSync(compressedSource, compressedTarget);
  const denseStage = readdirSync(join(runDir, "stages"))
    .filter((d) => /^lenet-300-100\.dense-\d+$/.test(d))
    .sort()
    .pop();
  if (denseStage === undefined) throw new Error(`${runDir}: no dense-training stage`);
  const checkpointDir = join(runDir, "stages", denseStage);
  const index = checkpointSchema.parse(JSON.parse(readFileSync(join(checkpointDir, "model.json"), "utf8")));
  const bin = readFileSync(join(checkpointDir, "model.bin"));
  const { metadata } = await readCompressedWeights(compressedTarget);
  const weights = new WeightMap();
  for (const name of metadata.weightOrder) {
    const record = index.tensors.find((t) => t.name === name);
    if (record === undefined) throw new Error(`${checkpointDir}: no tensor ${name}`);
    const data = new Float32Array(bin.buffer.slice(bin.byteOffset + record.offset, bin.byteOffset + record.offset + record.length));
    weights.add(name, tensor(record.shape, data, name));
  }
  const denseDir = join(modelsDir, "lenet-300-100-dense");
  writeModelFiles(denseDir, metadata.modelTopology!, weights);

  const compressedModel = await loadCompressed(compressedTarget);
  const { model: denseModel } = await loadLayersModelFiles(join(denseDir, "model.json"));
  const common = {
    command: "npx --yes pnpm@12.4.2 repro",
    seed: run.seed,
    commit: run.gitCommit,
    treeDirty: run.gitDirty,
    runDirectory: basename(runDir),
  };
  models["lenet-300-100.dcnpi"] = {
    ...common,
    source: "lenet-300-100.dcnpi of the run, copied byte for byte",
    bytes: readFileSync(compressedTarget).length,
    sha256: sha256(compressedTarget),
    mnistTestError: testError(compressedModel),
  };
  models["lenet-300-100-dense"] = {
    ...common,
    source:
      `stages/${denseStage}/model.{json,bin} of the run (the last dense epoch, the model the run then pruned), ` +
      "written as tfjs float32 shards with the .dcnpi's topology",
    files: Object.fromEntries(
      ["model.json", "weights.bin"].map((f) => [f, { bytes: readFileSync(join(denseDir, f)).length, sha256: sha256(join(denseDir, f)) }]),
    ),
    mnistTestError: testError(denseModel),
  };
  compressedModel.dispose();
  denseModel.dispose();

  // The addition NPI.
  if (existsSync(npiFile)) {
    const target = join(modelsDir, "addition.dcnpi");
    copyFileSync(npiFile, target);
    const compressReport = npiFile.replace(/\.dcnpi$/, ".compress.json");
    const { metadata: npiMetadata } = await readCompressedWeights(target);
    models["addition.dcnpi"] = {
      command: npiCommand,
      commit: npiCommit,
      source: `${npiFile}, copied byte for byte`,
      npi: (npiMetadata.user as { source?: unknown; trainingSet?: unknown } | undefined) ?? null,
      compressReport: existsSync(compressReport) ? basename(compressReport) : null,
      bytes: readFileSync(target).length,
      sha256: sha256(target),
    };
  } else {
    console.warn(`${npiFile}: not found; public/models/addition.dcnpi left as it is`);
    const previous = join(modelsDir, "provenance.json");
    if (existsSync(previous)) {
      const old = JSON.parse(readFileSync(previous, "utf8")) as { models?: Record<string, unknown> };
      if (old.models?.["addition.dcnpi"] !== undefined) models["addition.dcnpi"] = old.models["addition.dcnpi"];
    }
  }
  writeJsonAtomic(join(modelsDir, "provenance.json"), provenance);
  console.log(`wrote ${relative(repoDir, modelsDir)}: ${Object.keys(models).join(", ")}`);
}

await main();
