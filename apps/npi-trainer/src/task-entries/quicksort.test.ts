import { recordTrace } from "@dcnpi/npi-core";
import { quicksortTask, recursiveQuicksortTask } from "@dcnpi/npi-envs";
import { describe, expect, it } from "vitest";
import { trainingInputs } from "../training-set.js";
import { parseTaskInput, recipeFor, resolveTask, sameFamily, taskEntry, verifiableTaskNames } from "../tasks.js";
import { trainingSetOf } from "../recipes.js";
import { drawQuicksortPad } from "./quicksort.js";

describe("quicksort entries", () => {
  it("are the sorting family: recursive and iterative quicksort train and test on bubble sort's arrays", () => {
    expect(sameFamily("quicksort", "recursive-quicksort")).toBe(true);
    expect(sameFamily("quicksort", "sort")).toBe(true);
    const set = trainingSetOf(recipeFor("recursive-quicksort", { quick: false }), 1);
    const recursive = trainingInputs(resolveTask("recursive-quicksort"), set);
    expect(recursive).toHaveLength(9 * 32);
    expect(trainingInputs(resolveTask("quicksort"), set)).toEqual(recursive);
    expect(trainingInputs(resolveTask("sort"), set)).toEqual(recursive);
    expect(recipeFor("quicksort", { quick: false })).toEqual(recipeFor("recursive-quicksort", { quick: false }));
    expect(verifiableTaskNames()).toContain("recursive-quicksort");
    expect(verifiableTaskNames()).not.toContain("quicksort");
  });

  it("parse run inputs, answer the sorted array and draw the pad with its pointers and stack", () => {
    const entry = taskEntry("recursive-quicksort");
    const input = parseTaskInput("recursive-quicksort", "3,1,2");
    expect(input).toEqual({ values: [3, 1, 2] });
    const env = recursiveQuicksortTask.createEnvironment({ values: [3, 1, 2] });
    recordTrace(recursiveQuicksortTask, env, { observations: false });
    expect(entry.formatAnswer(entry.answerOf(env))).toBe("1,2,3");
    expect(entry.expectedAnswer(input, env)).toEqual([1, 2, 3]);
    const fresh = quicksortTask.createEnvironment({ values: [3, 1, 2] });
    quicksortTask.act(fresh, [3, 0, 0]);
    expect(drawQuicksortPad(quicksortTask.snapshot!(fresh) as never)).toEqual([
      "  array   ·  3  1  2  ·",
      "  LO         ^",
      "  HI               ^",
      "  I          ^",
      "  J                ^",
      "  stack 1 saved, top 0..2",
    ]);
  });
});
