import { describe, expect, it } from "vitest";
import { cachedEvaluation, type Evaluation } from "./evaluate.js";

const length = (n: number, correct: number) => ({ length: n, problems: 10, correct, traceExact: correct, statuses: { returned: 10 }, modelSteps: 100 * n });

describe("cachedEvaluation", () => {
  it("reads today's { lengths, wallSeconds } as it is", () => {
    const today: Evaluation = { lengths: [length(2, 10), length(3, 9)], wallSeconds: 4.5 };
    expect(cachedEvaluation(today)).toBe(today);
  });

  it("reads an older run's bare per-length list: same lengths without their times, the time their sum", () => {
    const older = [
      { ...length(2, 10), wallSeconds: 1.25 },
      { ...length(3, 9), wallSeconds: 2.5 },
    ];
    expect(cachedEvaluation(older)).toEqual({ lengths: [length(2, 10), length(3, 9)], wallSeconds: 3.75 });
  });
});
