/**
 * Reads example inputs from disk in the formats a user has: a folder of images (ImageFolder
 * convention: one subfolder per class gives labels; images straight in the folder are unlabelled),
 * a `.npy` array or an IDX file (optionally with a labels file of the same kind).
 */
import { readdirSync, readFileSync, statSync, type Stats } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { Rng } from "@dcnpi/tensor";
import { arrayToExamples, arrayToLabels } from "../array-examples.js";
import { decodeImage } from "../decode-image.js";
import { ExampleDataError } from "../errors.js";
import { selectExamples, type ExampleSet } from "../example-set.js";
import { isIdx, parseIdxArray } from "../idx.js";
import { imageToInput } from "../image-input.js";
import { isNpy, parseNpy } from "../npy.js";
import type { NumericArray } from "../numeric-array.js";
import type { Preprocessing } from "../preprocess.js";

export interface ReadExampleDataOptions {
  /** The model's input shape without the batch axis; null for a dimension it does not fix. */
  readonly inputShape: readonly (number | null)[];
  readonly preprocessing?: Preprocessing;
  /** A .npy or IDX file of class indices for an array `path` (image folders take labels from subfolders). */
  readonly labels?: string | undefined;
  /**
   * For an array `path`: a text file naming each example's group, one line per example in file order
   * (the video or photo it comes from), carried as the examples' `names`. Image folders name their
   * examples by file and refuse it.
   */
  readonly groups?: string | undefined;
  /** Use this many examples at most, drawn without replacement by `seed` (the order is kept). */
  readonly limit?: number | undefined;
  readonly seed?: number;
}

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg"]);
/** Larger array files are refused before reading (1 GiB; the data is also converted to float32). */
export const MAX_ARRAY_FILE_BYTES = 1024 ** 3;

