import {
  formatTrace,
  recordTrace,
  runBudget,
  traceActions,
  traceContextKeys,
  traceDepth,
  verificationContexts,
  verifyTrace,
  type VerificationCase,
} from "@dcnpi/npi-core";
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { recursiveBubbleSortTask, recursiveBubbleSortVerificationSet } from "./recursive-bubble-sort-task.js";
import { SortingPointer, sortingTask, type SortingEnv } from "./sorting-task.js";

const task = recursiveBubbleSortTask;

function sortTrace(values: readonly number[], observations = false) {
  const env = task.createEnvironment({ values });
  return { env, trace: recordTrace(task, env, { observations }) };
}

describe("recursive bubble sort (Cai et al. 2017)", () => {
  it("BUBBLESORT, BSTEP and RESET call themselves with the end flag and stop at their base cases", () => {
    const { trace } = sortTrace([2, 1]);
    expect(formatTrace(task, trace).split("\n")).toEqual([
      "BUBBLESORT",
      "  BUBBLE",
      "    ACT MOVE P2 RIGHT",
      "    BSTEP  [end]",
      "      COMPSWAP",
      "        ACT SWAP P1 P2  [end]",
      "      RSHIFT  [end]",
      "        ACT MOVE P1 RIGHT",
      "        ACT MOVE P2 RIGHT  [end]",
      "  RESET",
      "    LSHIFT",
      "      ACT MOVE P1 LEFT",
      "      ACT MOVE P2 LEFT  [end]",
      "    RESET  [end]",
      "      LSHIFT",
      "        ACT MOVE P1 LEFT",
      "        ACT MOVE P2 LEFT  [end]",
      "      RESET  [end]",
      "        ACT MOVE P3 RIGHT  [end]",
      "  BUBBLESORT  [end]",
      "    (return)  [end]",
    ]);
    // A length-3 sweep: BSTEP calls itself once, the second BSTEP's RSHIFT ends it.
    const bubble = sortTrace([3, 2, 1]).trace.steps[0]!.invocation!;
    const first = bubble.steps[1]!.invocation!;
    expect(first.steps.map((s) => [s.call?.program, s.end])).toEqual([
      ["COMPSWAP", false],
      ["RSHIFT", false],
      ["BSTEP", true],
    ]);
    expect(first.steps[2]!.invocation!.steps.map((s) => [s.call?.program, s.end])).toEqual([
      ["COMPSWAP", false],
      ["RSHIFT", true],
    ]);
  });

  it("sorts 150 random arrays of length 1-40 with the same actions as the non-recursive sort, and the verifier accepts them", () => {
    const rng = Rng.fromSeed(3).fork("recursive-bubble-sort-test");
    for (let i = 0; i < 150; i++) {
      const input = task.randomInput(rng, 1 + rng.int(40));
      const env = task.createEnvironment(input);
      const trace = recordTrace(task, env, { observations: false });
      const flat = recordTrace(sortingTask, sortingTask.createEnvironment(input), { observations: false });
      expect(task.isSolved(input, env), `[${input.values}]`).toBe(true);
      expect(Array.from(env.values)).toEqual([...input.values].sort((a, b) => a - b));
      expect(traceActions(task, trace)).toEqual(traceActions(sortingTask, flat));
      expect(verifyTrace(task, input, trace).correct).toBe(true);
    }
  });

  it("sorts arrays of length 100 (random, reversed, constant), 200 calls deep, and isSolved refuses an unsorted array", () => {
    const rng = Rng.fromSeed(4).fork("recursive-bubble-sort-100");
    const reversed = Array.from({ length: 100 }, (_, i) => 9 - Math.floor(i / 10));
    for (const values of [task.randomInput(rng, 100).values, task.randomInput(rng, 100).values, reversed, Array(100).fill(7)]) {
      const { env, trace } = sortTrace(values);
      expect(task.isSolved({ values }, env)).toBe(true);
      expect(verifyTrace(task, { values }, trace).correct).toBe(true);
      // The last sweep's BUBBLESORT is 99 deep; under it BUBBLE, 99 nested BSTEPs and the last one's COMPSWAP.
      expect(traceDepth(trace)).toBe(99 + 1 + 99 + 1);
      expect(runBudget(task, { values }).maxDepth).toBe(2 * 200 + 10);
    }
    const unsorted = task.createEnvironment({ values: [3, 1, 2] });
    expect(task.isSolved({ values: [3, 1, 2] }, unsorted)).toBe(false);
    expect(() => task.createEnvironment({ values: [1, 10] })).toThrow(/digits 0-9/);
  });

  it("has a verification set of 20,425 contexts that holds every call of 64 random and edge-case traces of lengths 2-40 (and all of lengths 1-3)", () => {
    const { cases, contexts } = verificationContexts(task, recursiveBubbleSortVerificationSet());
    const perProgram = new Map<string, number>();
    for (const c of contexts) perProgram.set(c.invocation.program, (perProgram.get(c.invocation.program) ?? 0) + 1);
    expect(Object.fromEntries(perProgram)).toEqual({
      BUBBLESORT: 780,
      BUBBLE: 300,
      BSTEP: 7_025,
      COMPSWAP: 655,
      RSHIFT: 385,
      RESET: 5_650,
      LSHIFT: 5_630,
    });
    expect(cases).toBe(33_435);
    const keys = new Set(contexts.map((c) => [...traceContextKeys(c.invocation)][0]!));
    const rng = Rng.fromSeed(5).fork("recursive-bubble-sort-contexts");
    const inputs: number[][] = [
      Array.from({ length: 40 }, (_, i) => i % 10),
      Array.from({ length: 40 }, (_, i) => 9 - Math.floor(i / 4)),
      Array(40).fill(0),
      Array(40).fill(9),
    ];
    for (let n = 1; n <= 3; n++)
      for (let x = 0; x < 10 ** n; x++) inputs.push(Array.from({ length: n }, (_, i) => Math.floor(x / 10 ** i) % 10));
    for (let i = 0; i < 60; i++) {
      // Half uniform digits, half from a random sub-range (runs of small or equal digits, rare in uniform arrays).
      const n = 2 + rng.int(39);
      const lo = rng.int(10);
      const hi = i % 2 === 0 ? 9 : lo + rng.int(10 - lo);
      inputs.push(Array.from({ length: n }, () => lo + rng.int(hi - lo + 1)));
    }
    const seen = new Set<string>();
    const outside: string[] = [];
    for (const values of inputs) {
      for (const key of traceContextKeys(sortTrace(values, true).trace)) {
        if (!keys.has(key)) outside.push(`[${values}]: ${key.slice(0, 80)}`);
        seen.add(key);
      }
    }
    expect(outside).toEqual([]);
    expect(seen.size).toBeGreaterThan(8_000);
  });
});
