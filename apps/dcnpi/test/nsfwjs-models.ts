/**
 * The two models nsfwjs 4.4.0 (MIT, a dev dependency) ships, written out as the model.json + binary
 * shards tfjs-converter made them (nsfwjs bundles each file as a UMD module: model.json as an object,
 * each shard as a base64 string). `mobilenet_v2_mid` is a graph model (`_FusedConv2D`,
 * `FusedDepthwiseConv2dNative`, `_FusedMatMul`, uint8 shards), `mobilenet_v2` a Keras layers model
 * (Conv2D, DepthwiseConv2D, BatchNormalization, Dense, uint8 shards). Both take 224x224 RGB scaled to
 * [0, 1] and give 5 classes (Drawing, Hentai, Neutral, Porn, Sexy).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export type NsfwjsModel = "mobilenet_v2" | "mobilenet_v2_mid";

const require = createRequire(import.meta.url);

/** Writes the model into `dir` (model.json + shards, byte for byte as converted); returns model.json's path. */
export function writeNsfwjsModel(model: NsfwjsModel, dir: string): string {
  // nsfwjs's exports map hides dist/models; its main entry is dist/cjs/index.js.
  const modelsDir = join(dirname(require.resolve("nsfwjs")), "..", "models", model);
  const json = require(join(modelsDir, "model.min.js")) as { weightsManifest: { paths: string[] }[] };
  mkdirSync(dir, { recursive: true });
  for (const shard of json.weightsManifest.flatMap((g) => g.paths)) {
    writeFileSync(join(dir, shard), Buffer.from(require(join(modelsDir, `${shard}.min.js`)) as string, "base64"));
  }
  writeFileSync(join(dir, "model.json"), JSON.stringify(json));
  return join(dir, "model.json");
}
