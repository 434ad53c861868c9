import {
  formatTrace,
  recordTrace,
  runBudget,
  traceActions,
  traceContextKeys,
  traceDepth,
  verificationContexts,
  verifyTrace,
} from "@dcnpi/npi-core";
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { additionTask } from "./addition-task.js";
import { recursiveAdditionTask, recursiveAdditionVerificationSet } from "./recursive-addition-task.js";

describe("recursive addition (Cai et al. 2017)", () => {
  it("ADD calls itself on the next column after ADD1 and LSHIFT, with the end flag, and returns at an empty column", () => {
    const trace = recordTrace(recursiveAdditionTask, recursiveAdditionTask.createEnvironment({ a: "15", b: "7" }), { observations: false });
    expect(
      formatTrace(recursiveAdditionTask, trace)
        .split("\n")
        .filter((l) => !l.includes("ACT")),
    ).toEqual([
      "ADD",
      "  ADD1",
      "    CARRY  [end]",
      "  LSHIFT",
      "  ADD  [end]",
      "    ADD1",
      "    LSHIFT",
      "    ADD  [end]",
      "      (return)  [end]",
    ]);
  });

  it("writes the same actions as the non-recursive addition on 500 random problems of 1-60 digits, and the verifier accepts them", () => {
    const rng = Rng.fromSeed(3).fork("recursive-addition-test");
    for (let i = 0; i < 500; i++) {
      const input = additionTask.randomInput(rng, 1 + rng.int(60));
      const trace = recordTrace(recursiveAdditionTask, recursiveAdditionTask.createEnvironment(input), { observations: false });
      const flat = recordTrace(additionTask, additionTask.createEnvironment(input), { observations: false });
      expect(traceActions(recursiveAdditionTask, trace)).toEqual(traceActions(additionTask, flat));
      expect(verifyTrace(recursiveAdditionTask, input, trace).correct).toBe(true);
    }
  });

  it("records, verifies and budgets a 10,000-digit problem 10,000 calls deep without overflowing the JavaScript stack", () => {
    const digits = "9".repeat(10_000);
    const input = { a: digits, b: "1" };
    const trace = recordTrace(recursiveAdditionTask, recursiveAdditionTask.createEnvironment(input), { observations: false });
    // 10,000 digit columns + the final carry column + the base case: 10,002 nested ADDs (ADD1 and
    // CARRY under the 10,000th column reach the same depth).
    expect(traceDepth(trace)).toBe(10_002);
    expect(verifyTrace(recursiveAdditionTask, input, trace)).toMatchObject({ correct: true });
    expect(runBudget(recursiveAdditionTask, input).maxDepth).toBe(2 * 10_002 + 10);
    expect(formatTrace(recursiveAdditionTask, trace, { maxLines: 5 }).split("\n")).toHaveLength(5);
  });

  it("has a verification set of 49,184 contexts that covers every call of random traces of 1-40 digits", () => {
    const { cases, contexts } = verificationContexts(recursiveAdditionTask, recursiveAdditionVerificationSet());
    const perProgram = new Map<string, number>();
    for (const c of contexts) perProgram.set(c.invocation.program, (perProgram.get(c.invocation.program) ?? 0) + 1);
    // ADD: 1 base case + 12,320 column pairs without a carry in + 12,100 with one (nextCells); LSHIFT the
    // same pairs; ADD1: 241 non-empty columns; CARRY: the 102 columns whose sum is 10 or more (45 digit pairs
    // without a carry, 55 + 2 with one).
    expect(Object.fromEntries(perProgram)).toEqual({ ADD: 24_421, ADD1: 241, CARRY: 102, LSHIFT: 24_420 });
    expect(cases).toBe(contexts.length);
    const keys = new Set(contexts.map((c) => [...traceContextKeys(c.invocation)][0]!));
    const rng = Rng.fromSeed(5).fork("recursive-addition-contexts");
    const inputs = [
      { a: "0", b: "0" },
      { a: "0", b: "99" },
      { a: "9999", b: "1" },
      { a: "1007", b: "3" },
      ...Array.from({ length: 400 }, () => additionTask.randomInput(rng, 1 + rng.int(40))),
    ];
    const seen = new Set<string>();
    for (const input of inputs) {
      for (const key of traceContextKeys(recordTrace(recursiveAdditionTask, recursiveAdditionTask.createEnvironment(input)))) {
        expect(keys.has(key), `${input.a}+${input.b}: ${key.slice(0, 60)}`).toBe(true);
        seen.add(key);
      }
    }
    expect(seen.size).toBeGreaterThan(2000);
  });
});
