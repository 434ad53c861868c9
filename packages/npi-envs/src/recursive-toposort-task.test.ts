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
import { checkDag, isTopologicalOrder, type DagInput } from "./dag.js";
import { recursiveTopoSortTask, recursiveTopoSortVerificationSet } from "./recursive-toposort-task.js";
import { topoSortTask } from "./toposort-task.js";

/** Every ordering of a list. */
function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** Every DAG on `n` labelled vertices, with every order of every vertex's children. */
function allDags(n: number): DagInput[] {
  const pairs: [number, number][] = [];
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b) pairs.push([a, b]);
  const dags: DagInput[] = [];
  for (let mask = 0; mask < 1 << pairs.length; mask++) {
    const adjacency: number[][] = Array.from({ length: n }, () => []);
    pairs.forEach(([a, b], i) => {
      if (mask & (1 << i)) adjacency[a]!.push(b);
    });
    try {
      checkDag({ adjacency });
    } catch {
      continue;
    }
    let orders: number[][][] = [[]];
    for (const children of adjacency) orders = orders.flatMap((prefix) => permutations(children).map((p) => [...prefix, p]));
    for (const order of orders) dags.push({ adjacency: order });
  }
  return dags;
}

const contextKeysOf = (input: DagInput) =>
  traceContextKeys(recordTrace(recursiveTopoSortTask, recursiveTopoSortTask.createEnvironment(input)));

