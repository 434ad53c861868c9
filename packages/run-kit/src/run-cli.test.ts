import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DcnpiError } from "@dcnpi/base";
import { RunError } from "./errors.js";
import { invocationDirectory, runCli, usageErrorOutput } from "./run-cli.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

async function run(main: () => unknown, env: NodeJS.ProcessEnv = {}) {
  let err = "";
  const code = await runCli("tool", main, { err: (t) => (err += t), env });
  return { code, err };
}

/** What commander throws under exitOverride(), without importing commander here. */
function commanderError(code: string, exitCode: number): Error {
  return Object.assign(new Error("(outputHelp)"), { code, exitCode });
}

describe("runCli", () => {
  it("exit 0 and nothing printed when the command succeeds, or shows help", async () => {
    expect(await run(async () => {})).toEqual({ code: 0, err: "" });
    expect(await run(() => Promise.reject(commanderError("commander.helpDisplayed", 0)))).toEqual({ code: 0, err: "" });
  });

  it("expected errors: one line `name: message`, exit 1 (2 for code USAGE)", async () => {
    class ToolError extends DcnpiError<"BAD_FILE" | "USAGE"> {}
    expect(await run(() => Promise.reject(new ToolError("BAD_FILE", "m.dcnpi: not a container\n  (magic bytes 00 00)")))).toEqual({
      code: 1,
      err: "tool: m.dcnpi: not a container (magic bytes 00 00)\n",
    });
    expect(await run(() => Promise.reject(new ToolError("USAGE", "--seed: must be an integer")))).toEqual({
      code: 2,
      err: "tool: --seed: must be an integer\n",
    });
    // Not yet a DcnpiError: an error class with a literal code, and a Node system error.
    expect(await run(() => Promise.reject(new RunError("CORRUPT_STAGE", "stages/x/result.json: not valid JSON")))).toEqual({
      code: 1,
      err: "tool: stages/x/result.json: not valid JSON\n",
    });
    const enoent = await run(() => readFileSync("/nonexistent/m.dcnpi"));
    expect(enoent).toEqual({ code: 1, err: "tool: ENOENT: no such file or directory, open '/nonexistent/m.dcnpi'\n" });
  });

  it("commander usage errors exit 2; commander printed the line itself", async () => {
    expect(await run(() => Promise.reject(commanderError("commander.unknownOption", 1)))).toEqual({ code: 2, err: "" });
    let printed = "";
    usageErrorOutput("tool")("error: unknown option '--fulll'\n", (t) => (printed += t));
    expect(printed).toBe("tool: unknown option '--fulll' (run tool --help for usage)\n");
  });

  it("anything else is an unexpected error: its first line, exit 1; DCNPI_DEBUG=1 adds the stack", async () => {
    const bug = () => Promise.reject(new TypeError("x is undefined\n<pages of minified source>"));
    expect(await run(bug)).toEqual({ code: 1, err: "tool: unexpected error: x is undefined\n" });
    expect(await run(() => Promise.reject("a string"))).toEqual({ code: 1, err: "tool: unexpected error: a string\n" });
    const debug = await run(bug, { DCNPI_DEBUG: "1" });
    expect(debug.code).toBe(1);
    expect(debug.err).toMatch(/^tool: unexpected error: x is undefined\nTypeError: x is undefined\n[\s\S]*\n\s+at /);
  });

  it("names the failing subcommand when the name is a function", async () => {
    let name = "tool";
    const result = await runCli(
      () => name,
      async () => {
        name = "tool sub";
        throw new RunError("INVALID_RUN_ID", 'run id "../x" must be a plain name');
      },
      { err: () => {} },
    );
    expect(result).toBe(1);
    expect(name).toBe("tool sub");
  });
});

describe("invocationDirectory", () => {
  it("is INIT_CWD when this process is the package script pnpm/npm started, the cwd otherwise", () => {
    const scriptEnv = { INIT_CWD: "/home/me/models", npm_package_json: "/repo/package.json" };
    expect(invocationDirectory(scriptEnv, "/repo")).toBe("/home/me/models");
    // A program started elsewhere by something under a script (a test) inherits INIT_CWD: ignored.
    expect(invocationDirectory(scriptEnv, "/tmp/scratch")).toBe("/tmp/scratch");
    expect(invocationDirectory({}, "/tmp/scratch")).toBe("/tmp/scratch");
  });
});

describe("the split from report-kit", () => {
  it("declares no plotting or markdown dependency", () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
    expect(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })).not.toEqual(expect.arrayContaining(["vega"]));
    for (const name of ["vega", "vega-lite", "marked"]) expect(pkg.dependencies[name]).toBeUndefined();
  });

  it("importing @dcnpi/run-kit loads no vega, vega-lite or marked module", () => {
    // A child process with a resolve hook that reports every module it loads.
    const hook =
      `export async function resolve(specifier, context, next) { const r = await next(specifier, ` +
      `context); process.stderr.write("LOADED " + r.url + "\\n"); return r; }`;
    const script = `
      import { register } from "node:module";
      register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hook)}));
      const kit = await import("@dcnpi/run-kit");
      if (typeof kit.runCli !== "function" || typeof kit.createProgress !== "function") throw new Error("run-kit did not load");
    `;
    const result = spawnSync(process.execPath, ["--import", "tsx", "--conditions=@dcnpi/source", "--input-type=module", "-e", script], {
      cwd: packageDir,
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    const loaded = result.stderr.split("\n").filter((l) => l.startsWith("LOADED "));
    expect(loaded.some((l) => l.includes("cli-progress"))).toBe(true); // the hook does see dependencies
    expect(loaded.filter((l) => /node_modules\/(\.pnpm\/)?(vega|marked)/.test(l))).toEqual([]);
  }, 60_000);
});
