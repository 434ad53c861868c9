/**
 * For the graph-model round trip: the graph model nsfwjs 4.4.0 (MIT, a dev dependency) ships,
 * `mobilenet_v2_mid` (4.3 M parameters, 108 uint8-quantized weights; 224x224 RGB in [0, 1] → 5
 * classes), written out as the converter made it; and real photographs to feed it, the JPEGs
 * @jimp/test-utils 1.6.1 ships, decoded by jpeg-js 0.4.4. The same model and windows as
 * packages/deep-compression's graph tests (test/nsfwjs-models.ts, test/real-photos.ts there; the
 * boundaries check keeps apps from importing another package's files by path, hence this copy).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import jpeg from "jpeg-js";

const require = createRequire(import.meta.url);

/** Writes mobilenet_v2_mid into `dir` (model.json + shards, byte for byte as converted); returns model.json's path. */
export function writeNsfwjsGraphModel(dir: string): string {
  // nsfwjs bundles each file as a UMD module (model.json as an object, each shard as a base64 string);
  // its exports map hides dist/models, its main entry is dist/cjs/index.js.
  const modelsDir = join(dirname(require.resolve("nsfwjs")), "..", "models", "mobilenet_v2_mid");
  const modelJson = require(join(modelsDir, "model.min.js")) as { weightsManifest: { paths: string[] }[] };
  mkdirSync(dir, { recursive: true });
  for (const group of modelJson.weightsManifest) {
    for (const shard of group.paths) {
      writeFileSync(join(dir, shard), Buffer.from(require(join(modelsDir, `${shard}.min.js`)) as string, "base64"));
    }
  }
  const path = join(dir, "model.json");
  writeFileSync(path, JSON.stringify(modelJson));
  return path;
}

/**
 * `count` square windows of a photo (sides: the short edge, 1/2 and 1/3 of it; stride half a side; evenly spread), each
 * resized to `size` x `size` bilinearly and scaled to [0, 1] as nsfwjs does: [count, size, size, 3].
 */
export function photoWindows(photo: "cops" | "fillbytes", size: number, count: number): tf.Tensor4D {
  const file = join(dirname(require.resolve("@jimp/test-utils/package.json")), "images", `${photo}.jpg`);
  const { width, height, data } = jpeg.decode(readFileSync(file), { useTArray: true, formatAsRGBA: false });
  const boxes: number[][] = [];
  for (const fraction of [1, 1 / 2, 1 / 3]) {
    const side = Math.floor(Math.min(width, height) * fraction);
    const stride = Math.max(1, Math.floor(side / 2));
    for (let y = 0; y + side <= height; y += stride) {
      for (let x = 0; x + side <= width; x += stride) {
        boxes.push([y / (height - 1), x / (width - 1), (y + side - 1) / (height - 1), (x + side - 1) / (width - 1)]);
      }
    }
  }
  const step = boxes.length / Math.min(count, boxes.length);
  const chosen = Array.from({ length: Math.min(count, boxes.length) }, (_, i) => boxes[Math.floor(i * step)]!);
  return tf.tidy(() => {
    const image = tf.div(tf.cast(tf.tensor4d(data, [1, height, width, 3], "int32"), "float32"), 255);
    return tf.image.cropAndResize(image as tf.Tensor4D, chosen, new Array(chosen.length).fill(0), [size, size], "bilinear");
  });
}
