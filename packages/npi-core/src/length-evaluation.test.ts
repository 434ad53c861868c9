import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DEFAULT_ARGUMENTS } from "./arguments.js";
import {
  LENGTH_EVALUATION_VERSION,
  NpiResultError,
  evaluateLengths,
  lengthEvaluationSchema,
  parseLengthEvaluation,
  randomProblems,
  storedLengthEvaluationSchema,
  type LengthEvaluation,
} from "./length-evaluation.js";
import { readLengthEvaluationFile } from "./node/length-evaluation-file.js";
import { TallyMockModel, rows } from "./testing/tally-mock-model.js";
import { tallyTask } from "./testing/tally-task.js";

const length = (n: number, correct: number) => ({
  length: n,
  problems: 10,
  correct,
  traceExact: correct,
  statuses: { returned: 10 },
  modelSteps: 100 * n,
});
const tempDir = () => mkdtempSync(join(tmpdir(), "npi-length-eval-"));
/** A stage file as run-kit's `stage()` writes it. */
const stageFile = (value: unknown) => {
  const file = join(tempDir(), "result.json");
  writeFileSync(file, JSON.stringify({ stage: "x-eval", finishedAt: "2026-11-30T00:00:00.000Z", value }));
  return file;
};

describe("evaluateLengths", () => {
  it("runs every length's problems together and tallies each length: the teacher-like model solves all, a model that stops short none above 2", () => {
    const plans = [
      { length: 1, problems: 3 },
      { length: 6, problems: 4 },
    ];
    const problemsOf = (plan: { length: number; problems: number }) =>
      randomProblems(tallyTask, plan, Rng.fromSeed("t").fork(`length-${plan.length}`));
    const good = evaluateLengths(new TallyMockModel(), tallyTask, plans, { problemsOf, batchSize: 2 });
    expect(good.version).toBe(LENGTH_EVALUATION_VERSION);
    expect(good.lengths.map((l) => [l.length, l.problems, l.correct, l.traceExact])).toEqual([
      [1, 3, 3, 3],
      [6, 4, 4, 4],
    ]);
    expect(lengthEvaluationSchema.parse(good)).toEqual(good);
    // TALLY that returns after its second MARK: targets of at most 2 are still right.
    const short = new TallyMockModel((r, k) =>
      rows[r.program] === "tally/TALLY" && k >= 2 ? { endProbability: 0.99, call: null, args: DEFAULT_ARGUMENTS, state: k + 1 } : undefined,
    );
    const inputs = plans.map((p) => problemsOf(p));
    const expected = inputs.map((list) => list.filter((target) => target <= 2).length);
    const bad = evaluateLengths(short, tallyTask, plans, { problemsOf });
    expect(bad.lengths.map((l) => l.correct)).toEqual(expected);
    expect(() => evaluateLengths(short, tallyTask, plans, { problemsOf: () => [1] })).toThrow(
      expect.objectContaining({
        code: "INVALID_OPTIONS",
        message: expect.stringMatching(/1 problems given for length 1, the plan says 3/),
      }),
    );
  });
});

describe("a saved length evaluation", () => {
  it("round-trips through a stage file and through run-kit's schema hook", () => {
    const evaluation: LengthEvaluation = { version: 1, lengths: [length(2, 10), length(3, 9)], wallSeconds: 4.5 };
    expect(readLengthEvaluationFile(stageFile(evaluation))).toEqual(evaluation);
    expect(storedLengthEvaluationSchema.parse(JSON.parse(JSON.stringify(evaluation)))).toEqual(evaluation);
  });

  // Moved from apps/repro/src/npi/evaluate.test.ts (cachedEvaluation), same records and sums; the result now carries version 1.
  it("reads the three older unversioned forms that results/ holds as today's", () => {
    // repro npi, after evaluations carried their total time (npi-all-seed1's sorting-eval).
    expect(readLengthEvaluationFile(stageFile({ lengths: [length(2, 10), length(3, 9)], wallSeconds: 4.5 }))).toEqual({
      version: 1,
      lengths: [length(2, 10), length(3, 9)],
      wallSeconds: 4.5,
    });
    // repro npi at first: a bare per-length array, each length with its time; the total is their sum.
    const older = [
      { ...length(2, 10), wallSeconds: 1.25 },
      { ...length(3, 9), wallSeconds: 2.5 },
    ];
    expect(readLengthEvaluationFile(stageFile(older))).toEqual({ version: 1, lengths: [length(2, 10), length(3, 9)], wallSeconds: 3.75 });
    // npi eval: one length with its time per stage.
    expect(parseLengthEvaluation({ ...length(7, 8), wallSeconds: 0.5 }, "npi-eval stage")).toEqual({
      version: 1,
      lengths: [length(7, 8)],
      wallSeconds: 0.5,
    });
  });

  it("refuses another version, a foreign value and a damaged file with NpiResultError naming the file", () => {
    const wrongVersion = stageFile({ version: 2, lengths: [], wallSeconds: 0 });
    expect(() => readLengthEvaluationFile(wrongVersion)).toThrow(NpiResultError);
    expect(() => readLengthEvaluationFile(wrongVersion)).toThrow(
      expect.objectContaining({
        code: "INVALID_RESULT",
        source: wrongVersion,
        message: expect.stringContaining(`${wrongVersion}: a length evaluation of version 2`),
      }),
    );
    const foreign = stageFile({ seen: {}, unseen: {} });
    expect(() => readLengthEvaluationFile(foreign)).toThrow(
      expect.objectContaining({ code: "INVALID_RESULT", message: expect.stringContaining(`${foreign}: not a length evaluation`) }),
    );
    const missingField = stageFile({ version: 1, lengths: [{ length: 2 }], wallSeconds: 1 });
    expect(() => readLengthEvaluationFile(missingField)).toThrow(
      expect.objectContaining({ code: "INVALID_RESULT", message: expect.stringMatching(/lengths\.0\.problems/) }),
    );
    const damaged = join(tempDir(), "result.json");
    writeFileSync(damaged, '{"stage": "x-eval", "val');
    expect(() => readLengthEvaluationFile(damaged)).toThrow(
      expect.objectContaining({ code: "INVALID_RESULT", message: expect.stringContaining(`${damaged}: not valid JSON`) }),
    );
    expect(readLengthEvaluationFile(join(tempDir(), "result.json"))).toBeUndefined();
    const hook = storedLengthEvaluationSchema.safeParse({ version: 2 });
    expect(hook.success).toBe(false);
    expect(z.prettifyError(hook.error!)).toMatch(/version 2/);
  });
});
