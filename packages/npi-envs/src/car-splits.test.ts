import { describe, expect, it } from "vitest";
import { carProblemsOfLength, splitCarProblems, type CarSplitPlan } from "./car-splits.js";
import { carPathLength } from "./car-task.js";
import { carSplitOf } from "./car-world/car-seeds.js";

const plan: CarSplitPlan = { trainCars: 6, trainStartFraction: 2 / 3, unseenCars: 3, validationCars: 2, maxPathLength: 8 };
const key = (i: { carSeed: number; start: { azimuthDegrees: number; elevationDegrees: number } }) =>
  `${i.carSeed}|${i.start.azimuthDegrees}|${i.start.elevationDegrees}`;

describe("car seen/unseen split", () => {
  it("holds out new start poses of seen cars and every start pose of unseen cars, deterministically", () => {
    const split = splitCarProblems(plan, 4);
    expect(splitCarProblems(plan, 4)).toEqual(split);
    expect(splitCarProblems(plan, 5).training).not.toEqual(split.training);
    expect(split.training.length + split.seenTest.length).toBe(6 * 55);
    expect(split.training).toHaveLength(6 * 37);
    expect(split.unseenTest).toHaveLength(3 * 55);
    const train = new Set(split.training.map(key));
    expect(split.seenTest.some((i) => train.has(key(i)))).toBe(false);
    expect(new Set(split.training.map((i) => carSplitOf(i.carSeed)))).toEqual(new Set(["train"]));
    expect(new Set(split.seenTest.map((i) => carSplitOf(i.carSeed)))).toEqual(new Set(["train"]));
    expect(new Set(split.unseenTest.map((i) => carSplitOf(i.carSeed)))).toEqual(new Set(["test"]));
    expect(split.validationCars.map(carSplitOf)).toEqual(["validation", "validation"]);
  });

  it("gives the short-path subsets of the same split for a smaller maxPathLength (the multi-task table)", () => {
    const all = splitCarProblems(plan, 4);
    const short = splitCarProblems({ ...plan, maxPathLength: 4 }, 4);
    const keep = (list: typeof all.training) => list.filter((i) => carPathLength(i.start) <= 4).map(key);
    expect(short.training.map(key)).toEqual(keep(all.training));
    expect(short.seenTest.map(key)).toEqual(keep(all.seenTest));
    expect(short.unseenTest.map(key)).toEqual(keep(all.unseenTest));
  });

  it("picks the problems of one path length", () => {
    const { unseenTest } = splitCarProblems(plan, 4);
    const byLength = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((moves) => carProblemsOfLength(unseenTest, moves));
    expect(byLength.reduce((a, l) => a + l.length, 0)).toBe(unseenTest.length);
    for (const [moves, list] of byLength.entries()) for (const input of list) expect(carPathLength(input.start)).toBe(moves);
  });
});
