/**
 * Real photographs for measuring image models: the JPEG test photos @jimp/test-utils 1.6.1 ships
 * (MIT; cops.jpg 640x426, fillbytes.jpg 704x576, hands.jpg 2376x1408, panoramic.jpg 10000x783),
 * decoded by jpeg-js 0.4.4 and cut into square windows at three scales (side = the short edge, 1/2
 * and 1/3 of it, stride half a side), each resized to `size` x `size` bilinearly and scaled to
 * [0, 1] as nsfwjs does. Deterministic: the same windows in the same order every run.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import jpeg from "jpeg-js";

export const PHOTOS = ["cops", "fillbytes", "hands", "panoramic"] as const;
export type Photo = (typeof PHOTOS)[number];

const require = createRequire(import.meta.url);

function decodePhoto(photo: Photo): { width: number; height: number; data: Uint8Array } {
  const file = join(dirname(require.resolve("@jimp/test-utils/package.json")), "images", `${photo}.jpg`);
  return jpeg.decode(readFileSync(file), { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 100, maxMemoryUsageInMB: 1024 });
}

/** Square windows of one photo as [n, size, size, 3] float32 in [0, 1]; at most `limit` of them, evenly spread. */
export function photoWindows(photo: Photo, size: number, limit = Infinity): tf.Tensor4D {
  const { width, height, data } = decodePhoto(photo);
  const boxes: number[][] = [];
  const short = Math.min(width, height);
  for (const fraction of [1, 1 / 2, 1 / 3]) {
    const side = Math.floor(short * fraction);
    const stride = Math.max(1, Math.floor(side / 2));
    for (let y = 0; y + side <= height; y += stride) {
      for (let x = 0; x + side <= width; x += stride) {
        boxes.push([y / (height - 1), x / (width - 1), (y + side - 1) / (height - 1), (x + side - 1) / (width - 1)]);
      }
    }
  }
  const step = boxes.length / Math.min(limit, boxes.length);
  const chosen = Array.from({ length: Math.min(limit, boxes.length) }, (_, i) => boxes[Math.floor(i * step)]!);
  return tf.tidy(() => {
    const image = tf.div(tf.cast(tf.tensor4d(data, [1, height, width, 3], "int32"), "float32"), 255);
    return tf.image.cropAndResize(image as tf.Tensor4D, chosen, new Array(chosen.length).fill(0), [size, size], "bilinear");
  });
}

/** Windows of several photos, concatenated in the order given. */
export function realPhotoInputs(photos: readonly Photo[], size: number, limitPerPhoto = Infinity): tf.Tensor4D {
  const parts = photos.map((p) => photoWindows(p, size, limitPerPhoto));
  const all = tf.concat4d(parts, 0);
  tf.dispose(parts);
  return all;
}
