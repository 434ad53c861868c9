import { describe, expect, it } from "vitest";
import { iterativeSchedule, oneShotSchedule, polynomialDecaySchedule, polynomialDecaySparsity } from "./schedules.js";

describe("schedules", () => {
  it("polynomial decay follows TF-MOT's formula", () => {
    const options = { initialSparsity: 0.2, finalSparsity: 0.8, beginStep: 100, endStep: 300, power: 3, frequency: 50 };
    expect(polynomialDecaySparsity(0, options)).toBeCloseTo(0.2, 12);
    expect(polynomialDecaySparsity(100, options)).toBeCloseTo(0.2, 12);
    expect(polynomialDecaySparsity(200, options)).toBeCloseTo(0.8 - 0.6 * 0.125, 12);
    expect(polynomialDecaySparsity(300, options)).toBeCloseTo(0.8, 12);
    expect(polynomialDecaySparsity(10_000, options)).toBeCloseTo(0.8, 12);
    const schedule = polynomialDecaySchedule(options);
    const pruneSteps = Array.from({ length: 400 }, (_, s) => s).filter((s) => schedule(s).prune);
    expect(pruneSteps).toEqual([100, 150, 200, 250, 300]);
    expect(schedule(99)).toEqual({ prune: false, target: null, cycle: -1 });
    expect(schedule(175)).toEqual({ prune: false, target: { sparsity: polynomialDecaySparsity(175, options) }, cycle: 1 });
    expect(schedule(350).target).toEqual({ sparsity: 0.8 });
  });

  it("polynomial decay also prunes at endStep when it is off the frequency grid", () => {
    const schedule = polynomialDecaySchedule({ initialSparsity: 0, finalSparsity: 0.9, beginStep: 0, endStep: 250, frequency: 100 });
    const pruneSteps = Array.from({ length: 400 }, (_, s) => s).filter((s) => schedule(s).prune);
    expect(pruneSteps).toEqual([0, 100, 200, 250]);
    expect(schedule(250)).toEqual({ prune: true, target: { sparsity: 0.9 }, cycle: 3 });
    expect(() => polynomialDecaySchedule({ initialSparsity: 0, finalSparsity: 1.2, beginStep: 0, endStep: 1 })).toThrow(/\[0,1\)/);
    expect(() => polynomialDecaySchedule({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 10, endStep: 10 })).toThrow(/endStep/);
  });

  it("iterative prune/retrain cycles prune at the start of each cycle", () => {
    const schedule = iterativeSchedule({ targets: [{ quality: 0.5 }, { quality: 1 }, { quality: 1.5 }], stepsPerCycle: 10, beginStep: 5 });
    const events = Array.from({ length: 60 }, (_, s) => [s, schedule(s)] as const).filter(([, d]) => d.prune);
    expect(events.map(([s, d]) => [s, d.target, d.cycle])).toEqual([
      [5, { quality: 0.5 }, 0],
      [15, { quality: 1 }, 1],
      [25, { quality: 1.5 }, 2],
    ]);
    expect(schedule(59)).toEqual({ prune: false, target: { quality: 1.5 }, cycle: 2 });
    expect(schedule(4).target).toBeNull();
  });

  it("one-shot prunes once and schedules are pure", () => {
    const schedule = oneShotSchedule({ target: { sparsity: 0.9 }, step: 3 });
    expect([0, 1, 2, 3, 4, 5].map((s) => schedule(s).prune)).toEqual([false, false, false, true, false, false]);
    expect(schedule(4)).toEqual(schedule(4));
    expect(() => schedule(-1)).toThrow(/non-negative integer/);
  });
});
