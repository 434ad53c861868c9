import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { encodeNpy } from "../npy.js";
import { firstDigits, mnistImagesFile, mnistLabelsFile } from "../test-mnist.js";
import { readExampleData } from "./read-example-data.js";

const scratch = mkdtempSync(join(tmpdir(), "example-data-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A real MNIST digit as an RGBA image of its own size (gray in all three channels). */
function digitRgba(pixels: Uint8Array, index: number): Buffer {
  const rgba = Buffer.alloc(28 * 28 * 4);
  for (let p = 0; p < 784; p++) {
    const v = pixels[index * 784 + p]!;
    rgba.set([v, v, v, 255], p * 4);
  }
  return rgba;
}

function png(rgba: Buffer, width = 28, height = 28): Buffer {
  const image = new PNG({ width, height });
  rgba.copy(image.data);
  return PNG.sync.write(image);
}

function digitFolder(name: string, count: number, format: "png" | "jpeg" = "png"): { dir: string; pixels: Uint8Array; labels: Uint8Array } {
  const { pixels, labels } = firstDigits(count);
  const dir = join(scratch, name);
  for (let i = 0; i < count; i++) {
    const classDir = join(dir, `digit-${labels[i]}`);
    mkdirSync(classDir, { recursive: true });
    const rgba = digitRgba(pixels, i);
    const bytes = format === "png" ? png(rgba) : Buffer.from(jpeg.encode({ data: rgba, width: 28, height: 28 }, 95).data);
    writeFileSync(join(classDir, `${String(i).padStart(3, "0")}.${format === "png" ? "png" : "jpg"}`), bytes);
  }
  return { dir, pixels, labels };
}

describe("readExampleData", () => {
  it("reads an ImageFolder of real MNIST digits: class folders give labels, pixels equal the IDX bytes / 255", () => {
    const { dir, pixels, labels } = digitFolder("png-digits", 20);
    const set = readExampleData(dir, { inputShape: [28, 28, 1] });
    expect(set.count).toBe(20);
    expect(set.shape).toEqual([28, 28, 1]);
    const classNames = [...new Set(labels)].sort().map((l) => `digit-${l}`);
    expect(set.classNames).toEqual(classNames);
    // Files are read class by class; each example's label names the folder its digit came from.
    const byLabel = new Map<number, number[]>();
    labels.forEach((l, i) => byLabel.set(l, [...(byLabel.get(l) ?? []), i]));
    const order = classNames.flatMap((name) => byLabel.get(Number(name.slice(6)))!);
    order.forEach((source, row) => {
      expect(set.classNames![set.labels![row]!]).toBe(`digit-${labels[source]}`);
      // Each example's file relative to the folder, for keeping examples of one origin together.
      expect(set.names![row]).toBe(`digit-${labels[source]}/${String(source).padStart(3, "0")}.png`);
      for (const p of [100, 400, 600]) expect(set.data[row * 784 + p]).toBeCloseTo(pixels[source * 784 + p]! / 255, 5);
    });
  });

  it("reads JPEG digits close to the originals, and a limit draws the same examples for the same seed", () => {
    const { dir } = digitFolder("jpeg-digits", 12, "jpeg");
    const all = readExampleData(dir, { inputShape: [28, 28, 1] });
    const some = readExampleData(dir, { inputShape: [28, 28, 1], limit: 5, seed: 4 });
    expect(some.count).toBe(5);
    expect(readExampleData(dir, { inputShape: [28, 28, 1], limit: 5, seed: 4 }).data).toEqual(some.data);
    expect(some.names!.every((name) => all.names!.includes(name))).toBe(true);
    const png = readExampleData(digitFolder("png-digits-12", 12).dir, { inputShape: [28, 28, 1] });
    let error = 0;
    for (let i = 0; i < all.data.length; i++) error += Math.abs(all.data[i]! - png.data[i]!);
    expect(error / all.data.length).toBeLessThan(0.02);
  });

  it("resizes only when asked, and reads colour in BGR order with per-channel scale and offset", () => {
    const dir = join(scratch, "colour");
    mkdirSync(dir, { recursive: true });
    const rgba = Buffer.alloc(4 * 4 * 4);
    for (let p = 0; p < 16; p++) rgba.set([200, 100, 50, 255], p * 4);
    writeFileSync(join(dir, "a.png"), png(rgba, 4, 4));
    expect(() => readExampleData(dir, { inputShape: [2, 2, 3] })).toThrowError(
      `${join(dir, "a.png")}: image is 4x4, the model takes 2x2 (pass --resize to resize)`,
    );
    const set = readExampleData(dir, {
      inputShape: [2, 2, 3],
      preprocessing: { version: 1, resize: true, channelOrder: "bgr", scale: [1, 1, 1], offset: [0, -100, 0] },
    });
    expect(set.labels).toBeUndefined();
    expect(Array.from(set.data.subarray(0, 3))).toEqual([50, 0, 200]);
  });

  it("reads .npy and IDX files with a labels file, and names a bad image or a stray file", () => {
    const { pixels, labels } = firstDigits(6);
    writeFileSync(join(scratch, "x.npy"), encodeNpy([6, 28, 28], pixels));
    writeFileSync(join(scratch, "y.npy"), encodeNpy([6], Float32Array.from(labels)));
    const set = readExampleData(join(scratch, "x.npy"), { inputShape: [784], labels: join(scratch, "y.npy") });
    expect(Array.from(set.labels!)).toEqual(Array.from(labels));
    const idx = readExampleData(mnistImagesFile, { inputShape: [28, 28, 1], labels: mnistLabelsFile, limit: 100, seed: 2 });
    expect(idx.count).toBe(100);
    const bad = join(scratch, "bad", "cat");
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, "broken.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
    expect(() => readExampleData(join(scratch, "bad"), { inputShape: [28, 28, 1] })).toThrowError(
      new RegExp(`^${join(bad, "broken.png")}: cannot decode png`),
    );
    writeFileSync(join(scratch, "bad", "notes.txt"), "hello");
    expect(() => readExampleData(join(scratch, "bad"), { inputShape: [28, 28, 1], groups: join(scratch, "g.txt") })).toThrowError(
      /--holdout-groups .*g\.txt: an image folder's examples are named by their files/,
    );
    expect(() => readExampleData(join(scratch, "bad"), { inputShape: [28, 28, 1] })).toThrowError(
      `${join(scratch, "bad", "notes.txt")}: a file beside class folders (put every image in its class's folder)`,
    );
  });

  it("names array examples by a groups file, one line each; a wrong count or an empty line names the file", () => {
    const { pixels } = firstDigits(6);
    writeFileSync(join(scratch, "g6.npy"), encodeNpy([6, 784], pixels));
    // Six frames of three videos, CRLF line ends and a final newline as editors write them.
    writeFileSync(join(scratch, "groups.txt"), "video-a\r\nvideo-a\r\nvideo-b\r\nvideo-b\r\nvideo-c\r\nvideo-c\r\n");
    const set = readExampleData(join(scratch, "g6.npy"), { inputShape: [784], groups: join(scratch, "groups.txt") });
    expect(set.names).toEqual(["video-a", "video-a", "video-b", "video-b", "video-c", "video-c"]);
    // The limit draws examples with their groups (and labels) attached.
    const four = readExampleData(join(scratch, "g6.npy"), { inputShape: [784], groups: join(scratch, "groups.txt"), limit: 4, seed: 3 });
    expect(four.count).toBe(4);
    const full = Array.from(set.data);
    four.names!.forEach((name, row) => {
      const source = [0, 1, 2, 3, 4, 5].find((i) => full.slice(i * 784, i * 784 + 784).every((v, p) => v === four.data[row * 784 + p]))!;
      expect(name).toBe(set.names![source]);
    });
    writeFileSync(join(scratch, "five.txt"), "a\nb\nc\nd\ne\n");
    expect(() => readExampleData(join(scratch, "g6.npy"), { inputShape: [784], groups: join(scratch, "five.txt") })).toThrowError(
      `${join(scratch, "five.txt")}: 5 group lines for the 6 examples of ${join(scratch, "g6.npy")} (one line per example)`,
    );
    writeFileSync(join(scratch, "gap.txt"), "a\nb\n\nd\ne\nf\n");
    expect(() => readExampleData(join(scratch, "g6.npy"), { inputShape: [784], groups: join(scratch, "gap.txt") })).toThrowError(
      `${join(scratch, "gap.txt")}: line 3 names no group`,
    );
  });
});