function stat(path: string): Stats {
  try {
    return statSync(path);
  } catch (error) {
    throw new ExampleDataError("UNREADABLE", `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function readBytes(path: string, limit: number): Uint8Array {
  const info = stat(path);
  if (!info.isFile()) throw new ExampleDataError("UNREADABLE", `${path}: not a regular file`);
  if (info.size > limit) throw new ExampleDataError("LIMIT_EXCEEDED", `${path}: ${info.size} bytes is over the limit of ${limit}`);
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ExampleDataError("UNREADABLE", `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function readArray(path: string): NumericArray {
  const bytes = readBytes(path, MAX_ARRAY_FILE_BYTES);
  if (isNpy(bytes)) return parseNpy(bytes, path);
  if (isIdx(bytes)) return parseIdxArray(bytes, path);
  throw new ExampleDataError("BAD_FORMAT", `${path}: not a folder of images, a .npy array or an IDX file`);
}

/** Which examples to keep: all, or `limit` of them drawn by `seed`, in their original order. */
function chosen(count: number, limit: number | undefined, seed: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (limit === undefined || limit >= count) return all;
  if (!Number.isInteger(limit) || limit < 1)
    throw new ExampleDataError("INVALID_OPTION", `--data-limit must be a positive integer, got ${limit}`);
  const order = Rng.fromSeed(seed).fork("example-data:limit").permutation(count);
  return Array.from(order.subarray(0, limit)).sort((a, b) => a - b);
}

function listDirectory(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => !name.startsWith("."))
      .sort();
  } catch (error) {
    throw new ExampleDataError("UNREADABLE", `${dir}: cannot list (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** The image files of an ImageFolder directory with their class index (-1: unlabelled) and the class names. */
function imageFolderFiles(dir: string): { files: { path: string; label: number }[]; classNames: string[] | undefined } {
  const entries = listDirectory(dir);
  const folders = entries.filter((name) => stat(join(dir, name)).isDirectory());
  const images = (folder: string) =>
    listDirectory(folder).flatMap((name) => {
      const path = join(folder, name);
      if (stat(path).isDirectory()) return [];
      if (!IMAGE_EXTENSIONS.has(extname(name).toLowerCase()))
        throw new ExampleDataError("UNREADABLE", `${path}: not an image (.png, .jpg, .jpeg are read)`);
      return [path];
    });
  if (folders.length === 0) return { files: images(dir).map((path) => ({ path, label: -1 })), classNames: undefined };
  const stray = entries.filter((name) => !folders.includes(name));
  if (stray.length > 0)
    throw new ExampleDataError(
      "BAD_FORMAT",
      `${join(dir, stray[0]!)}: a file beside class folders (put every image in its class's folder)`,
    );
  const files = folders.flatMap((folder, label) => images(join(dir, folder)).map((path) => ({ path, label })));
  return { files, classNames: folders };
}

function readImageFolder(dir: string, options: ReadExampleDataOptions): ExampleSet {
  const { files, classNames } = imageFolderFiles(dir);
  if (files.length === 0) throw new ExampleDataError("EMPTY", `${dir}: no .png or .jpg images`);
  const preprocessing = options.preprocessing ?? { version: 1 };
  const [height, width, channels] = options.inputShape;
  if (options.inputShape.length !== 3 || channels === null || channels === undefined) {
    throw new ExampleDataError(
      "SHAPE_MISMATCH",
      `${dir}: images need a model input of [height, width, channels], this model takes [${options.inputShape.map((d) => d ?? "?").join(",")}]`,
    );
  }
  const size = preprocessing.size;
  const h = height ?? size?.[0];
  const w = width ?? size?.[1];
  if (h === undefined || w === undefined)
    throw new ExampleDataError("INVALID_OPTION", `${dir}: the model's input size is not fixed; give --image-size HxW`);
  const picked = chosen(files.length, options.limit, options.seed ?? 1);
  const per = h * w * channels;
  const data = new Float32Array(picked.length * per);
  const labels = classNames === undefined ? undefined : new Int32Array(picked.length);
  picked.forEach((index, row) => {
    const file = files[index]!;
    const image = decodeImage(readBytes(file.path, 64 * 1024 * 1024), file.path);
    imageToInput(image, { height: h, width: w, channels }, preprocessing, file.path, data.subarray(row * per, row * per + per));
    if (labels !== undefined) labels[row] = file.label;
  });
  const names = picked.map((index) => relative(dir, files[index]!.path).split(sep).join("/"));
  return { count: picked.length, shape: [h, w, channels], data, labels, classNames, source: dir, names };
}

/** Group files are refused past this size before reading (64 MiB: a line per example). */
const MAX_GROUPS_FILE_BYTES = 64 * 1024 * 1024;

/** One group name per example, from a text file with one line per example (a final empty line is allowed). */
function readGroups(file: string, count: number, dataPath: string): string[] {
  const lines = new TextDecoder("utf-8", { fatal: false }).decode(readBytes(file, MAX_GROUPS_FILE_BYTES)).split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length !== count)
    throw new ExampleDataError(
      "SHAPE_MISMATCH",
      `${file}: ${lines.length} group lines for the ${count} examples of ${dataPath} (one line per example)`,
    );
  const empty = lines.findIndex((line) => line.trim() === "");
  if (empty >= 0) throw new ExampleDataError("INVALID_OPTION", `${file}: line ${empty + 1} names no group`);
  return lines;
}

/**
 * Reads the examples at `path` for a model taking `inputShape`; every problem is an
 * ExampleDataError whose message starts with the offending file.
 */
export function readExampleData(path: string, options: ReadExampleDataOptions): ExampleSet {
  if (stat(path).isDirectory()) {
    if (options.labels !== undefined)
      throw new ExampleDataError("INVALID_OPTION", `--labels ${options.labels}: an image folder takes its labels from its class folders`);
    if (options.groups !== undefined)
      throw new ExampleDataError(
        "INVALID_OPTION",
        `--holdout-groups ${options.groups}: an image folder's examples are named by their files (group them with --holdout-group <regex>)`,
      );
    return readImageFolder(path, options);
  }
  const all = arrayToExamples(readArray(path), options.inputShape, options.preprocessing ?? { version: 1 }, path);
  const labelled =
    options.labels === undefined ? all : { ...all, labels: arrayToLabels(readArray(options.labels), all.count, options.labels) };
  const named = options.groups === undefined ? labelled : { ...labelled, names: readGroups(options.groups, labelled.count, path) };
  const picked = chosen(named.count, options.limit, options.seed ?? 1);
  return picked.length === named.count ? named : selectExamples(named, picked);
}
