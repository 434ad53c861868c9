import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultMnistDir, loadMnist, oneHotLabels } from "./mnist.js";
import { DatasetError } from "./errors.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-mnist-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function corruptCopy(mutate: (bytes: Uint8Array) => Uint8Array): string {
  const dir = mkdtempSync(join(scratch, "case-"));
  for (const name of ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]) {
    copyFileSync(join(defaultMnistDir(), name), join(dir, name));
  }
  const target = join(dir, "t10k-labels-idx1-ubyte");
  writeFileSync(target, mutate(new Uint8Array(readFileSync(target))));
  return dir;
}

describe("loadMnist", () => {
  it("loads the real test split: 10,000 images of 28x28 and their digit labels", () => {
    const test = loadMnist({ split: "test" });
    expect(test.count).toBe(10_000);
    expect(test.images.length).toBe(10_000 * 784);
    // The first test digit of MNIST is a 7, the second a 2.
    expect([...test.labels.slice(0, 5)]).toEqual([7, 2, 1, 0, 4]);
    const counts = new Array<number>(10).fill(0);
    for (const label of test.labels) counts[label]!++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    let max = 0;
    for (const p of test.images) max = Math.max(max, p);
    expect(max).toBe(1);
  });

  it("loads the training split and honours limit", () => {
    const train = loadMnist({ split: "train", limit: 100 });
    expect(train.count).toBe(100);
    expect(train.labels[0]).toBe(5); // MNIST's first training digit is a 5
  });

  it("names the file when it is missing", () => {
    expect(() => loadMnist({ split: "test", dataDir: join(scratch, "nowhere") })).toThrow(/t10k-images-idx3-ubyte: cannot read \(ENOENT\)/);
  });

  it("detects a checksum mismatch", () => {
    const dir = corruptCopy((b) => {
      b[100] = (b[100]! + 1) % 10;
      return b;
    });
    expect(() => loadMnist({ split: "test", dataDir: dir })).toThrow(expect.objectContaining({ code: "CHECKSUM_MISMATCH" }));
  });

  it("detects a wrong magic number and a truncated file even without checksums", () => {
    const badMagic = corruptCopy((b) => {
      b[3] = 0x03;
      return b;
    });
    expect(() => loadMnist({ split: "test", dataDir: badMagic, verifyChecksums: false })).toThrow(
      /t10k-labels-idx1-ubyte: magic number 0x00000803, expected 0x00000801/,
    );
    const truncated = corruptCopy((b) => b.subarray(0, 5000));
    const error = (() => {
      try {
        loadMnist({ split: "test", dataDir: truncated, verifyChecksums: false });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).code).toBe("TRUNCATED");
  });

  it("rejects a bad limit", () => {
    expect(() => loadMnist({ split: "test", limit: 0 })).toThrow(/limit must be an integer in 1..10000/);
  });

  it("one-hot encodes labels", () => {
    expect([...oneHotLabels(Uint8Array.from([2, 0]), 3)]).toEqual([0, 0, 1, 1, 0, 0]);
  });
});
