import { recordTrace, traceContextKeys, verificationContexts, type VerificationCase } from "@dcnpi/npi-core";
import { describe, expect, it } from "vitest";
import { recursiveBubbleSortTask as task, recursiveBubbleSortVerificationSet } from "./recursive-bubble-sort-task.js";
import { SortingPointer, type SortingEnv } from "./sorting-task.js";

// ~20,000 short teacher runs (about 20 s on an idle core, minutes under load), so a slow test (DCNPI_SLOW_TESTS=1).

function sortTrace(values: readonly number[]) {
  return recordTrace(task, task.createEnvironment({ values }));
}

/** [x_{n-1}, x_0, ..., x_{n-2}]: when x_{n-1} is a maximum, one bubble pass over it gives `values` back. */
const rotateRight = (values: readonly number[]) => [values.at(-1)!, ...values.slice(0, -1)];

/**
 * A problem whose teacher run meets the case's context (the witnesses of the completeness comment's
 * "every such array is reached"): a case's array is the array at the start of its sweep (BUBBLESORT,
 * BUBBLE, BSTEP, COMPSWAP) or after its sweep (RESET, LSHIFT), and the counter P3 is the sweep (0 or 1).
 */
function witness(c: VerificationCase<SortingEnv>): number[] {
  const values = Array.from(c.env.values);
  const sweep = c.env.pointers[SortingPointer.P3]!;
  const atEnd = c.env.pointers[SortingPointer.P3] === values.length - 1;
  if (c.program === "BUBBLESORT" && atEnd) return values;
  if (c.program === "RESET" || c.program === "LSHIFT") {
    // After sweep 0: one pass over rotateRight(T) gives T. After sweep 1: T's last two are its two largest, so
    // S1 = [T_{n-2}, T_0..T_{n-3}, T_{n-1}] ends with a maximum and passes to T, and S0 = rotateRight(S1).
    if (sweep === 0) return rotateRight(values);
    const n = values.length;
    return rotateRight([values[n - 2]!, ...values.slice(0, n - 2), values[n - 1]!]);
  }
  return sweep === 0 ? values : rotateRight(values);
}

describe("recursive bubble sort's verification set (slow)", () => {
  it("has no context a run cannot meet: each case's witness problem reaches it", () => {
    const { contexts } = verificationContexts(task, recursiveBubbleSortVerificationSet());
    const problems = new Set<string>();
    for (const c of recursiveBubbleSortVerificationSet()) {
      // RSHIFT's cases hold the array after COMPSWAP; their BSTEP twins' witnesses reach them.
      if (c.program !== "RSHIFT") problems.add(witness(c).join(","));
    }
    const seen = new Set<string>();
    for (const p of problems) for (const key of traceContextKeys(sortTrace(p.split(",").map(Number)))) seen.add(key);
    const unreached = contexts.filter((c) => !seen.has([...traceContextKeys(c.invocation)][0]!)).map((c) => c.label);
    expect(unreached).toEqual([]);
  });
});
