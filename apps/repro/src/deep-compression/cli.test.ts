import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildReproProgram, runRepro } from "../cli-program.js";
import { runQuickReproduction, type DeepCompressionRunner } from "../commands/deep-compression.js";
import { defaultRunId, parseDeepCompressionOptions, UsageError, type DeepCompressionOptions } from "./options.js";

describe("parseDeepCompressionOptions", () => {
  it("defaults: seed 1, quick, results/<run-id>/ under the directory the user typed the command in", () => {
    const o = parseDeepCompressionOptions({ model: "lenet-5" }, "/home/me/work");
    expect(o).toMatchObject({
      models: ["lenet-5"],
      full: false,
      seed: 1,
      runId: "dc-lenet-5-quick-seed1",
      dir: "/home/me/work/results/dc-lenet-5-quick-seed1",
    });
    expect(defaultRunId("all", true, 7)).toBe("dc-all-full-seed7");
  });

  it("all expands to the four networks; --out is the run directory, relative to the user's directory", () => {
    const o = parseDeepCompressionOptions({ model: "all", full: true, seed: "3", out: "runs/today", runId: "x1" }, "/home/me");
    expect(o.models).toEqual(["lenet-300-100", "lenet-5", "alexnet", "vgg16"]);
    expect(o.dir).toBe("/home/me/runs/today");
    expect(o.seed).toBe(3);
    expect(parseDeepCompressionOptions({ model: "vgg16", out: "/abs/run" }, "/home/me").dir).toBe("/abs/run");
  });

  it("--method: paper by default for one model (same run directory as before), both for all; others get a suffix", () => {
    expect(parseDeepCompressionOptions({ model: "lenet-300-100" }, "/w")).toMatchObject({
      methodChoice: "paper",
      methods: ["paper"],
      runId: "dc-lenet-300-100-quick-seed1",
    });
    expect(parseDeepCompressionOptions({ model: "all" }, "/w")).toMatchObject({
      methods: ["paper", "beyond"],
      runId: "dc-all-quick-seed1",
    });
    expect(parseDeepCompressionOptions({ model: "lenet-5", method: "beyond" }, "/w")).toMatchObject({
      methods: ["beyond"],
      runId: "dc-lenet-5-quick-seed1-beyond",
    });
    expect(parseDeepCompressionOptions({ model: "all", method: "paper" }, "/w").runId).toBe("dc-all-quick-seed1-paper");
  });

  it.each([
    [{}, /^--model is required/],
    [{ model: "resnet" }, /^--model: "resnet" is not one of lenet-300-100, lenet-5, alexnet, vgg16, all$/],
    [{ model: "lenet-5", seed: "-1" }, /^--seed: "-1" is not a non-negative integer$/],
    [{ model: "lenet-5", seed: "1.5" }, /^--seed:/],
    [{ model: "lenet-5", runId: "../escape" }, /^--run-id: "\.\.\/escape" must be/],
    [{ model: "lenet-5", out: "results/bad name" }, /^--out: the directory name "bad name"/],
    [{ model: "lenet-5", progress: "fancy" }, /^--progress: "fancy" is not one of bar, lines, silent$/],
    [{ model: "lenet-5", method: "magic" }, /^--method: "magic" is not one of paper, beyond, both$/],
    [{ model: "vgg16", method: "beyond" }, /^--method beyond: only the LeNets are trained/],
  ])("rejects %j with one line naming the flag", (raw, message) => {
    let caught: unknown;
    try {
      parseDeepCompressionOptions(raw, "/tmp");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain("\n");
  });
});

function harness(runner: DeepCompressionRunner = async () => {}) {
  const errors: string[] = [];
  const calls: DeepCompressionOptions[] = [];
  const io = { out: () => {}, err: (s: string) => void errors.push(s) };
  const program = buildReproProgram(io, async (options, command) => {
    calls.push(options);
    await runner(options, command);
  });
  const run = (...args: string[]) => runRepro(args, io, program);
  return { program, errors, calls, run };
}

describe("repro deep-compression (in process)", () => {
  it("hands valid options to the runner", async () => {
    const h = harness();
    expect(await h.run("deep-compression", "--model", "alexnet", "--seed", "4", "--run-id", "r4")).toBe(0);
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]).toMatchObject({ models: ["alexnet"], seed: 4, runId: "r4", full: false });
    expect(h.errors).toEqual([]);
  });

  it.each([
    [["deep-compression", "--model", "lenet"], 2, /^repro deep-compression: --model: "lenet" is not one of/],
    [["deep-compression"], 2, /^repro deep-compression: --model is required/],
    [["deep-compression", "--model", "lenet-5", "--seed", "abc"], 2, /^repro deep-compression: --seed: "abc"/],
    [
      ["deep-compression", "--model", "lenet-5", "--fulll"],
      2,
      /^repro deep-compression: unknown option '--fulll' \(run repro deep-compression --help for usage\)$/,
    ],
    [
      ["deep-compression", "--model"],
      2,
      /^repro deep-compression: option '--model <name>' argument missing \(run repro deep-compression --help for usage\)$/,
    ],
  ])("%j: one line on stderr, exit code %i, runner not called", async (args, exitCode, message) => {
    const h = harness();
    expect(await h.run(...(args as string[]))).toBe(exitCode);
    expect(h.calls).toEqual([]);
    const text = h.errors.join("").trimEnd();
    expect(text).toMatch(message);
    expect(text.split("\n")).toHaveLength(1);
  });

  it("runtime failures are one line with exit code 1 (no stack trace)", async () => {
    const h = harness(async () => {
      throw new Error("stages/x/result.json: not valid JSON\n    at somewhere (file.ts:1:1)");
    });
    expect(await h.run("deep-compression", "--model", "lenet-5")).toBe(1);
    expect(h.errors.join("").trimEnd()).toBe("repro deep-compression: unexpected error: stages/x/result.json: not valid JSON");
  });

  it("repro with no command runs the quick LeNet-300-100 reproduction", async () => {
    const calls: DeepCompressionOptions[] = [];
    await runQuickReproduction(async (o) => {
      calls.push(o);
    });
    expect(calls[0]).toMatchObject({ models: ["lenet-300-100"], full: false, seed: 1, runId: "dc-lenet-300-100-quick-seed1" });
  });
});

describe("the real executable", () => {
  const appDir = resolve(fileURLToPath(new URL("../..", import.meta.url)));
  it("a bad flag value: one line on stderr, non-zero exit, no stack trace, nothing on stdout", () => {
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "--conditions=@dcnpi/source", "src/cli.ts", "deep-compression", "--model", "lenet-6"],
      {
        cwd: appDir,
        encoding: "utf8",
        env: { ...process.env, INIT_CWD: "/tmp" },
      },
    );
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trimEnd()).toBe(
      'repro deep-compression: --model: "lenet-6" is not one of lenet-300-100, lenet-5, alexnet, vgg16, all',
    );
  }, 60_000);
});
