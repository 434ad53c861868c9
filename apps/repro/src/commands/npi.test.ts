import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const appDir = resolve(fileURLToPath(import.meta.url), "../../..");
const repro = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "--conditions=@dcnpi/source", "src/cli.ts", "npi", ...args], {
    cwd: appDir,
    encoding: "utf8",
    env: { ...process.env, INIT_CWD: "/tmp" },
  });

describe("repro npi errors", () => {
  it("a failure inside a run is one line and exit 1: no stack, no help page", () => {
    // A results directory under a file: the run directory cannot be made.
    const result = repro("car", "--quick", "--results-dir", "/etc/passwd/x");
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr
      .trimEnd()
      .split("\n")
      .filter((l) => !l.startsWith("dcnpi engine:"));
    expect(lines).toEqual(["repro npi: ENOTDIR: not a directory, mkdir '/etc/passwd/x/npi-car-seed1-quick/stages'"]);
  }, 60_000);

  it("an unknown experiment is one line and exit 2 (a usage error)", () => {
    const result = repro("frob");
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd()).toBe(
      'repro npi: unknown experiment "frob" (expected addition, sorting, sample-complexity, all, car, multitask)',
    );
  }, 60_000);
});
