import { formatTrace, recordTrace } from "@dcnpi/npi-core";
import { describe, expect, it } from "vitest";
import { quicksortTask } from "./quicksort-task.js";
import { recursiveQuicksortTask } from "./recursive-quicksort-task.js";

describe("iterative quicksort (Cai et al.'s non-recursive baseline)", () => {
  it("QUICKSORT loops over the stack in one call: POP, PARTITION and STACK while a range has two or more elements", () => {
    const env = quicksortTask.createEnvironment({ values: [2, 1] });
    const lines = formatTrace(quicksortTask, recordTrace(quicksortTask, env, { observations: false })).split("\n");
    expect(Array.from(env.values)).toEqual([1, 2]);
    expect(lines.filter((l) => /^ {2}\S/.test(l))).toEqual([
      "  ACT PUSH",
      "  ACT POP",
      "  PARTITION",
      "  STACK",
      "  ACT POP",
      "  ACT POP",
      "  (return)  [end]",
    ]);
  });

  it("runs its loops inside single calls: the root and each scan grow with the array, the recursive calls do not", () => {
    const values = Array.from({ length: 60 }, (_, i) => (i * 7) % 10);
    const longest = (task: typeof quicksortTask) => {
      const trace = recordTrace(task, task.createEnvironment({ values }), { observations: false });
      let most = 0;
      const visit = (inv: typeof trace) => {
        most = Math.max(most, inv.steps.length);
        for (const s of inv.steps) if (s.invocation !== undefined) visit(s.invocation);
      };
      visit(trace);
      return { most };
    };
    expect(longest(recursiveQuicksortTask).most).toBe(9);
    expect(longest(quicksortTask).most).toBeGreaterThan(100);
  });
});
