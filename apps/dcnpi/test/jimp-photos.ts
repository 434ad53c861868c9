/**
 * The four JPEG photos @jimp/test-utils 1.6.1 ships (cops, fillbytes, hands, panoramic), decoded by
 * @dcnpi/example-data, resized bilinearly to 224 x 224 and scaled to [0, 1] as nsfwjs does:
 * [4, 224, 224, 3] row-major.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { decodeImage } from "@dcnpi/example-data";

const require = createRequire(import.meta.url);

export function jimpPhotos224(): Float32Array {
  const images = join(dirname(require.resolve("@jimp/test-utils/package.json")), "images");
  const batch = tf.tidy(() =>
    tf.concat(
      ["cops", "fillbytes", "hands", "panoramic"].map((name) => {
        const { width, height, rgba } = decodeImage(readFileSync(join(images, `${name}.jpg`)), `${name}.jpg`);
        const rgb = tf.cast(
          tf.slice(tf.tensor4d(Int32Array.from(rgba), [1, height, width, 4], "int32"), [0, 0, 0, 0], [-1, -1, -1, 3]),
          "float32",
        );
        return tf.div(tf.image.resizeBilinear(rgb as tf.Tensor4D, [224, 224]), 255);
      }),
    ),
  );
  const data = batch.dataSync() as Float32Array;
  batch.dispose();
  return data;
}
