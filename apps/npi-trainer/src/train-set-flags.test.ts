import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runNpi, type CliIo } from "./cli-program.js";

const scratch = mkdtempSync(join(tmpdir(), "npi-train-set-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function cli(...args: string[]) {
  let out = "";
  let err = "";
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), cwd: scratch, isTTY: false, errIsTTY: false };
  const code = await runNpi(args, io);
  return { code, out, err };
}

describe("npi train --train-lengths / --traces-per-length", () => {
  it("trains on the given sizes and count (Cai et al.'s single 5-vertex trace), records them, and refuses a resume with others", async () => {
    const run = await cli(
      "train",
      "--task",
      "toposort",
      "--quick",
      "--max-steps",
      "2",
      "--train-lengths",
      "5",
      "--traces-per-length",
      "1",
      "--out",
      "one",
    );
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/toposort: 1 teacher traces, \d+ invocations/);
    const info = JSON.parse(readFileSync(join(scratch, "one", "npi-train.json"), "utf8"));
    expect(info.trainingSet).toMatchObject({ trainLengths: [5], tracesPerLength: 1, seed: 1 });
    const other = await cli("train", "--task", "toposort", "--quick", "--max-steps", "2", "--train-lengths", "6", "--out", "one");
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/holds a run with other settings \(task, seed, --quick or training set\)/);
  });

  it("refuses bad values and the car, whose training problems are its split", async () => {
    const zero = await cli("train", "--task", "toposort", "--train-lengths", "5,0", "--out", "bad");
    expect(zero.code).toBe(1);
    expect(zero.err).toMatch(/--train-lengths must be positive integers separated by commas, got "5,0"/);
    const traces = await cli("train", "--task", "toposort", "--traces-per-length", "0");
    expect(traces.code).toBe(2);
    expect(traces.err).toMatch(/--traces-per-length/);
    const car = await cli("train", "--task", "car", "--quick", "--train-lengths", "2", "--out", "car");
    expect(car.code).toBe(1);
    expect(car.err).toMatch(/car's training problems are its car split/);
  });
});
