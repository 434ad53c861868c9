import { describe, expect, it } from "vitest";
import { DEFAULT_ARGUMENTS, type Arguments } from "./arguments.js";
import { defineTask } from "./task.js";
import { recordTrace, verifyTrace, traceActions } from "./trace.js";
import { runProgram, runPrograms } from "./run-loop.js";
import { tallyTask } from "./testing/tally-task.js";
import { TallyMockModel, rows } from "./testing/tally-mock-model.js";

describe("RUN loop", () => {
  it("runs the same calls as the teacher, and the verifier accepts the model's trace", () => {
    for (const target of [0, 1, 2, 5]) {
      const model = new TallyMockModel();
      const env = tallyTask.createEnvironment(target);
      const result = runProgram(model, { task: tallyTask, env });
      expect(result.status).toBe("returned");
      expect(env.marks).toBe(target);
      const teacher = recordTrace(tallyTask, tallyTask.createEnvironment(target), { observations: false });
      expect(traceActions(tallyTask, result.trace)).toEqual(traceActions(tallyTask, teacher));
      expect(verifyTrace(tallyTask, target, result.trace)).toMatchObject({ correct: true });
      // Model steps: TALLY makes one step per MARK (+1 return step when target is 0), MARK two each.
      expect(result.steps).toBe(target === 0 ? 1 : 3 * target);
    }
  });

  it("starts every call from a zero state and resumes the caller with its own state", () => {
    const model = new TallyMockModel();
    runProgram(model, { task: tallyTask, env: tallyTask.createEnvironment(3) });
    const tally = model.seen.filter((s) => s.program === "tally/TALLY").map((s) => s.state);
    const mark = model.seen.filter((s) => s.program === "tally/MARK").map((s) => s.state);
    expect(tally).toEqual([undefined, 1, 2]);
    expect(mark).toEqual([undefined, 1, undefined, 1, undefined, 1]);
    // ACT never gets a frame: the model is never asked to step ACT.
    expect(model.seen.some((s) => s.program === "ACT")).toBe(false);
  });

  it("returns after the callee when the calling step carried the end flag (footnote 1)", () => {
    const model = new TallyMockModel();
    const result = runProgram(model, { task: tallyTask, env: tallyTask.createEnvironment(2) }, { log: true, snapshots: true });
    expect(result.log!.map((e) => `${e.stack.join(">")}:${e.call?.program ?? "-"}${e.end ? "!" : ""}`)).toEqual([
      "TALLY:MARK",
      "TALLY>MARK:ACT",
      "TALLY>MARK:ACT!",
      "TALLY:MARK!",
      "TALLY>MARK:ACT",
      "TALLY>MARK:ACT!",
    ]);
    expect(result.log!.map((e) => e.depth)).toEqual([1, 2, 2, 1, 2, 2]);
    expect(result.log![1]).toMatchObject({ action: "ADD", snapshot: { marks: 1, flag: 0 } });
    expect(result.trace.steps.map((s) => s.end)).toEqual([false, true]);
    // Arguments of a program that takes none are replaced by the defaults.
    expect(result.trace.steps[0]!.call!.args).toEqual([0, 0, 0]);
  });

  it("stops a model that never ends at the step limit, and one that recurses at the depth limit", () => {
    const looping = new TallyMockModel((r, k) =>
      rows[r.program] === "tally/TALLY" ? { endProbability: 0, call: null, args: DEFAULT_ARGUMENTS, state: k + 1 } : undefined,
    );
    const stuck = runProgram(looping, { task: tallyTask, env: tallyTask.createEnvironment(2) }, { maxSteps: 25 });
    expect(stuck).toMatchObject({ status: "step-limit", steps: 25 });
    const recursing = new TallyMockModel((_r, k) => ({ endProbability: 0, call: 1, args: DEFAULT_ARGUMENTS, state: k + 1 }));
    const deep = runProgram(recursing, { task: tallyTask, env: tallyTask.createEnvironment(2) }, { maxDepth: 4 });
    expect(deep).toMatchObject({ status: "depth-limit", maxDepth: 4, steps: 4 });
    expect(verifyTrace(tallyTask, 2, deep.trace).correct).toBe(false);
  });

  it("reports calls to another environment's program and ACT arguments out of range as invalid", () => {
    const foreign = new TallyMockModel(() => ({ endProbability: 0, call: 3, args: DEFAULT_ARGUMENTS, state: 1 }));
    expect(runProgram(foreign, { task: tallyTask, env: tallyTask.createEnvironment(1) })).toMatchObject({
      status: "invalid-call",
      message: expect.stringMatching(/other\/FOREIGN/),
    });
    // A stopped run's trace never reads as finished, even when the model's end flag was up on the
    // invalid step and the environment happens to hold the answer (target 0 is solved from the start).
    const foreignEnd = new TallyMockModel(() => ({ endProbability: 1, call: 3, args: DEFAULT_ARGUMENTS, state: 1 }));
    const stopped = runProgram(foreignEnd, { task: tallyTask, env: tallyTask.createEnvironment(0) });
    expect(stopped.status).toBe("invalid-call");
    expect(verifyTrace(tallyTask, 0, stopped.trace)).toMatchObject({ correct: false, reason: expect.stringMatching(/never ended/) });
    const badArgs = new TallyMockModel((r) =>
      rows[r.program] === "tally/MARK" ? { endProbability: 0, call: 2, args: [1, 5, 0], state: 1 } : undefined,
    );
    expect(runProgram(badArgs, { task: tallyTask, env: tallyTask.createEnvironment(1) }).status).toBe("invalid-call");
  });

  it("logs the step that stopped a run too: one log entry per step, the invalid call last", () => {
    const foreign = new TallyMockModel(() => ({ endProbability: 0, call: 3, args: DEFAULT_ARGUMENTS, state: 1 }));
    const seen: number[] = [];
    const run = runProgram(
      foreign,
      { task: tallyTask, env: tallyTask.createEnvironment(1) },
      { log: true, onStep: (_, e) => seen.push(e.step) },
    );
    expect(run).toMatchObject({ status: "invalid-call", steps: 1 });
    expect(run.log).toEqual([expect.objectContaining({ step: 0, depth: 1, stack: ["TALLY"], program: "TALLY", end: false, call: null })]);
    expect(seen).toEqual([0]);
    const badArgs = new TallyMockModel((r) =>
      rows[r.program] === "tally/MARK" ? { endProbability: 0, call: 2, args: [1, 5, 0], state: 1 } : undefined,
    );
    const bad = runProgram(badArgs, { task: tallyTask, env: tallyTask.createEnvironment(1) }, { log: true });
    expect(bad.log!.length).toBe(bad.steps);
    expect(bad.log!.at(-1)).toMatchObject({ program: "MARK", stack: ["TALLY", "MARK"], call: { program: "ACT", args: [1, 5, 0] } });
  });

  it("runs many problems in one batch with the same results as one at a time", () => {
    const targets = [0, 4, 1, 7, 2, 2, 9];
    const batchModel = new TallyMockModel();
    const envs = targets.map((t) => tallyTask.createEnvironment(t));
    const batched = runPrograms(
      batchModel,
      envs.map((env) => ({ task: tallyTask, env })),
    );
    targets.forEach((target, i) => {
      const single = runProgram(new TallyMockModel(), { task: tallyTask, env: tallyTask.createEnvironment(target) });
      expect(batched[i]).toEqual(single);
      expect(envs[i]!.marks).toBe(target);
    });
  });

  it("checks task definitions", () => {
    const base = { ...tallyTask, name: "broken", environment: "broken" };
    expect(() => defineTask({ ...base, programs: tallyTask.programs.filter((p) => !p.act) })).toThrow(/exactly one ACT/);
    expect(() => defineTask({ ...base, rootProgram: "NOPE" })).toThrow(/root program "NOPE"/);
    expect(() => defineTask({ ...base, programs: [...tallyTask.programs, { name: "LOOSE" }] })).toThrow(/"LOOSE" has no teacher/);
    expect(() => defineTask({ ...base, argumentSizes: [1, 1] as unknown as Arguments })).toThrow(/argumentSizes/);
  });
});
