// Report layout with hand-made (synthetic) numbers: no model is trained here.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ProblemsEvaluation } from "@dcnpi/npi-core";
import { FULL_CAR_RECIPE } from "./car-recipes.js";
import { FULL_MULTITASK_RECIPE } from "./multitask-recipes.js";
import { writeNpiReport } from "./report.js";
import { readSingleTaskCells } from "./run-multitask.js";
import type { MultiTaskTrainSummary } from "./train-multitask.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const training: MultiTaskTrainSummary = {
  steps: 900,
  stoppedEarly: false,
  wallSeconds: 600,
  cpuSeconds: 500,
  dataset: { traces: 640, invocations: 1000, uniqueInvocations: 500, steps: 9000, observations: 300, perProgram: [] },
  validation: [{ step: 900, accuracy: 0.9, teacherForcedError: 0.01 }],
  lastValidation: { car: 0.9 },
  finalErrors: [{ program: "car/GOTO", stepError: 0.01, sequenceError: 0.02 }],
  lossCurve: [
    { step: 10, loss: 2 },
    { step: 20, loss: 0.5 },
  ],
};
const evaluation = (correct: number[], problems: number[]): ProblemsEvaluation => ({
  problems: problems.reduce((a, b) => a + b, 0),
  correct: correct.reduce((a, b) => a + b, 0),
  traceExact: correct.reduce((a, b) => a + b, 0),
  groups: problems.map((p, group) => ({
    group,
    problems: p,
    correct: correct[group]!,
    traceExact: correct[group]!,
    statuses: { returned: p },
    modelSteps: 10 * p,
  })),
  wallSeconds: 1,
});
const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>';

describe("Table 1's single-task cells from earlier runs", () => {
  it("refuses a damaged or foreign stage file with NpiResultError naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "npi-single-task-"));
    dirs.push(dir);
    const carFile = join(dir, "runs", "bad", "stages", "car-eval", "result.json");
    mkdirSync(dirname(carFile), { recursive: true });
    writeFileSync(carFile, JSON.stringify({ stage: "car-eval", value: { seen: { problems: 3 } } }));
    expect(() => readSingleTaskCells(join(dir, "runs"), ["bad"], FULL_MULTITASK_RECIPE.test, 4)).toThrow(
      expect.objectContaining({ code: "INVALID_RESULT", message: expect.stringContaining(`${carFile}: not a car evaluation`) }),
    );
    const sortingFile = join(dir, "runs", "cut", "stages", "sorting-eval", "result.json");
    mkdirSync(dirname(sortingFile), { recursive: true });
    writeFileSync(sortingFile, '{"stage": "sorting-eval", "value": [{"length": 5, "prob');
    expect(() => readSingleTaskCells(join(dir, "runs"), ["cut"], FULL_MULTITASK_RECIPE.test, 4)).toThrow(
      expect.objectContaining({ code: "INVALID_RESULT", message: expect.stringContaining(`${sortingFile}: not valid JSON`) }),
    );
  });
});

