import {
  formatTrace,
  recordTrace,
  runBudget,
  traceContextKeys,
  traceDepth,
  verificationContexts,
  verifyTrace,
  type Trace,
} from "@dcnpi/npi-core";
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { NpiEnvError } from "./errors.js";
import type { QuicksortEnv } from "./quicksort-env.js";
import { quicksortTask } from "./quicksort-task.js";
import { recursiveQuicksortTask, recursiveQuicksortVerificationSet } from "./recursive-quicksort-task.js";

const tasks = [recursiveQuicksortTask, quicksortTask] as const;

function run(task: typeof recursiveQuicksortTask, values: readonly number[]): { env: QuicksortEnv; trace: Trace } {
  const env = task.createEnvironment({ values });
  return { env, trace: recordTrace(task, env, { observations: false }) };
}

/** Arrays that make Lomuto's quicksort deepest or longest at length n (digits 0-9). */
function worstCases(n: number): number[][] {
  return [
    Array<number>(n).fill(7),
    Array.from({ length: n }, (_, i) => Math.floor((10 * i) / n)),
    Array.from({ length: n }, (_, i) => 9 - Math.floor((10 * i) / n)),
    Array.from({ length: n }, (_, i) => i % 10),
  ];
}

describe("recursive quicksort (Cai et al. 2017)", () => {
  it("QUICKSORT partitions, calls itself on the left part between PUSH and POP, then on the right part as a tail call", () => {
    const { env, trace } = run(recursiveQuicksortTask, [2, 1]);
    expect(Array.from(env.values)).toEqual([1, 2]);
    expect(formatTrace(recursiveQuicksortTask, trace).split("\n")).toEqual([
      "QUICKSORT",
      "  PARTITION",
      "    ACT COPY I := LO",
      "    ACT COPY J := LO",
      "    COMPSWAP_LOOP",
      "      COMPSWAP",
      "        (return)  [end]",
      "      ACT MOVE J RIGHT",
      "      COMPSWAP_LOOP  [end]",
      "        (return)  [end]",
      "    ACT SWAP I HI  [end]",
      "  ACT PUSH",
      "  ACT COPY HI := I",
      "  ACT MOVE HI LEFT",
      "  QUICKSORT",
      "    (return)  [end]",
      "  ACT POP",
      "  ACT COPY LO := I",
      "  ACT MOVE LO RIGHT",
      "  QUICKSORT  [end]",
      "    (return)  [end]",
    ]);
  });

  it("both teachers sort 600 random arrays of 1-40 digits and 40 of 100 digits (duplicates included); the verifier accepts them", () => {
    const rng = Rng.fromSeed(7).fork("quicksort-teachers");
    const inputs = [
      ...Array.from({ length: 600 }, () => recursiveQuicksortTask.randomInput(rng, 1 + rng.int(40))),
      ...Array.from({ length: 40 }, () => recursiveQuicksortTask.randomInput(rng, 100)),
    ];
    let withDuplicates = 0;
    for (const input of inputs) {
      if (new Set(input.values).size < input.values.length) withDuplicates++;
      const sorted = [...input.values].sort((a, b) => a - b);
      for (const task of tasks) {
        const { env, trace } = run(task, input.values);
        expect(Array.from(env.values)).toEqual(sorted);
        expect(task.isSolved(input, env)).toBe(true);
        expect(verifyTrace(task, input, trace).correct).toBe(true);
      }
    }
    expect(withDuplicates).toBeGreaterThan(500);
  });

  it("isSolved wants the input's digits in order; bad inputs get INVALID_INPUT naming the task", () => {
    for (const task of tasks) {
      const input = { values: [3, 1, 2] };
      expect(task.isSolved(input, task.createEnvironment(input))).toBe(false);
      expect(task.isSolved(input, task.createEnvironment({ values: [1, 2, 3] }))).toBe(true);
      expect(task.isSolved(input, task.createEnvironment({ values: [1, 2, 2] }))).toBe(false);
      expect(task.isSolved(input, task.createEnvironment({ values: [1, 2, 3, 4] }))).toBe(false);
      expect(() => task.createEnvironment({ values: [] })).toThrow(NpiEnvError);
      expect(() => task.createEnvironment({ values: [1, 10] })).toThrow(
        new RegExp(`^${task.name}: values must be 1 or more digits 0-9, got \\[1,10\\]`),
      );
    }
  });

  it("keeps the environment stack within n + 1 frames and the call stack within the run budget on the worst arrays of 100", () => {
    for (const values of worstCases(100)) {
      for (const task of tasks) {
        const { env, trace } = run(task, values);
        expect(Array.from(env.values)).toEqual([...values].sort((a, b) => a - b));
        // The teachers never push onto a full stack (a PUSH there would be lost and the sort would fail).
        expect(env.peakHeight).toBeLessThanOrEqual(env.stackCapacity);
        expect(env.stackHeight).toBe(0);
        expect(traceDepth(trace)).toBeLessThanOrEqual(runBudget(task, { values }).maxDepth);
      }
    }
    // All-equal: every partition puts the pivot first (nothing is strictly below it), so the first
    // PARTITION's scan is a chain of 100 COMPSWAP_LOOPs under QUICKSORT and PARTITION (the deepest
    // COMPSWAP at 102), and the right parts' tail calls go 100 deep; the iterative teacher stays 4 deep
    // but holds 100 pending ranges (99 empty left parts and the last one).
    const allEqual = worstCases(100)[0]!;
    expect(traceDepth(run(recursiveQuicksortTask, allEqual).trace)).toBe(102);
    expect(traceDepth(run(quicksortTask, allEqual).trace)).toBe(4);
    expect(run(quicksortTask, allEqual).env.peakHeight).toBe(100);
  });

  it("has a verification set of 48 contexts, and random traces of 1-40 digits meet exactly those", () => {
    const { cases, contexts } = verificationContexts(recursiveQuicksortTask, recursiveQuicksortVerificationSet());
    const perProgram = new Map<string, number>();
    for (const c of contexts) perProgram.set(c.invocation.program, (perProgram.get(c.invocation.program) ?? 0) + 1);
    // The completeness argument's counts (recursive-quicksort-task.ts): QUICKSORT 2 base cases + 2 × 8
    // (p - lo, hi - p) classes; PARTITION 2 × 2; COMPSWAP_LOOP 2 base cases + 2 × 3 scans × 3 next elements;
    // COMPSWAP 2 × 3 scans (× 2: stack empty or not).
    expect(Object.fromEntries(perProgram)).toEqual({ QUICKSORT: 18, PARTITION: 4, COMPSWAP_LOOP: 20, COMPSWAP: 6 });
    expect(cases).toBe(contexts.length);
    const keys = new Set(contexts.map((c) => [...traceContextKeys(c.invocation)][0]!));
    const rng = Rng.fromSeed(11).fork("recursive-quicksort-contexts");
    const inputs = [
      { values: [0] },
      { values: [5, 5] },
      { values: [1, 0] },
      ...worstCases(40).map((values) => ({ values })),
      ...Array.from({ length: 400 }, () => recursiveQuicksortTask.randomInput(rng, 1 + rng.int(40))),
    ];
    const seen = new Set<string>();
    for (const input of inputs) {
      const trace = recordTrace(recursiveQuicksortTask, recursiveQuicksortTask.createEnvironment(input));
      for (const key of traceContextKeys(trace)) {
        expect(keys.has(key), `[${input.values.join(",")}]: ${key}`).toBe(true);
        seen.add(key);
      }
    }
    // Every listed context happens on real arrays: the set is complete and holds nothing unreachable.
    expect(seen.size).toBe(keys.size);
  });
});
