/**
 * Child process for resume.test.ts: finishes stage "first", starts stage "second", announces it and
 * hangs until the test kills it (SIGKILL, no chance to clean up), as a user's Ctrl-C or an OOM would.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openRunDirectory } from "@dcnpi/run-kit";
import { Rng } from "@dcnpi/tensor";
import { z } from "zod";
import { timedStage, type RunContext } from "./run-context.js";

const [root, runId] = process.argv.slice(2) as [string, string];
const run = openRunDirectory(root, runId);
const ctx: RunContext = { run, rng: Rng.fromSeed(1), progressMode: "silent", say: () => {}, timings: [] };
await timedStage(ctx, "first", async () => ({ answer: 42 }), z.object({ answer: z.number() }));
await timedStage(
  ctx,
  "second",
  async (stageDir) => {
    writeFileSync(join(stageDir, "partial.bin"), "half-written");
    writeFileSync(join(root, "second-started"), "");
    await new Promise((resolve) => setTimeout(resolve, 120_000));
    return { answer: 0 };
  },
  z.object({ answer: z.number() }),
);
