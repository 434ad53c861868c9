import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LengthResult } from "@dcnpi/npi-core";
import { FULL_RECIPES } from "./recipes.js";
import { writeNpiReport } from "./report.js";
import type { TrainSummary } from "./train.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const training: TrainSummary = {
  steps: 900,
  stoppedEarly: true,
  wallSeconds: 600,
  cpuSeconds: 500,
  dataset: { traces: 640, invocations: 1000, uniqueInvocations: 500, steps: 9000, observations: 300, perProgram: [] },
  validation: [{ step: 900, accuracy: 1, teacherForcedError: 0 }],
  finalErrors: [{ program: "addition/ADD", stepError: 0, sequenceError: 0 }],
  lossCurve: [
    { step: 10, loss: 2 },
    { step: 20, loss: 0.5 },
  ],
};
const row = (length: number, correct: number, problems = 10): LengthResult => ({
  length,
  problems,
  correct,
  traceExact: correct,
  statuses: { returned: correct, "step-limit": problems - correct },
  modelSteps: 100 * problems,
});

describe("NPI report", () => {
  it("writes report.md, a self-contained report.html and one SVG per figure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "npi-report-"));
    dirs.push(dir);
    await writeNpiReport(
      dir,
      {
        quick: false,
        seed: 1,
        backend: "wasm",
        addition: {
          recipe: FULL_RECIPES.addition,
          training,
          evaluation: { lengths: [row(1, 10), row(3000, 10)], wallSeconds: 60 },
          spotChecks: [{ input: "1007 + 3", expected: "1010", output: "1010", status: "returned", correct: true }],
        },
        sorting: {
          recipe: FULL_RECIPES.sorting,
          training,
          evaluation: { lengths: [row(2, 10), row(60, 10), row(70, 7)], wallSeconds: 60 },
        },
        sampleComplexity: { length: 20, rows: [2, 8].map((traces) => ({ traces, training, result: row(20, traces === 2 ? 3 : 10) })) },
      },
      { cores: 2, cpu: "test", loadAverageAtStart: 1, loadAverageAtEnd: 2, gitCommit: "abc", wallSeconds: 1200 },
    );
    const md = readFileSync(join(dir, "report.md"), "utf8");
    expect(md).toContain("| 3000 | 10 | 100% | 100% | – |");
    expect(md).toContain("100% at every tested length up to 60; ");
    expect(md).toContain("| 1007 + 3 | 1010 | 1010 | returned | yes |");
    expect(md).toMatch(/!\[Sorting: per-sequence accuracy vs array length\]\(figures\/sorting-accuracy\.svg\)/);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html.match(/<svg/g)?.length).toBe(4);
    for (const figure of ["addition-accuracy", "sorting-accuracy", "sample-complexity", "training-loss"])
      expect(readFileSync(join(dir, "figures", `${figure}.svg`), "utf8")).toMatch(/^<svg/);
  });
});
