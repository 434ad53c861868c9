// Issue 16, the output side of the command line: a path under /proc must not hang, and signals end
// the process. Runs the real executable (tsx) because the hang and the signals are process-level.
import "@tensorflow/tfjs-backend-cpu";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelTopologyOf } from "@dcnpi/deep-compression";
import { writeModelFiles } from "@dcnpi/deep-compression/node";
import { readModelWeights } from "@dcnpi/tensor/tfjs";
import { runDcnpi } from "./cli-program.js";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tsxLoader = pathToFileURL(join(packageDir, "node_modules", "tsx", "dist", "loader.mjs")).href;
const bin = ["--import", tsxLoader, "--conditions=@dcnpi/source", join(packageDir, "src", "cli.ts")];
const scratch = mkdtempSync(join(tmpdir(), "dcnpi-hostile-out-"));
const compressed = join(scratch, "m.dcnpi");

beforeAll(async () => {
  await tf.setBackend("cpu");
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [16], units: 8, name: "fc1" })] });
  const { modelJsonPath } = writeModelFiles(join(scratch, "model"), await modelTopologyOf(model), readModelWeights(model));
  model.dispose();
  const code = await runDcnpi(["compress", modelJsonPath, "-o", compressed], { cwd: scratch, out: () => {}, err: () => {} });
  expect(code).toBe(0);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("dcnpi decompress into paths that cannot hold an output (issue 16 item 6)", () => {
  // A link into /proc is refused too (ensureDirectory's unit test in @dcnpi/base); one spawn here keeps this fast.
  it("-o /proc/self/x ends within seconds with a one-line error, exit 1", () => {
    for (const output of ["/proc/self/x"]) {
      const started = Date.now();
      const result = spawnSync(process.execPath, [...bin, "decompress", compressed, "-o", output], { encoding: "utf8", timeout: 30_000 });
      expect(result.signal, `${output} hung`).toBeNull();
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(result.status).toBe(1);
      const lines = result.stderr.split("\n").filter((line) => line.trim() !== "" && !/TensorFlow\.js|tfjs-node|^=+$/.test(line));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/will not write|resolves to \/proc/);
    }
  });

  // No signal handler is installed on purpose: a JS handler cannot run while the main thread is
  // blocked, so it would turn "killed" into "ignored"; the default action ends the process and the
  // hidden temporaries it may leave are removed by the next write into that directory.
  it("SIGTERM and SIGINT end a command that is blocked (reading a FIFO) promptly", async () => {
    const fifo = join(scratch, "blocked.dcnpi");
    execFileSync("mkfifo", [fifo]);
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const child = spawn(process.execPath, [...bin, "inspect", fifo], { stdio: "ignore" });
      await new Promise((done) => setTimeout(done, 2_500));
      const sent = Date.now();
      child.kill(signal);
      const ended = await new Promise<{ code: number | null; signal: string | null }>((done) =>
        child.on("exit", (code, sig) => done({ code, signal: sig })),
      );
      expect(Date.now() - sent).toBeLessThan(5_000);
      expect(ended.code === null ? ended.signal : `exit ${ended.code}`).toMatch(new RegExp(`${signal}|exit (1|130|143)`));
    }
  });
});
