import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliHarness } from "../testing/cli-harness.js";

// Tiny quicksort models trained for a few steps: checks that train, verify, run and eval accept both
// quicksort tasks (not that the models are good; the real runs are in the README).
const { scratch, cli } = cliHarness("npi-quicksort-");

describe("npi with the quicksort tasks (tiny models)", () => {
  it("trains both, verifies the recursive one against its 48 contexts, runs it and evaluates both on the same arrays", async () => {
    const recursive = await cli(["train", "--task", "recursive-quicksort", "--quick", "--max-steps", "3", "--out", "rq"]);
    expect(recursive.code, recursive.err).toBe(0);
    expect(recursive.out).toMatch(/^recursive-quicksort: 3 steps/);
    const iterative = await cli(["train", "--task", "qsort", "--quick", "--max-steps", "2", "--out", "q"]);
    expect(iterative.code, iterative.err).toBe(0);

    const verify = await cli(["verify", "rq", "--out", "verify.json"]);
    expect(verify.code, verify.err).toBe(0);
    expect(verify.out).toMatch(
      /^dense .*rq \(\d+ bytes\), task recursive-quicksort\n(NOT PROVEN: \d+ of 48 contexts wrong|PROVEN: correct on all 48)/,
    );
    const saved = JSON.parse(readFileSync(join(scratch, "verify.json"), "utf8"));
    expect(saved.models[0].result.perProgram.map((p: { program: string; contexts: number }) => [p.program, p.contexts]).sort()).toEqual([
      ["COMPSWAP", 6],
      ["COMPSWAP_LOOP", 20],
      ["PARTITION", 4],
      ["QUICKSORT", 18],
    ]);
    const refused = await cli(["verify", "q"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/q: task quicksort has no verification set; only recursive tasks \(.*recursive-quicksort.*\) have one/);

    const run = await cli(["run", "rq", "--task", "recursive-quicksort", "--input", "3,1,2", "--json"]);
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ task: "recursive-quicksort", expected: [1, 2, 3] });

    const evaluation = await cli([
      "eval",
      "rq",
      "q",
      "--task",
      "recursive-quicksort",
      "--lengths",
      "3,5",
      "--problems",
      "2",
      "--out",
      "eval",
    ]);
    expect(evaluation.code, evaluation.err).toBe(0);
    expect(evaluation.out).toMatch(/rq/);
    expect(evaluation.out).toMatch(/\bq\b/);
  }, 600_000);
});
