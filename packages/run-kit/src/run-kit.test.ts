import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { writeFileAtomic } from "./atomic-write.js";
import { createProgress, type Progress } from "./progress.js";
import { openRunDirectory } from "./run-directory.js";

const root = mkdtempSync(join(tmpdir(), "dcnpi-run-kit-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("writeFileAtomic", () => {
  it("replaces the file whole and leaves no temporary file behind", () => {
    const file = join(root, "a", "x.txt");
    writeFileAtomic(file, "one");
    writeFileAtomic(file, "two");
    expect(readFileSync(file, "utf8")).toBe("two");
    expect(readdirSync(join(root, "a"))).toEqual(["x.txt"]);
  });
});

describe("openRunDirectory", () => {
  it("computes a stage once and reads it back when the run is reopened", async () => {
    let calls = 0;
    const compute = async () => {
      calls++;
      return { accuracy: 0.98 };
    };
    const schema = z.object({ accuracy: z.number() });
    const first = openRunDirectory(root, "run-1");
    expect(await first.stage("train", compute, schema)).toEqual({ accuracy: 0.98 });
    const second = openRunDirectory(root, "run-1");
    expect(await second.stage("train", compute, schema)).toEqual({ accuracy: 0.98 });
    expect(calls).toBe(1);
    expect(second.resumedStages).toEqual(["train"]);
  });

  it("recomputes a stage killed before it finished, and rejects a corrupt result", async () => {
    const run = openRunDirectory(root, "run-2");
    await expect(
      run.stage("boom", async () => {
        throw new Error("killed");
      }),
    ).rejects.toThrow("killed");
    expect(run.isDone("boom")).toBe(false);
    expect(await run.stage("boom", () => 7)).toBe(7);
    writeFileSync(run.path("stages", "boom", "result.json"), "{not json");
    await expect(openRunDirectory(root, "run-2").stage("boom", () => 8)).rejects.toThrow(/not valid JSON; delete it/);
    writeFileSync(run.path("stages", "boom", "result.json"), JSON.stringify({ value: "x" }));
    await expect(openRunDirectory(root, "run-2").stage("boom", () => 8, z.number())).rejects.toThrow(/does not match stage "boom"/);
  });

  it("refuses run ids that could escape the results directory", () => {
    expect(() => openRunDirectory(root, "../evil")).toThrow(/run id "..\/evil"/);
  });

  it("appends metrics and drops a partial last line left by a killed run", () => {
    const run = openRunDirectory(root, "run-3");
    run.appendMetric({ step: 1 });
    writeFileSync(run.path("metrics.jsonl"), `${readFileSync(run.path("metrics.jsonl"), "utf8")}{"step": 2, "lo`);
    const reopened = openRunDirectory(root, "run-3");
    reopened.appendMetric({ step: 2 });
    const lines = readFileSync(run.path("metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([1, 2]);
  });
});

/** A plain-lines progress that writes into a string, and the lines written so far. */
function linesProgress(label: string, total: number): { progress: Progress; lines: () => string[] } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  let text = "";
  (stream as unknown as PassThrough).on("data", (chunk: Buffer) => (text += chunk.toString()));
  const progress = createProgress({ label, total, stream, mode: "lines", lineIntervalSeconds: 0 });
  return { progress, lines: () => text.trim().split("\n") };
}

describe("createProgress", () => {
  it("prints plain lines with counts and ETA when not on a terminal", () => {
    const { progress, lines } = linesProgress("train", 4);
    progress.tick(1, "loss 2.3");
    progress.tick(3);
    progress.stop("done");
    expect(lines()[0]).toMatch(/^train: 1\/4 \(25%\) elapsed \d+s eta \S+ loss 2\.3$/);
    expect(lines().at(-1)).toMatch(/^train: 4\/4 \(100%\) elapsed \d+s done$/);
  });

  describe("on a clock the test sets", () => {
    beforeEach(() => {
      vi.useFakeTimers();
      vi.setSystemTime(0);
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it("follows a total that grows (a search that backs off), and never prints a negative ETA", () => {
      const { progress, lines } = linesProgress("check", 4);
      vi.setSystemTime(10_000);
      progress.update(2); // 5 s each: 10 s to go
      progress.setTotal(5);
      vi.setSystemTime(15_000);
      progress.update(3);
      vi.setSystemTime(30_000);
      progress.update(6); // past a total nobody raised: 0 s to go, not -5 s
      expect(lines()).toEqual([
        "check: 2/4 (50%) elapsed 10s eta 10s",
        "check: 3/5 (60%) elapsed 15s eta 10s",
        "check: 6/5 (120%) elapsed 30s eta 0s",
      ]);
    });

    it("rounds a time once before splitting it (42m00s, not 41m60s; 1h00m, not 59m60s)", () => {
      const { progress, lines } = linesProgress("scan", 3);
      vi.setSystemTime(1_259_800); // 1,259.8 s for the first of three: elapsed and eta both round to 21 minutes
      progress.tick(1);
      vi.setSystemTime(3_599_700);
      progress.stop();
      expect(lines()).toEqual(["scan: 1/3 (33%) elapsed 21m00s eta 42m00s", "scan: 1/3 (33%) elapsed 1h00m"]);
    });
  });
});