describe("recursive topological sort (Cai et al. 2017)", () => {
  it("DFS recurses into white children through CHILDREN with PUSH/POP, skips black ones, and TOPOSORT walks every vertex", () => {
    // 0>1 0>2 1>2: DFS(0) visits 1, then 2 from 1; back at 0, the child 2 is already black.
    const input = { adjacency: [[1, 2], [2], []] };
    const env = recursiveTopoSortTask.createEnvironment(input);
    const trace = recordTrace(recursiveTopoSortTask, env, { observations: false });
    expect(formatTrace(recursiveTopoSortTask, trace).split("\n")).toEqual([
      "TOPOSORT",
      "  ACT MOVE CURRENT TO START",
      "  DFS",
      "    ACT WRITE COLOUR GREY",
      "    CHILDREN",
      "      ACT STACK PUSH",
      "      ACT MOVE CURRENT TO CHILD",
      "      DFS",
      "        ACT WRITE COLOUR GREY",
      "        CHILDREN",
      "          ACT STACK PUSH",
      "          ACT MOVE CURRENT TO CHILD",
      "          DFS",
      "            ACT WRITE COLOUR GREY",
      "            CHILDREN",
      "              (return)  [end]",
      "            ACT WRITE COLOUR BLACK",
      "            ACT WRITE RESULT  [end]",
      "          ACT STACK POP",
      "          ACT MOVE CHILD NEXT",
      "          CHILDREN  [end]",
      "            (return)  [end]",
      "        ACT WRITE COLOUR BLACK",
      "        ACT WRITE RESULT  [end]",
      "      ACT STACK POP",
      "      ACT MOVE CHILD NEXT",
      "      CHILDREN  [end]",
      "        ACT MOVE CHILD NEXT",
      "        CHILDREN  [end]",
      "          (return)  [end]",
      "    ACT WRITE COLOUR BLACK",
      "    ACT WRITE RESULT  [end]",
      "  ACT MOVE START NEXT",
      "  TOPOSORT  [end]",
      "    ACT MOVE START NEXT",
      "    TOPOSORT  [end]",
      "      ACT MOVE START NEXT",
      "      TOPOSORT  [end]",
      "        (return)  [end]",
    ]);
    expect(env.output).toEqual([2, 1, 0]);
    expect(env.order()).toEqual([0, 1, 2]);
    expect(recursiveTopoSortTask.isSolved(input, env)).toBe(true);
  });

  it("gives valid topological orders on 300 random DAGs of 1-70 vertices, with the non-recursive program's actions", () => {
    const rng = Rng.fromSeed(7).fork("recursive-toposort-test");
    const sizes = [...Array.from({ length: 290 }, () => 1 + rng.int(70)), ...Array.from({ length: 10 }, () => 70)];
    for (const n of sizes) {
      const input = recursiveTopoSortTask.randomInput(rng, n);
      const env = recursiveTopoSortTask.createEnvironment(input);
      const trace = recordTrace(recursiveTopoSortTask, env, { observations: false });
      expect(isTopologicalOrder(input, env.order())).toBe(true);
      expect(verifyTrace(recursiveTopoSortTask, input, trace)).toMatchObject({ correct: true });
      const flat = recordTrace(topoSortTask, topoSortTask.createEnvironment(input), { observations: false });
      expect(traceActions(recursiveTopoSortTask, trace)).toEqual(traceActions(topoSortTask, flat));
    }
  });

  it("isSolved rejects result lists that are not a reversed topological order", () => {
    const input = { adjacency: [[1, 2], [2], []] };
    const solvedWith = (output: number[]) => {
      const env = recursiveTopoSortTask.createEnvironment(input);
      env.output.push(...output);
      return recursiveTopoSortTask.isSolved(input, env);
    };
    expect(solvedWith([2, 1, 0])).toBe(true);
    expect(solvedWith([0, 1, 2])).toBe(false); // the order itself, not reversed
    expect(solvedWith([1, 2, 0])).toBe(false); // 1 before 2 in the order violates 1>2 reversed
    expect(solvedWith([2, 1])).toBe(false); // a vertex missing
    expect(solvedWith([2, 1, 0, 0])).toBe(false); // a vertex twice
    expect(solvedWith([2, 2, 0])).toBe(false);
    expect(recursiveTopoSortTask.isSolved(input, recursiveTopoSortTask.createEnvironment(input))).toBe(false);
  });

  it("records and budgets a 1,000-vertex path 2,001 calls deep", () => {
    const n = 1000;
    const input = { adjacency: Array.from({ length: n }, (_, v) => (v + 1 < n ? [v + 1] : [])) };
    const trace = recordTrace(recursiveTopoSortTask, recursiveTopoSortTask.createEnvironment(input), { observations: false });
    // TOPOSORT, then DFS > CHILDREN per vertex down the path (vertex k's CHILDREN at depth 2k + 3).
    expect(traceDepth(trace)).toBe(2 * n + 1);
    expect(verifyTrace(recursiveTopoSortTask, input, trace)).toMatchObject({ correct: true });
    expect(runBudget(recursiveTopoSortTask, input).maxDepth).toBe(2 * (2 * n + 1) + 10);
  });

  it("has a verification set of 48 contexts, all met by every DAG of 1-4 vertices and random DAGs of 1-30, which meet no other", () => {
    const { cases, contexts } = verificationContexts(recursiveTopoSortTask, recursiveTopoSortVerificationSet());
    const perProgram = new Map<string, number>();
    for (const c of contexts) perProgram.set(c.invocation.program, (perProgram.get(c.invocation.program) ?? 0) + 1);
    // The counts of the completeness argument in recursive-toposort-task.ts: TOPOSORT 1 + 3 + 4 + 8,
    // DFS 2 × 3, CHILDREN 2 × (1 + 3 + 9).
    expect(Object.fromEntries(perProgram)).toEqual({ TOPOSORT: 16, DFS: 6, CHILDREN: 26 });
    expect(cases).toBe(48);
    const keys = new Set(contexts.map((c) => [...traceContextKeys(c.invocation)][0]!));
    const small = new Set<string>();
    const dags = [1, 2, 3, 4].flatMap(allDags);
    expect(dags.length).toBe(1 + 3 + 34 + 1757); // labelled DAGs of 1-4 vertices, times the orders of each child list
    for (const input of dags) for (const key of contextKeysOf(input)) small.add(key);
    // Two CHILDREN contexts below the root need 5 vertices (root, vertex, white child with a child, a
    // second white child): every other context already occurs in a graph of at most 4.
    expect([...keys].filter((k) => !small.has(k))).toHaveLength(2);
    const seen = new Set(small);
    const rng = Rng.fromSeed(11).fork("recursive-toposort-contexts");
    for (let i = 0; i < 400; i++) {
      const input = recursiveTopoSortTask.randomInput(rng, 1 + rng.int(30));
      for (const key of contextKeysOf(input)) {
        expect(keys.has(key), `${recursiveTopoSortTask.formatInput!(input)}: ${key}`).toBe(true);
        seen.add(key);
      }
    }
    for (const key of small) expect(keys.has(key), key).toBe(true);
    expect(seen.size).toBe(keys.size);
  });
});
