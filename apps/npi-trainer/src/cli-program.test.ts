import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runNpi, type CliIo } from "./cli-program.js";

const scratch = mkdtempSync(join(tmpdir(), "npi-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function cli(...args: string[]) {
  let out = "";
  let err = "";
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), cwd: scratch, isTTY: false, errIsTTY: false };
  const code = await runNpi(args, io);
  return { code, out, err };
}

/** The last line of stderr is the error: one line, no stack trace. */
function errorLine(err: string): string {
  const lines = err.trimEnd().split("\n");
  const last = lines[lines.length - 1]!;
  expect(err).not.toMatch(/\n\s+at /);
  return last;
}

describe("npi CLI: help and usage errors", () => {
  it.each(["train", "compress", "eval", "run", "inspect", "sensitivity", "sweep", "default-plan"])("%s --help", async (command) => {
    const { code, out } = await cli(command, "--help");
    expect(code).toBe(0);
    expect(out).toContain(`Usage: npi ${command}`);
  });

  it("top-level help lists every command", async () => {
    const { code, out } = await cli("--help");
    expect(code).toBe(0);
    for (const command of ["train", "compress", "eval", "run", "inspect", "verify", "sensitivity", "sweep"]) expect(out).toContain(command);
  });

  it.each([
    [["frobnicate"], /unknown command/],
    [["train"], /--task/],
    [["train", "--task", "multiply"], /--task/],
    [["train", "--task", "addition", "--seed", "-3"], /--seed/],
    [["train", "--task", "addition", "--max-steps", "0"], /--max-steps/],
    [["run", "x.dcnpi", "--task", "addition"], /--input/],
    [["eval", "x.dcnpi", "--task", "addition", "--problems", "ten"], /--problems/],
    [["sweep", "ckpt", "--bits", "2,99"], /--bits/],
    [["sensitivity", "ckpt", "--sparsities", "0.5,1.5"], /--sparsities/],
    [["verify"], /missing required argument 'files'/],
    [["verify", "ckpt", "--task", "multiply"], /--task/],
    [["train", "--task", "sort", "--recipe-of", "multiply"], /--recipe-of/],
  ])("usage error %j exits 2 naming the problem", async (args, pattern) => {
    const { code, err } = await cli(...args);
    expect(code).toBe(2);
    expect(err).toMatch(pattern);
    expect(err.trimEnd().split("\n")).toHaveLength(1);
  });
});

