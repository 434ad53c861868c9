import { formatTrace, recordTrace, verifyTrace } from "@dcnpi/npi-core";
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { maxTask, sortingTask } from "./index.js";

describe("MAX (the new task of §4.3)", () => {
  it("shares the sorting environment and adds exactly two programs", () => {
    expect(maxTask.environment).toBe(sortingTask.environment);
    const old = new Set(sortingTask.programs.map((p) => p.memoryName));
    expect(maxTask.programs.map((p) => p.memoryName).filter((m) => !old.has(m))).toEqual(["sorting/RJMP", "sorting/MAX"]);
    expect(maxTask.observationShape).toEqual(sortingTask.observationShape);
  });

  it("leaves P1 on the maximum, and the verifier accepts its traces on 1,000 random arrays", () => {
    const rng = Rng.fromSeed(2);
    for (let i = 0; i < 1000; i++) {
      const input = maxTask.randomInput(rng, 1 + rng.int(12));
      const env = maxTask.createEnvironment(input);
      const trace = recordTrace(maxTask, env, { observations: false });
      expect(env.values[env.pointers[0]!]).toBe(Math.max(...input.values));
      expect(env.pointers[0]).toBe(input.values.length - 1);
      expect(verifyTrace(maxTask, input, trace).correct).toBe(true);
    }
  });

  it("calls BUBBLESORT then RJMP, which RSHIFTs until P1 is at the end", () => {
    const text = formatTrace(maxTask, recordTrace(maxTask, maxTask.createEnvironment({ values: [3, 1] }), { observations: false })).split(
      "\n",
    );
    expect(text[0]).toBe("MAX");
    expect(text[1]).toBe("  BUBBLESORT");
    expect(text.slice(-5)).toEqual([
      "  RJMP  [end]",
      "    RSHIFT",
      "      ACT MOVE P1 RIGHT",
      "      ACT MOVE P2 RIGHT  [end]",
      "    (return)  [end]",
    ]);
    // A trace that skips RJMP leaves P1 at index 0: wrong unless the maximum is there.
    expect(verifyTrace(maxTask, { values: [1, 3] }, { program: "MAX", args: [0, 0, 0], steps: [{ call: null, end: true }] }).reason).toBe(
      "wrong final answer",
    );
  });
});