describe("NPI report: car and Table 1", () => {
  it("labels the car rows synthetic and puts ours beside the paper's Table 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "npi-car-report-"));
    dirs.push(dir);
    const seen = evaluation([1, 4, 9, 8, 8, 10, 5], [1, 4, 10, 10, 10, 10, 10]);
    const unseen = evaluation([2, 8, 10, 10, 9, 9, 9], [2, 8, 10, 10, 10, 10, 10]);
    // Single-task cells come from an earlier run's stage files.
    mkdirSync(join(dir, "runs", "old", "stages", "car-eval"), { recursive: true });
    writeFileSync(
      join(dir, "runs", "old", "stages", "car-eval", "result.json"),
      JSON.stringify({ stage: "car-eval", value: { seen, unseen } }),
    );
    mkdirSync(join(dir, "runs", "old", "stages", "addition-eval"), { recursive: true });
    writeFileSync(
      join(dir, "runs", "old", "stages", "addition-eval", "result.json"),
      JSON.stringify({
        stage: "addition-eval",
        value: {
          lengths: [{ length: 10, problems: 50, correct: 49, traceExact: 49, statuses: { returned: 50 }, modelSteps: 5200 }],
          wallSeconds: 12.5,
        },
      }),
    );
    // An older run's stage holds the bare list of lengths.
    mkdirSync(join(dir, "runs", "older", "stages", "sorting-eval"), { recursive: true });
    writeFileSync(
      join(dir, "runs", "older", "stages", "sorting-eval", "result.json"),
      JSON.stringify({
        stage: "sorting-eval",
        value: [{ length: 5, problems: 50, correct: 50, traceExact: 50, statuses: { returned: 50 }, modelSteps: 1900, wallSeconds: 3.25 }],
      }),
    );
    const singleTask = readSingleTaskCells(join(dir, "runs"), ["old", "older", "missing"], FULL_MULTITASK_RECIPE.test, 4);
    expect(singleTask.carSeen).toMatchObject({ correct: 1 + 4 + 9 + 8 + 8, problems: 35 });
    expect(singleTask.addition).toMatchObject({ correct: 49, problems: 50 });
    expect(singleTask.sorting).toMatchObject({ correct: 50, problems: 50 });

    await writeNpiReport(
      dir,
      {
        quick: false,
        seed: 1,
        backend: "wasm",
        car: {
          recipe: FULL_CAR_RECIPE,
          problems: { training: 1480, seenTest: 60, unseenTest: 70 },
          pixels: { training, evaluation: { seen, unseen } },
          oracle: { training, evaluation: { seen: evaluation([1, 4, 10, 10, 10, 10, 10], [1, 4, 10, 10, 10, 10, 10]), unseen } },
          pictures: {
            contactSheet: { png: "stages/car-contact-sheet/contact-sheet-car-1.png", svg },
            run: {
              png: "stages/car-run-picture/run-car-1.png",
              svg,
              carSeed: 1,
              moves: ["LEFT", "DOWN"],
              solved: true,
              status: "returned",
            },
          },
        },
        table1: {
          recipe: FULL_MULTITASK_RECIPE,
          singleTask,
          multiTask: {
            training,
            cells: {
              addition: { correct: 97, problems: 100 },
              sorting: { correct: 100, problems: 100 },
              carSeen: { correct: 30, problems: 32 },
              carUnseen: { correct: 29, problems: 31 },
            },
          },
          withMax: {
            training,
            cells: { addition: { correct: 97, problems: 100 }, maximum: { correct: 100, problems: 100 } },
            frozenWeightsUnchanged: true,
            trainedParameters: ["memory/programKeys/sorting/MAX"],
          },
        },
      },
      { cores: 2, cpu: "test", loadAverageAtStart: 1, loadAverageAtEnd: 2, gitCommit: "abc", wallSeconds: 1200 },
    );
    const md = readFileSync(join(dir, "report.md"), "utf8");
    expect(md).toContain("| pixels (CNN encoder), seen cars | 81.8% (45/55) | 81.8% | 10 returned off target | 89.5% |");
    expect(md).toContain("synthetic car canonicalisation (procedural meshes)");
    expect(md).toContain("| addition (10 digits) | 98.0 (49/50) | 97.0 (97/100) | 97.0 (97/100) | 100.0 / 97.0 / 97.0 |");
    expect(md).toContain("| sorting (length 5) | 100.0 (50/50) | 100.0 (100/100) | not run | 100.0 / 100.0 / 100.0 |");
    expect(md).toContain("| maximum (length 5) | – | – | 100.0 (100/100) | – / – / 100.0 |");
    expect(md).toContain("checked: every other weight is bit-identical");
    expect(md).toMatch(/!\[One synthetic car at every grid pose\]\(figures\/car-contact-sheet\.svg\)/);
    expect(readFileSync(join(dir, "figures", "car-run.svg"), "utf8")).toBe(svg);
  });
});
