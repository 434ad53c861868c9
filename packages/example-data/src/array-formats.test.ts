import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { arrayToExamples, arrayToLabels } from "./array-examples.js";
import { ExampleDataError } from "./errors.js";
import { parseIdxArray } from "./idx.js";
import { encodeNpy, parseNpy } from "./npy.js";
import { firstDigits, mnistImagesFile, mnistLabelsFile } from "./test-mnist.js";

describe(".npy and IDX arrays", () => {
  it("reads real MNIST IDX files as [n, 28, 28] bytes and feeds a [784] model as pixels / 255", () => {
    const images = parseIdxArray(readFileSync(mnistImagesFile), mnistImagesFile);
    expect(images.shape).toEqual([10_000, 28, 28]);
    const { pixels, labels } = firstDigits(3);
    const examples = arrayToExamples(images, [784], { version: 1 }, mnistImagesFile);
    expect(examples.shape).toEqual([784]);
    expect(examples.data[400]).toBeCloseTo(pixels[400]! / 255, 6);
    const labelArray = parseIdxArray(readFileSync(mnistLabelsFile), mnistLabelsFile);
    expect(Array.from(arrayToLabels(labelArray, 10_000, mnistLabelsFile).subarray(0, 3))).toEqual(Array.from(labels));
  });

  it("round-trips float32 and uint8 .npy files, little- and big-endian headers", () => {
    const { pixels } = firstDigits(2);
    const floats = Float32Array.from(pixels, (p) => p / 7);
    const parsed = parseNpy(encodeNpy([2, 28, 28, 1], floats), "x.npy");
    expect(parsed.shape).toEqual([2, 28, 28, 1]);
    expect(parsed.data).toEqual(floats);
    const bytes = parseNpy(encodeNpy([2, 784], pixels), "b.npy");
    expect(bytes.isByte).toBe(true);
    expect(arrayToExamples(bytes, [28, 28, 1], { version: 1, scale: 2, offset: -1 }, "b.npy").data[300]).toBeCloseTo(
      pixels[300]! * 2 - 1,
      5,
    );
    const big = encodeNpy([1], Float32Array.of(0));
    const header = new TextDecoder().decode(big.subarray(10, 80)).replace("<f4", ">f4");
    big.set(new TextEncoder().encode(header), 10);
    new DataView(big.buffer).setFloat32(big.length - 4, 1.5, false);
    expect(parseNpy(big, "be.npy").data[0]).toBe(1.5);
  });

  it("refuses a header that declares more data than the file holds, without allocating it", () => {
    const file = encodeNpy([2, 3], new Float32Array(6));
    const header = new TextDecoder("latin1").decode(file.subarray(10, 10 + new DataView(file.buffer).getUint16(8, true)));
    const lying =
      header
        .replace("(2, 3)", "(9999999999, 99999999)")
        .trimEnd()
        .padEnd(header.length - 1, " ") + "\n";
    const bytes = file.slice();
    bytes.set(new TextEncoder().encode(lying), 10);
    expect(() => parseNpy(bytes, "lie.npy")).toThrowError(/lie\.npy: header declares \[9999999999,99999999\]/);
    const idx = readFileSync(mnistLabelsFile).subarray(0, 100);
    expect(() => parseIdxArray(idx, "cut-idx1-ubyte")).toThrowError(ExampleDataError);
    expect(() => parseIdxArray(idx, "cut-idx1-ubyte")).toThrowError(
      /cut-idx1-ubyte: header declares \[10000\] uint8 = 10000 bytes, the file holds 92/,
    );
  });

  it("names the file when examples do not fit the model or labels do not fit the examples", () => {
    const images = parseIdxArray(readFileSync(mnistImagesFile), mnistImagesFile);
    expect(() => arrayToExamples(images, [32, 32, 3], { version: 1 }, "digits")).toThrowError(
      "digits: each example is [28,28] (784 values), the model takes [32,32,3] (3072)",
    );
    const labels = parseNpy(encodeNpy([3], Float32Array.of(1, 2.5, 3)), "y.npy");
    expect(() => arrayToLabels(labels, 4, "y.npy")).toThrowError("y.npy: labels are [3], expected [4] (one per example)");
    expect(() => arrayToLabels(labels, 3, "y.npy")).toThrowError("y.npy: label 1 is 2.5, not a class index");
  });
});
