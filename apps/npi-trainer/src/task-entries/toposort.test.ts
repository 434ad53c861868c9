import { recursiveTopoSortTask } from "@dcnpi/npi-envs";
import { describe, expect, it } from "vitest";
import { NpiAppError } from "../errors.js";
import { sameFamily, taskEntry, verifiableTaskNames } from "../tasks.js";
import { drawGraphPad, MAX_RUN_VERTICES, parseTopoSortInput } from "./toposort.js";

const refusal = (text: string) => {
  try {
    parseTopoSortInput(text);
  } catch (e) {
    expect(e).toBeInstanceOf(NpiAppError);
    expect((e as NpiAppError).code).toBe("INVALID_INPUT");
    return (e as Error).message;
  }
  throw new Error(`"${text}" was accepted`);
};

describe("toposort entries", () => {
  it("reads the DAG text form and refuses cycles, bad vertex ids and graphs too large to run, naming --input", () => {
    expect(parseTopoSortInput("5: 0>1 0>2 1>3").adjacency).toEqual([[1, 2], [3], [], [], []]);
    expect(refusal("3: 0>1 1>2 2>0")).toBe("--input: toposort: the graph has a cycle 0>1>2>0; a topological order needs a DAG");
    expect(refusal("3: 0>3")).toBe("--input: toposort: edge 0>3: vertex ids must be integers 0..2");
    expect(refusal("0>1")).toMatch(/^--input: toposort: expected "n: a>b c>d ..."/);
    expect(refusal(`${MAX_RUN_VERTICES + 1}: 0>1`)).toMatch(/run takes at most 200 \(use eval for larger graphs\)/);
  });

  it("puts both programs in one problem family; only the recursive one has a verification set", () => {
    expect(sameFamily("toposort", "recursive-toposort")).toBe(true);
    expect(verifiableTaskNames()).toContain("recursive-toposort");
    expect(verifiableTaskNames()).not.toContain("toposort");
    expect(taskEntry("recursive-toposort").evalLengths).toEqual([5, 10, 20, 40, 70]);
  });

  it("answers with the order (the result list reversed) and expects the teacher's, which is a valid one", () => {
    const entry = taskEntry("recursive-toposort");
    const input = parseTopoSortInput("4: 0>1 2>1 1>3");
    const expected = entry.expectedAnswer(input, undefined) as number[];
    expect(expected).toEqual([2, 0, 1, 3]);
    const env = recursiveTopoSortTask.createEnvironment(input);
    env.output.push(3, 1, 0, 2);
    expect(entry.answerOf(env)).toEqual([2, 0, 1, 3]);
    expect(entry.formatAnswer(expected)).toBe("2,0,1,3");
  });

  it("draws the graph: colours, the start and current vertices, the current edge, the stack and the result", () => {
    const env = recursiveTopoSortTask.createEnvironment(parseTopoSortInput("4: 0>1 2>1 1>3"));
    env.colours.set([1, 1, 0, 0]);
    env.stack.push([0, 0]);
    env.current = 1;
    expect(drawGraphPad(recursiveTopoSortTask.snapshot!(env) as never)).toEqual([
      "  vertex    0  1  2  3",
      "  colour    G  G  W  W",
      "  start    ^",
      "  curr.       ^",
      "  edge   1>3 (child 1 of 1)",
      "  stack  0@0",
      "  result ",
    ]);
  });
});
