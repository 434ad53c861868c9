/**
 * Real photographs as image-model inputs for the benchmarks: square windows of each photo at three
 * scales (side = the short edge, 1/2 and 1/3 of it, stride half a side), resized bilinearly to
 * size x size and rounded to 8-bit RGB, i.e. what a user's folder of PNG crops holds. Decoded with
 * jpeg-js and pngjs (the decoders @dcnpi/example-data uses). Deterministic: the same files give the same
 * windows in the same order.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";

/** Every .jpg/.jpeg/.png under `dir` (recursively), sorted; copies of a picture at another resolution (`name_3840x2160.jpg`) are left out. */
export function listPhotos(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if ([".jpg", ".jpeg", ".png"].includes(extname(entry).toLowerCase()) && !/_\d+x\d+\.[a-z]+$/i.test(entry)) found.push(path);
    }
  };
  walk(dir);
  return found;
}

interface Rgb {
  readonly width: number;
  readonly height: number;
  /** width * height * 3 bytes, row-major. */
  readonly data: Uint8Array;
}

function decodePhoto(path: string): Rgb {
  const bytes = readFileSync(path);
  if (extname(path).toLowerCase() !== ".png")
    return jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 200, maxMemoryUsageInMB: 2048 });
  const png = PNG.sync.read(bytes);
  const data = new Uint8Array(png.width * png.height * 3);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    data[i] = png.data[j]!;
    data[i + 1] = png.data[j + 1]!;
    data[i + 2] = png.data[j + 2]!;
  }
  return { width: png.width, height: png.height, data };
}

/** At most `count` windows of the photo at `path`, evenly spread over all of them, each size*size*3 bytes. */
export function photoWindows(path: string, size: number, count: number): Uint8Array[] {
  const { width, height, data } = decodePhoto(path);
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
  const n = Math.min(count, boxes.length);
  const chosen = Array.from({ length: n }, (_, i) => boxes[Math.floor((i * boxes.length) / n)]!);
  const pixels = tf.tidy(() => {
    const image = tf.cast(tf.tensor4d(data, [1, height, width, 3], "int32"), "float32") as tf.Tensor4D;
    return tf.clipByValue(tf.round(tf.image.cropAndResize(image, chosen, new Array(n).fill(0), [size, size], "bilinear")), 0, 255);
  });
  const values = pixels.dataSync();
  pixels.dispose();
  const per = size * size * 3;
  return Array.from({ length: n }, (_, i) => Uint8Array.from(values.subarray(i * per, (i + 1) * per)));
}

/** One window as an RGB PNG file. */
export function writeWindowPng(path: string, rgb: Uint8Array, size: number): void {
  const png = new PNG({ width: size, height: size });
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    png.data[j] = rgb[i]!;
    png.data[j + 1] = rgb[i + 1]!;
    png.data[j + 2] = rgb[i + 2]!;
    png.data[j + 3] = 255;
  }
  writeFileSync(path, PNG.sync.write(png));
}
