import { countTraceSteps, formatTrace, recordTrace, verifyTrace } from "@dcnpi/npi-core";
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { sortingTask } from "./sorting-task.js";

describe("bubble sort teacher and verifier", () => {
  it("sorts 3,000 random arrays of length 1-20, and the verifier replays every trace", () => {
    const rng = Rng.fromSeed(3).fork("sorting-test");
    for (let i = 0; i < 3000; i++) {
      const input = sortingTask.randomInput(rng, 1 + rng.int(20));
      const env = sortingTask.createEnvironment(input);
      const trace = recordTrace(sortingTask, env, { observations: false });
      expect(sortingTask.isSolved(input, env), `[${input.values}]`).toBe(true);
      expect(verifyTrace(sortingTask, input, trace).correct).toBe(true);
    }
  });

  it("sorts length 70 and has O(n^2) steps", () => {
    const rng = Rng.fromSeed(4);
    const input = sortingTask.randomInput(rng, 70);
    const env = sortingTask.createEnvironment(input);
    const trace = recordTrace(sortingTask, env, { observations: false });
    expect(verifyTrace(sortingTask, input, trace).correct).toBe(true);
    // BUBBLESORT: 69 x (BUBBLE, RESET) + return.
    expect(trace.steps.length).toBe(2 * 69 + 1);
    expect(countTraceSteps(trace)).toBeGreaterThan(8 * 69 * 69);
  });

  it("matches the paper's Fig. 8 structure on [9, 2, 5]: BUBBLE opens with P2 RIGHT, RESET ends moving the counter", () => {
    const env = sortingTask.createEnvironment({ values: [9, 2, 5] });
    const trace = recordTrace(sortingTask, env);
    expect(Array.from(env.values)).toEqual([2, 5, 9]);
    const lines = formatTrace(sortingTask, trace).split("\n");
    expect(lines.slice(0, 12)).toEqual([
      "BUBBLESORT",
      "  BUBBLE",
      "    ACT MOVE P2 RIGHT",
      "    BSTEP",
      "      COMPSWAP",
      "        ACT SWAP P1 P2  [end]",
      "      RSHIFT  [end]",
      "        ACT MOVE P1 RIGHT",
      "        ACT MOVE P2 RIGHT  [end]",
      "    BSTEP  [end]",
      "      COMPSWAP",
      "        ACT SWAP P1 P2  [end]",
    ]);
    // RESET after the first sweep (P1 = 2, P2 = 3): LSHIFT x 3 (the last moves only P2), then the counter.
    const reset = trace.steps[1]!.invocation!;
    expect(reset.steps.map((s) => s.call?.program)).toEqual(["LSHIFT", "LSHIFT", "LSHIFT", "ACT"]);
    expect(reset.steps.at(-1)).toMatchObject({ call: { args: [0, 2, 1] }, end: true });
  });

  it("COMPSWAP on an ordered pair is a single return step", () => {
    const env = sortingTask.createEnvironment({ values: [1, 2] });
    const trace = recordTrace(sortingTask, env);
    const compswap = trace.steps[0]!.invocation!.steps[1]!.invocation!.steps[0]!.invocation!;
    expect(compswap).toMatchObject({ program: "COMPSWAP", steps: [{ call: null, end: true }] });
  });
});
