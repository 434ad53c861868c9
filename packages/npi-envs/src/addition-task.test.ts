import { countTraceSteps, formatTrace, recordTrace, traceActions, verifyTrace, type Trace } from "@dcnpi/npi-core";
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { AdditionAction, AdditionRow, additionTask, BLANK, type AdditionInput } from "./addition-task.js";

function teacherTrace(input: AdditionInput): Trace {
  return recordTrace(additionTask, additionTask.createEnvironment(input));
}

describe("addition teacher and verifier", () => {
  it("solves 5,000 random problems of 1-60 digits, and the verifier replays every trace to the right sum", () => {
    const rng = Rng.fromSeed(1).fork("addition-test");
    for (let i = 0; i < 5000; i++) {
      const input = additionTask.randomInput(rng, 1 + rng.int(60));
      const env = additionTask.createEnvironment(input);
      const trace = recordTrace(additionTask, env, { observations: false });
      expect(additionTask.isSolved(input, env), `${input.a}+${input.b}`).toBe(true);
      const verdict = verifyTrace(additionTask, input, trace);
      expect(verdict, `${input.a}+${input.b}`).toEqual({ correct: true, actions: traceActions(additionTask, trace).length });
    }
  });

  it("gets 1007 + 3 = 1010, 0 + 0 = 0 and 999999 + 1 = 1000000 (blank cells are not zeros)", () => {
    for (const [a, b, sum] of [
      ["1007", "3", "1010"],
      ["3", "1007", "1010"],
      ["0", "0", "0"],
      ["999999", "1", "1000000"],
    ] as const) {
      const env = additionTask.createEnvironment({ a, b });
      recordTrace(additionTask, env);
      expect(env.output()).toBe(sum);
    }
  });

  it("follows the paper's Fig. 3b trace shape for 96 + 125 = 221", () => {
    const trace = teacherTrace({ a: "96", b: "125" });
    const text = formatTrace(additionTask, trace);
    expect(text.split("\n").slice(0, 14)).toEqual([
      "ADD",
      "  ADD1",
      "    ACT WRITE OUT 1",
      "    CARRY  [end]",
      "      ACT MOVE CARRY LEFT",
      "      ACT WRITE CARRY 1",
      "      ACT MOVE CARRY RIGHT  [end]",
      "  LSHIFT",
      "    ACT MOVE INP1 LEFT",
      "    ACT MOVE INP2 LEFT",
      "    ACT MOVE CARRY LEFT",
      "    ACT MOVE OUT LEFT  [end]",
      "  ADD1",
      "    ACT WRITE OUT 2",
    ]);
    expect(text.split("\n").at(-1)).toBe("  (return)  [end]");
    // ADD: 3 x (ADD1, LSHIFT) + the final return step.
    expect(trace.steps.map((s) => s.call?.program ?? "-")).toEqual(["ADD1", "LSHIFT", "ADD1", "LSHIFT", "ADD1", "LSHIFT", "-"]);
  });

  it("observes one-hot digits (blank = 11th value) under the four pointers", () => {
    const env = additionTask.createEnvironment({ a: "5", b: "38" });
    const observation = additionTask.observe(env);
    expect([...observation].map((v, i) => (v === 1 ? i : -1)).filter((i) => i >= 0)).toEqual([5, 11 + 8, 22 + BLANK, 33 + BLANK]);
  });

  it("rejects wrong traces: a changed digit, a missing end, steps after the end", () => {
    const input = { a: "47", b: "85" };
    const trace = teacherTrace(input);
    const wrongDigit = structuredClone(trace) as unknown as { steps: { invocation?: { steps: { call: { args: number[] } }[] } }[] };
    wrongDigit.steps[0]!.invocation!.steps[0]!.call.args = [AdditionAction.WRITE, AdditionRow.OUTPUT, 3];
    expect(verifyTrace(additionTask, input, wrongDigit as unknown as Trace)).toMatchObject({
      correct: false,
      reason: "wrong final answer",
    });
    const noEnd = { ...trace, steps: trace.steps.slice(0, -1) };
    expect(verifyTrace(additionTask, input, noEnd).reason).toMatch(/never ended/);
    const extra = { ...trace, steps: [...trace.steps, trace.steps.at(-1)!] };
    expect(verifyTrace(additionTask, input, extra).reason).toMatch(/steps after the end step/);
  });

  it("takes about 9 steps per digit (the RUN budget scales linearly)", () => {
    const rng = Rng.fromSeed(2);
    const steps = countTraceSteps(teacherTrace(additionTask.randomInput(rng, 100)));
    expect(steps).toBeGreaterThan(700);
    expect(steps).toBeLessThan(1100);
  });
});
