import { recordTrace, verifyTrace } from "@dcnpi/npi-core";
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { isTopologicalOrder } from "./dag.js";
import { topoSortTask } from "./toposort-task.js";

describe("non-recursive topological sort", () => {
  it("gives valid topological orders on 300 random DAGs of 1-70 vertices, and the verifier accepts its traces", () => {
    const rng = Rng.fromSeed(8).fork("toposort-test");
    const sizes = [...Array.from({ length: 290 }, () => 1 + rng.int(70)), ...Array.from({ length: 10 }, () => 70)];
    for (const n of sizes) {
      const input = topoSortTask.randomInput(rng, n);
      const env = topoSortTask.createEnvironment(input);
      const trace = recordTrace(topoSortTask, env, { observations: false });
      expect(isTopologicalOrder(input, env.order())).toBe(true);
      expect(verifyTrace(topoSortTask, input, trace)).toMatchObject({ correct: true });
      expect(topoSortTask.isSolved(input, env)).toBe(true);
    }
  });

  it("walks a whole search tree in one DFS call, so its contexts grow with the graph (no verification set)", () => {
    const path = (n: number) => ({ adjacency: Array.from({ length: n }, (_, v) => (v + 1 < n ? [v + 1] : [])) });
    const dfsSteps = (n: number) => {
      const trace = recordTrace(topoSortTask, topoSortTask.createEnvironment(path(n)), { observations: false });
      return trace.steps.find((s) => s.call?.program === "DFS")!.invocation!.steps.length;
    };
    // WRITE GREY, n - 1 DESCENDs, then n - 1 (FINISH, BACK) pairs and the last FINISH.
    expect(dfsSteps(5)).toBe(1 + 4 + 2 * 4 + 1);
    expect(dfsSteps(70)).toBe(1 + 69 + 2 * 69 + 1);
    expect(topoSortTask.verificationSet).toBeUndefined();
    expect(topoSortTask.environment).toBe("toposort");
  });
});
