import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { checkDag, DAG_MAX_OUT_DEGREE, formatDag, isTopologicalOrder, parseDag, randomDag } from "./dag.js";
import { NpiEnvError } from "./errors.js";

describe("DAG problems", () => {
  it("parses and formats the text form, keeping each vertex's child order", () => {
    const input = parseDag("5: 0>2 0>1, 1>3 4>3");
    expect(input.adjacency).toEqual([[2, 1], [3], [], [], [3]]);
    expect(formatDag(input)).toBe("5: 0>2 0>1 1>3 4>3");
    expect(parseDag(formatDag(input))).toEqual(input);
    expect(parseDag("1:").adjacency).toEqual([[]]);
  });

  it("rejects cycles, bad vertex ids, repeated edges and bad forms with a typed error naming the edge", () => {
    const error = (text: string) => {
      try {
        parseDag(text);
      } catch (e) {
        expect(e).toBeInstanceOf(NpiEnvError);
        expect((e as NpiEnvError).code).toBe("INVALID_INPUT");
        return (e as Error).message;
      }
      throw new Error(`"${text}" was accepted`);
    };
    expect(error("4: 0>1 1>2 2>0")).toMatch(/cycle 0>1>2>0/);
    expect(error("3: 1>1")).toMatch(/edge 1>1 is a self-loop/);
    expect(error("3: 0>3")).toMatch(/edge 0>3: vertex ids must be integers 0..2/);
    expect(error("3: 5>1")).toMatch(/edge 5>1: vertex 5 is not in 0..2/);
    expect(error("3: 0>1 0>1")).toMatch(/edge 0>1 is listed twice/);
    expect(error("3: 0-1")).toMatch(/edge "0-1" is not "from>to"/);
    expect(error("0>1")).toMatch(/expected "n: a>b c>d ..."/);
    expect(error("0:")).toMatch(/vertex count must be 1..10000, got 0/);
    expect(error("99999999: 0>1")).toMatch(/too large/);
  });

  it("draws seeded random DAGs: acyclic, out-degree at most 3, same seed same graph", () => {
    const draw = (seed: number) => {
      const rng = Rng.fromSeed(seed).fork("dag-test");
      return Array.from({ length: 50 }, (_, i) => randomDag(rng, 1 + (i % 70)));
    };
    const graphs = draw(1);
    expect(draw(1)).toEqual(graphs);
    expect(draw(2)).not.toEqual(graphs);
    for (const g of graphs) {
      expect(() => checkDag(g)).not.toThrow();
      expect(Math.max(...g.adjacency.map((c) => c.length))).toBeLessThanOrEqual(DAG_MAX_OUT_DEGREE);
    }
    const edges = graphs.reduce((sum, g) => sum + g.adjacency.flat().length, 0);
    expect(edges).toBeGreaterThan(500); // not trivially empty graphs
  });

  it("accepts exactly the topological orders", () => {
    const input = { adjacency: [[1, 2], [2], []] };
    expect(isTopologicalOrder(input, [0, 1, 2])).toBe(true);
    expect(isTopologicalOrder(input, [0, 2, 1])).toBe(false);
    expect(isTopologicalOrder(input, [1, 0, 2])).toBe(false);
    expect(isTopologicalOrder(input, [0, 1])).toBe(false);
    expect(isTopologicalOrder(input, [0, 1, 1])).toBe(false);
    expect(isTopologicalOrder(input, [0, 1, 3])).toBe(false);
    expect(isTopologicalOrder({ adjacency: [[], []] }, [1, 0])).toBe(true);
  });
});
