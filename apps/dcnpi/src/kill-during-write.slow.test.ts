// Issue 16 target: 0 partial outputs after kill -9 at 20 points. `dcnpi decompress` replaces an
// existing output folder (model A's files) with model B's; the process is killed with SIGKILL after a
// seeded random delay spread over the end of its run, where the writing happens. After each kill the
// folder must be A's files or B's files byte for byte, never a mix or a part, once the leftovers of
// the killed run are handled the way the next write handles them (`removeAtomicLeftovers`).
// Slow (about 4 s per run): DCNPI_SLOW_TESTS=1.
import "@tensorflow/tfjs-backend-cpu";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeAtomicLeftovers } from "@dcnpi/base/node";
import { modelTopologyOf } from "@dcnpi/deep-compression";
import { writeModelFiles } from "@dcnpi/deep-compression/node";
import { readModelWeights } from "@dcnpi/tensor/tfjs";
import { runDcnpi } from "./cli-program.js";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tsxLoader = pathToFileURL(join(packageDir, "node_modules", "tsx", "dist", "loader.mjs")).href;
const bin = ["--import", tsxLoader, "--conditions=@dcnpi/source", join(packageDir, "src", "cli.ts")];
const scratch = mkdtempSync(join(tmpdir(), "dcnpi-kill-"));
const KILLS = 30;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const snapshot = (dir: string) =>
  existsSync(dir)
    ? Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name)).toString("base64")]))
    : undefined;

async function compressed(name: string, seed: number): Promise<string> {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [512], units: 512, name: "fc1", kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.dense({ units: 10, name: "fc2", kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  const { modelJsonPath } = writeModelFiles(join(scratch, `${name}-model`), await modelTopologyOf(model), readModelWeights(model));
  model.dispose();
  const file = join(scratch, `${name}.dcnpi`);
  expect(await runDcnpi(["compress", modelJsonPath, "-o", file], { cwd: scratch, out: () => {}, err: () => {} })).toBe(0);
  const reference = join(scratch, `${name}-reference`);
  expect(await runDcnpi(["decompress", file, "-o", reference], { cwd: scratch, out: () => {}, err: () => {} })).toBe(0);
  return reference;
}

/**
 * Runs the CLI; with `killAfterWriteStartsMs`, SIGKILLs it that long after the first change in
 * `watched` (a temporary appearing: the write has begun). Module loading takes seconds
 * and varies with load, so delays are measured from that event, not from the spawn.
 */
function run(args: string[], watched: readonly string[], killAfterWriteStartsMs?: number): Promise<{ writeMs: number; killed: boolean }> {
  const child = spawn(process.execPath, [...bin, ...args], { stdio: "ignore" });
  let writeStarted: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const onChange = () => {
    if (writeStarted !== undefined) return;
    writeStarted = Date.now();
    if (killAfterWriteStartsMs !== undefined) timer = setTimeout(() => child.kill("SIGKILL"), killAfterWriteStartsMs);
  };
  // The parent (where a temporary sibling folder appears) and the output folder itself (where a
  // writer that replaces files one by one starts), so the same test measures either kind of writer.
  const watchers = watched.map((path) => watch(path, onChange));
  return new Promise((done) =>
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      done({ writeMs: Date.now() - (writeStarted ?? Date.now()), killed: signal === "SIGKILL" });
    }),
  );
}

let referenceA = "";
let referenceB = "";
beforeAll(async () => {
  await tf.setBackend("cpu");
  referenceA = await compressed("a", 1);
  referenceB = await compressed("b", 2);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("kill -9 during dcnpi decompress", () => {
  it(`leaves the old output or the new one, never a part, at ${KILLS} seeded points`, async () => {
    const old = snapshot(referenceA)!;
    const fresh = snapshot(referenceB)!;
    expect(old).not.toEqual(fresh);
    const parent = join(scratch, "runs");
    const out = join(parent, "out");
    const bFile = join(scratch, "b.dcnpi");
    rmSync(parent, { recursive: true, force: true });
    cpSync(referenceA, out, { recursive: true });
    const { writeMs } = await run(["decompress", bFile, "-o", out], [parent, out]);
    expect(snapshot(out)).toEqual(fresh);
    const random = mulberry32(16);
    const tally = { old: 0, new: 0, partial: 0, restoredFromBackup: 0, leftoversRemoved: 0, killedBeforeExit: 0 };
    const delays: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      rmSync(parent, { recursive: true, force: true });
      cpSync(referenceA, out, { recursive: true });
      // Spread over the write and the exit after it (as long as they took in the full run), denser
      // early where the files are written and renamed.
      const delay = Math.round(writeMs * random() ** 1.5);
      delays.push(delay);
      const { killed } = await run(["decompress", bFile, "-o", out], [parent, out], delay);
      if (killed) tally.killedBeforeExit++;
      // Killed between its two renames, the folder is briefly absent with a complete backup beside it.
      if (!existsSync(out)) tally.restoredFromBackup++;
      tally.leftoversRemoved += removeAtomicLeftovers(parent).length;
      const seen = snapshot(out);
      if (JSON.stringify(seen) === JSON.stringify(old)) tally.old++;
      else if (JSON.stringify(seen) === JSON.stringify(fresh)) tally.new++;
      else tally.partial++;
      expect(readdirSync(parent)).toEqual(["out"]);
    }
    console.log(
      `kill -9 at ${KILLS} points, ${delays.join(",")} ms after the write began (full write + exit ${writeMs} ms): ${JSON.stringify(tally)}`,
    );
    expect(tally.partial).toBe(0);
    expect(tally.killedBeforeExit).toBeGreaterThanOrEqual(20);
  }, 900_000);
});
