import { describe, expect, it } from "vitest";
import { evaluateProblems, runBudget, traceDepth } from "./evaluate-problems.js";
import { InvocationDataset } from "./invocation-dataset.js";
import { runProgram, runPrograms } from "./run-loop.js";
import { countdownTask, CountdownMockModel } from "./testing/countdown-task.js";
import { countTraceSteps, formatTrace, recordTrace, traceActions, verifyTrace } from "./trace.js";
import { verifyContexts } from "./verification-set.js";

const trace = (target: number, program?: string) =>
  recordTrace(countdownTask, countdownTask.createEnvironment(target), program === undefined ? {} : { program });

describe("recursion", () => {
  it("records a program that calls itself, as a chain of invocations each ending with its tail call", () => {
    const t = trace(2, "COUNT");
    expect(formatTrace(countdownTask, t)).toBe(
      ["COUNT", "  ACT 0 0 0", "  COUNT  [end]", "    ACT 0 0 0", "    COUNT  [end]", "      (return)  [end]"].join("\n"),
    );
    expect(traceDepth(t)).toBe(3);
    expect(verifyTrace(countdownTask, 2, t)).toEqual({ correct: true, actions: 2 });
  });

  it("records mutual recursion (PING calls PONG, which calls PING), tail and non-tail calls mixed", () => {
    const t = trace(3, "PING");
    expect(traceActions(countdownTask, t)).toHaveLength(3);
    // PING > PONG > PING > PONG > PING > PONG: three PINGs, each waiting for its PONG.
    expect(traceDepth(t)).toBe(6);
    expect(verifyTrace(countdownTask, 3, t).correct).toBe(true);
  });

  it("records, verifies and counts a trace 12,000 calls deep without deep JavaScript recursion", () => {
    const t = trace(12_000);
    expect(traceDepth(t)).toBe(12_001);
    expect(countTraceSteps(t)).toBe(2 * 12_000 + 1);
    expect(traceActions(countdownTask, t)).toHaveLength(12_000);
    expect(verifyTrace(countdownTask, 12_000, t).correct).toBe(true);
    expect(runBudget(countdownTask, 12_000)).toEqual({ maxSteps: 2 * 24_001 + 20, maxDepth: 2 * 12_001 + 10 });
  });

  it("RUN: every recursive call starts from a zero state; the depth limit is a failed run, not an exception", () => {
    const model = new CountdownMockModel();
    const run = runProgram(model, { task: countdownTask, env: countdownTask.createEnvironment(3), maxDepth: 100 });
    expect(run).toMatchObject({ status: "returned", steps: 7, maxDepth: 4 });
    expect(model.seen.map((s) => s.state)).toEqual([undefined, 1, undefined, 1, undefined, 1, undefined]);
    expect(verifyTrace(countdownTask, 3, run.trace).correct).toBe(true);
    // The default stack (10) is too shallow for 12 marks: the run stops with a status.
    const env = countdownTask.createEnvironment(12);
    const shallow = runProgram(new CountdownMockModel(), { task: countdownTask, env });
    expect(shallow).toMatchObject({ status: "depth-limit", maxDepth: 10 });
    expect(verifyTrace(countdownTask, 12, shallow.trace).correct).toBe(false);
    // A model recursing forever overflows whatever the limit.
    const forever = runProgram(
      new CountdownMockModel({ neverEnds: true }),
      { task: countdownTask, env: countdownTask.createEnvironment(1) },
      { maxDepth: 500 },
    );
    expect(forever).toMatchObject({ status: "depth-limit", maxDepth: 500 });
  });

  it("evaluateProblems gives each problem a stack for its depth: 5,000 marks run, batched, all correct", () => {
    const inputs = [0, 1, 7, 5000, 64];
    const result = evaluateProblems(new CountdownMockModel(), countdownTask, inputs, { groupOf: (n) => n });
    expect(result).toMatchObject({ problems: 5, correct: 5, traceExact: 5 });
    const batched = runPrograms(
      new CountdownMockModel(),
      inputs.map((n) => ({ task: countdownTask, env: countdownTask.createEnvironment(n), ...runBudget(countdownTask, n) })),
    );
    inputs.forEach((n, i) => {
      const single = runProgram(new CountdownMockModel(), {
        task: countdownTask,
        env: countdownTask.createEnvironment(n),
        ...runBudget(countdownTask, n),
      });
      // (Compared through their actions: a 5,000-deep trace is too deep for a recursive deep-equality check.)
      const { trace: batchedTrace, ...batchedRest } = batched[i]!;
      const { trace: singleTrace, ...singleRest } = single;
      expect(batchedRest).toEqual(singleRest);
      expect(traceActions(countdownTask, batchedTrace)).toEqual(traceActions(countdownTask, singleTrace));
    });
  });

  it("cuts recursive traces into one training sequence per call, identical calls stored once", () => {
    const table = {
      programIndex: (n: string) => ["countdown/COUNT", "countdown/PING", "countdown/PONG", "ACT"].indexOf(n),
      programName: (i: number) => String(i),
    };
    const dataset = new InvocationDataset(table).addTeacherTraces(countdownTask, [3, 5]);
    const stats = dataset.stats();
    expect(stats.invocations).toBe(4 + 6);
    // "mark then recurse" with some or none missing after the mark, and the base case.
    expect(stats.uniqueInvocations).toBe(3);
  });

  it("verification set: a correct model is proven; a model that stops early is caught at the context where it is wrong", () => {
    const proven = verifyContexts(new CountdownMockModel(), countdownTask);
    expect(proven).toMatchObject({ cases: 3, contexts: 3, passed: 3, proven: true, failures: [] });
    const wrong = verifyContexts(new CountdownMockModel({ stopsEarly: true }), countdownTask);
    expect(wrong).toMatchObject({ contexts: 3, passed: 2, proven: false });
    expect(wrong.failures).toEqual([
      { label: "COUNT with two missing", program: "COUNT", step: 2, expected: "COUNT end", got: "(nothing) end" },
    ]);
    // ... and that model is indeed wrong from 2 marks on, right below.
    expect(evaluateProblems(new CountdownMockModel({ stopsEarly: true }), countdownTask, [0, 1, 2, 3]).correct).toBe(2);
  });
});
