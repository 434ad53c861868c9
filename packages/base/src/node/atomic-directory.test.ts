import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AtomicDirectory,
  ensureDirectory,
  isAtomicTempName,
  OutputPathError,
  removeAtomicLeftovers,
  writeDirectoryAtomic,
} from "./index.js";

const scratch = () => mkdtempSync(join(tmpdir(), "dcnpi-base-dir-"));
// A pid that no process has: Linux pids stay below 2^22.
const DEAD_PID = 4_194_303;

describe("writeDirectoryAtomic", () => {
  it("creates a new folder whole and leaves no temporary", () => {
    const dir = scratch();
    const out = join(dir, "a", "b", "model");
    writeDirectoryAtomic(out, { "model.json": "{}", "weights.bin": new Uint8Array([1, 2]) });
    expect(readdirSync(out).sort()).toEqual(["model.json", "weights.bin"]);
    expect(readdirSync(join(dir, "a", "b"))).toEqual(["model"]);
  });

  it("replaces an existing folder, and on failure leaves the old one exactly as it was", () => {
    const dir = scratch();
    const out = join(dir, "model");
    writeDirectoryAtomic(out, { "model.json": "old json", "weights.bin": "old weights" });
    expect(() => writeDirectoryAtomic(out, { "model.json": "new json", "../escape": "x" })).toThrow(OutputPathError);
    expect(readFileSync(join(out, "model.json"), "utf8")).toBe("old json");
    expect(readFileSync(join(out, "weights.bin"), "utf8")).toBe("old weights");
    expect(readdirSync(dir)).toEqual(["model"]);
    writeDirectoryAtomic(out, { "model.json": "new json", "weights.bin": "new weights" });
    expect(readFileSync(join(out, "weights.bin"), "utf8")).toBe("new weights");
    expect(readdirSync(dir)).toEqual(["model"]);
  });

  it("refuses to replace a folder holding files it would not write", () => {
    const dir = scratch();
    writeFileSync(join(dir, "notes.txt"), "mine");
    const error = (() => {
      try {
        writeDirectoryAtomic(dir, { "model.json": "{}" });
      } catch (e) {
        return e as OutputPathError;
      }
    })();
    expect(error?.code).toBe("NOT_EMPTY");
    expect(error?.message).toContain("notes.txt");
    expect(readdirSync(dir)).toEqual(["notes.txt"]);
  });
});

describe("removeAtomicLeftovers", () => {
  it("removes temporaries of dead processes, keeps live ones, and restores a backup whose replacement never arrived", () => {
    const dir = scratch();
    const deadTemp = `.model.${DEAD_PID}.1.dcnpi-tmp`;
    const liveTemp = `.model.${process.pid}.99.dcnpi-tmp`;
    const deadFile = `.weights.bin.${DEAD_PID}.2.dcnpi-tmp`;
    mkdirSync(join(dir, deadTemp));
    writeFileSync(join(dir, deadTemp, "weights.bin"), "partial");
    mkdirSync(join(dir, liveTemp));
    writeFileSync(join(dir, deadFile), "partial");
    mkdirSync(join(dir, `.model.${DEAD_PID}.3.dcnpi-old`));
    writeFileSync(join(dir, `.model.${DEAD_PID}.3.dcnpi-old`, "model.json"), "old");
    expect([deadTemp, liveTemp, deadFile].every(isAtomicTempName)).toBe(true);
    expect(removeAtomicLeftovers(dir).sort()).toEqual([deadFile, deadTemp, `.model.${DEAD_PID}.3.dcnpi-old`].sort());
    expect(readdirSync(dir).sort()).toEqual([liveTemp, "model"].sort());
    expect(readFileSync(join(dir, "model", "model.json"), "utf8")).toBe("old");
  });

  it("removes a live-looking temporary once it is a day old (pid reuse)", () => {
    const dir = scratch();
    const name = `.x.${process.pid}.7.dcnpi-tmp`;
    writeFileSync(join(dir, name), "");
    const old = new Date(Date.now() - 25 * 3600 * 1000);
    utimesSync(join(dir, name), old, old);
    expect(removeAtomicLeftovers(dir)).toEqual([name]);
  });

  it("runs before every new write into the same directory", () => {
    const dir = scratch();
    writeFileSync(join(dir, `.other.${DEAD_PID}.1.dcnpi-tmp`), "left by kill -9");
    const directory = AtomicDirectory.create(join(dir, "out"));
    expect(readdirSync(dir)).toEqual([directory.tempPath.slice(dir.length + 1)]);
    directory.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("ensureDirectory", () => {
  it("creates missing levels one at a time and refuses pseudo file systems and files in the way", () => {
    const dir = scratch();
    expect(ensureDirectory(join(dir, "x", "y"))).toBe(join(dir, "x", "y"));
    expect(existsSync(join(dir, "x", "y"))).toBe(true);
    expect(() => ensureDirectory("/proc/self/x")).toThrow(/will not write under/);
    expect(() => ensureDirectory("/sys/x")).toThrow(/will not write under/);
    symlinkSync("/proc/self", join(dir, "link"));
    expect(() => ensureDirectory(join(dir, "link", "x"))).toThrow(/resolves to \/proc/);
    writeFileSync(join(dir, "file"), "");
    expect(() => ensureDirectory(join(dir, "file", "x"))).toThrow(/is not a directory/);
  });
});
