import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openRunDirectory } from "@dcnpi/run-kit";
import { Rng } from "@dcnpi/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { timedStage, type RunContext } from "./run-context.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-resume-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const contextFor = (root: string, id: string): RunContext => ({
  run: openRunDirectory(root, id),
  rng: Rng.fromSeed(1),
  progressMode: "silent",
  say: () => {},
  timings: [],
});
const answer = z.object({ answer: z.number() });

describe("resumable stages", () => {
  it("a finished stage is read back with its wall time, not recomputed", async () => {
    let calls = 0;
    const compute = async () => {
      calls++;
      return { answer: 7 };
    };
    const first = contextFor(scratch, "fake");
    expect(await timedStage(first, "fit", compute, answer)).toEqual({ answer: 7 });
    expect(first.timings).toEqual([{ stage: "fit", seconds: expect.any(Number), resumed: false }]);
    const again = contextFor(scratch, "fake");
    expect(await timedStage(again, "fit", compute, answer)).toEqual({ answer: 7 });
    expect(calls).toBe(1);
    expect(again.timings[0]).toMatchObject({ stage: "fit", resumed: true, seconds: first.timings[0]!.seconds });
  });

  it("a stored result that does not match the stage's schema is an error naming the file, not silently reused", async () => {
    const ctx = contextFor(scratch, "schema");
    await timedStage(ctx, "fit", async () => ({ answer: 1 }), answer);
    await expect(
      timedStage(contextFor(scratch, "schema"), "fit", async () => ({ other: "x" }), z.object({ other: z.string() })),
    ).rejects.toThrow(/stages\/fit\/result\.json.*delete it to recompute/);
  });

  it("a run killed in the middle of a stage resumes from the last finished stage", async () => {
    const appDir = resolve(fileURLToPath(new URL("../..", import.meta.url)));
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=@dcnpi/source", "src/deep-compression/resume-child.fixture.ts", scratch, "killed"],
      { cwd: appDir, stdio: "ignore" },
    );
    const marker = join(scratch, "second-started");
    const exited = new Promise<NodeJS.Signals | null>((done) => child.on("exit", (_code, signal) => done(signal)));
    for (let waited = 0; !existsSync(marker); waited += 50) {
      if (waited > 50_000) throw new Error("the child never reached stage two");
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const ctx = contextFor(scratch, "killed");
    expect(ctx.run.isDone("first")).toBe(true);
    expect(ctx.run.isDone("second")).toBe(false);
    // A metrics line the killed process was half-way through writing is dropped on reopen.
    writeFileSync(join(scratch, "killed", "metrics.jsonl"), '{"a":1}\n{"b":');
    const reopened = contextFor(scratch, "killed");
    reopened.run.appendMetric({ c: 3 });
    const lines = readFileSync(join(scratch, "killed", "metrics.jsonl"), "utf8")
      .trimEnd()
      .split("\n");
    expect(lines[0]).toBe('{"a":1}');
    expect(JSON.parse(lines[1]!)).toMatchObject({ c: 3 });
    expect(lines).toHaveLength(2);
    let firstCalls = 0;
    expect(await timedStage(reopened, "first", async () => ({ answer: firstCalls++ }), answer)).toEqual({ answer: 42 });
    expect(await timedStage(reopened, "second", async () => ({ answer: 2 }), answer)).toEqual({ answer: 2 });
    expect(firstCalls).toBe(0);
    expect(reopened.timings.map((t) => [t.stage, t.resumed])).toEqual([
      ["first", true],
      ["second", false],
    ]);
    expect(reopened.run.resumedStages).toEqual(["first"]);
  }, 90_000);
});

describe("metadata.json across invocations", () => {
  it("keeps earlier invocations (a resumed run does not erase how long the first one took)", async () => {
    const { previousInvocations } = await import("./run-deep-compression.js");
    const file = join(scratch, "metadata-invocations.json");
    expect(previousInvocations(file)).toEqual([]);
    writeFileSync(file, JSON.stringify({ finished: true, startedAt: "2026-01-01T00:00:00Z", wallSeconds: 2400, loadAverage: { mean: 5 } }));
    expect(previousInvocations(file)).toEqual([{ startedAt: "2026-01-01T00:00:00Z", wallSeconds: 2400, loadAverage: { mean: 5 } }]);
    writeFileSync(
      file,
      JSON.stringify({
        invocations: [
          { startedAt: "a", wallSeconds: 1 },
          { startedAt: "b", wallSeconds: 2 },
        ],
      }),
    );
    expect(previousInvocations(file).map((i) => i.startedAt)).toEqual(["a", "b"]);
    writeFileSync(file, "{ not json");
    expect(previousInvocations(file)).toEqual([]);
  });
});
