import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AtomicFile, isAtomicTempName, writeFileAtomic, writeJsonAtomic } from "./index.js";

const scratch = () => mkdtempSync(join(tmpdir(), "dcnpi-base-"));

describe("writeFileAtomic", () => {
  it("replaces a file whole and leaves no temporary behind", () => {
    const dir = scratch();
    const path = join(dir, "nested", "a.json");
    writeJsonAtomic(path, { a: 1 });
    writeFileAtomic(path, "second");
    expect(readFileSync(path, "utf8")).toBe("second");
    expect(readdirSync(join(dir, "nested"))).toEqual(["a.json"]);
  });

  it("leaves what was at the path untouched and no temporary when the rename fails", () => {
    const dir = scratch();
    const path = join(dir, "taken");
    mkdirSync(path);
    writeFileSync(join(path, "inside.txt"), "old");
    expect(() => writeFileAtomic(path, "new")).toThrow();
    expect(readFileSync(join(path, "inside.txt"), "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["taken"]);
  });
});

describe("AtomicFile", () => {
  it("shows nothing at the path until commit, then the whole file", async () => {
    const dir = scratch();
    const path = join(dir, "big.bin");
    const file = await AtomicFile.create(path);
    await file.write(new Uint8Array([1, 2, 3]));
    await file.write(new Uint8Array([4]));
    expect(readdirSync(dir).filter((n) => n === "big.bin")).toEqual([]);
    expect(readdirSync(dir).every(isAtomicTempName)).toBe(true);
    await file.commit();
    expect([...readFileSync(path)]).toEqual([1, 2, 3, 4]);
    expect(readdirSync(dir)).toEqual(["big.bin"]);
    await expect(file.write(new Uint8Array([5]))).rejects.toThrow(/already committed/);
  });

  it("abort removes the temporary file and keeps the old one", async () => {
    const dir = scratch();
    const path = join(dir, "m.dcnpi");
    writeFileSync(path, "old");
    const file = await AtomicFile.create(path);
    await file.write(new Uint8Array(1000));
    await file.abort();
    await file.abort();
    expect(readFileSync(path, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["m.dcnpi"]);
  });

  it("names its temporaries so a cleaner can recognise them, and nothing else", () => {
    expect(isAtomicTempName(".model.json.123.4.dcnpi-tmp")).toBe(true);
    expect(isAtomicTempName("model.json")).toBe(false);
    expect(isAtomicTempName(".hidden")).toBe(false);
  });
});