describe("npi CLI: bad input is one line and a non-zero exit", () => {
  it("a car input off the camera grid or malformed, before any model is read", async () => {
    const offGrid = await cli("run", "nowhere.dcnpi", "--task", "car", "--input", "2097152,-40,30");
    expect(offGrid.code).toBe(1);
    expect(errorLine(offGrid.err)).toMatch(/^npi: car input "2097152,-40,30": pose\.azimuthDegrees: expected a multiple of 15/);
    const malformed = await cli("run", "nowhere.dcnpi", "--task", "car", "--input", "left");
    expect(errorLine(malformed.err)).toMatch(/car input must be "<car seed>,<azimuth>,<elevation>"/);
  });

  it("--cars takes seen or unseen only", async () => {
    const { code, err } = await cli("eval", "nowhere", "--task", "car", "--cars", "some");
    expect(code).toBe(2);
    expect(err).toMatch(/--cars/);
  });

  it("a missing model file", async () => {
    const { code, err } = await cli("run", "nowhere.dcnpi", "--task", "addition", "--input", "1+2");
    expect(code).toBe(1);
    expect(errorLine(err)).toMatch(/^npi: .*nowhere\.dcnpi: no such file or directory$/);
  });

  it("a missing model file to verify, and --recipe-of for a task without one", async () => {
    const missing = await cli("verify", "nowhere.dcnpi", "--task", "recursive-addition");
    expect(missing.code).toBe(1);
    expect(errorLine(missing.err)).toMatch(/^npi: .*nowhere\.dcnpi: no such file or directory$/);
    const sortAsAddition = await cli("train", "--task", "sort", "--recipe-of", "recursive-addition", "--out", "never");
    expect(sortAsAddition.code).toBe(1);
    expect(errorLine(sortAsAddition.err)).toMatch(
      /--recipe-of recursive-addition: sort and recursive-addition do not share problems \(sorting and addition/,
    );
    const ownRecipe = await cli("train", "--task", "sort", "--recipe-of", "sort", "--out", "never");
    expect(ownRecipe.code).toBe(1);
    expect(errorLine(ownRecipe.err)).toMatch(/--recipe-of sort: that is sort's own recipe/);
  });

  it("a corrupt model file", async () => {
    writeFileSync(join(scratch, "corrupt.dcnpi"), "this is not a container at all, just some text that is long enough");
    for (const args of [
      ["run", "corrupt.dcnpi", "--task", "sort", "--input", "3,1"],
      ["eval", "corrupt.dcnpi", "--task", "sort"],
      ["inspect", "corrupt.dcnpi"],
    ]) {
      const { code, err } = await cli(...args);
      expect(code).toBe(1);
      expect(errorLine(err)).toMatch(/^npi: .*corrupt\.dcnpi/);
    }
  });

  it("a directory that is not a checkpoint", async () => {
    const { code, err } = await cli("compress", ".");
    expect(code).toBe(1);
    expect(errorLine(err)).toMatch(/not a training checkpoint/);
  });

  it("a malformed input string, before any model is read", async () => {
    const { code, err } = await cli("run", "nowhere.dcnpi", "--task", "addition", "--input", "12*3");
    expect(code).toBe(1);
    expect(errorLine(err)).toMatch(/addition input must look like "1007\+3"/);
    const sort = await cli("run", "nowhere.dcnpi", "--task", "sort", "--input", "9,12,3");
    expect(errorLine(sort.err)).toMatch(/single digits 0-9, got "12"/);
  });

  it("a plan file that is not valid", async () => {
    writeFileSync(
      join(scratch, "bad-plan.json"),
      JSON.stringify({ version: 1, rules: [{ match: { role: "kernel" }, store: "compressed" }] }),
    );
    writeFileSync(join(scratch, "not-json.json"), "{");
    const bad = await cli("compress", "ckpt", "--plan", "bad-plan.json");
    expect(bad.code).toBe(1);
    expect(errorLine(bad.err)).toMatch(/bad-plan\.json: rules\.0\.weightBits/);
    const notJson = await cli("compress", "ckpt", "--plan", "not-json.json");
    expect(errorLine(notJson.err)).toMatch(/not-json\.json is not valid JSON/);
    const missing = await cli("compress", "ckpt", "--plan", "missing.json");
    expect(errorLine(missing.err)).toMatch(/missing\.json cannot be read/);
  });

  it("bad --lengths", async () => {
    const { code, err } = await cli("eval", "nowhere", "--task", "addition", "--lengths", "1,x");
    expect(code).toBe(1);
    expect(errorLine(err)).toMatch(/--lengths must be positive integers/);
  });

  it("default-plan prints a plan the compress command accepts", async () => {
    const { code, out } = await cli("default-plan");
    expect(code).toBe(0);
    const plan = JSON.parse(out);
    expect(plan.version).toBe(1);
    // Every NPI weight goes through Deep Compression (biases and program memory quantized, not pruned).
    expect(plan.rules.every((r: { store: string }) => r.store === "compressed")).toBe(true);
    writeFileSync(join(scratch, "default.json"), out);
    const again = await cli("compress", "nowhere", "--plan", "default.json");
    expect(errorLine(again.err)).toMatch(/nowhere: no such file or directory/);
    expect(readdirSync(scratch).some((f) => f.includes("tmp"))).toBe(false);
  });
});
