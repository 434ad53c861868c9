import { carPathLength, splitCarProblems } from "@dcnpi/npi-envs";
import { carSplitOf } from "@dcnpi/npi-envs/car-world";
import { describe, expect, it } from "vitest";
import { carTestProblems } from "./car-problems.js";
import type { TrainingSet } from "./model-store.js";
import { trainingInputs } from "./training-set.js";
import { carTaskOf } from "./tasks.js";
import { validationInputs } from "./validation.js";

const set: TrainingSet = {
  trainLengths: [1, 2, 3],
  tracesPerLength: 0,
  extraPrograms: [],
  seed: 3,
  cars: { trainCars: 5, trainStartFraction: 2 / 3, unseenCars: 3, validationCars: 2, maxPathLength: 8, imageSize: 16 },
};
const key = (i: { carSeed: number; start: { azimuthDegrees: number; elevationDegrees: number } }) =>
  `${i.carSeed}|${i.start.azimuthDegrees}|${i.start.elevationDegrees}`;

describe("car problems of a training set", () => {
  it("trains on the split's training pairs, validates on validation cars, tests on held-out pairs only", () => {
    const task = carTaskOf(16);
    const training = trainingInputs(task, set);
    expect(training.map(key)).toEqual(splitCarProblems(set.cars!, set.seed).training.map(key));
    const trained = new Set(training.map(key));
    for (const which of ["seen", "unseen"] as const) {
      for (const moves of [1, 4, 8]) {
        const problems = carTestProblems(set, "m", which, moves, { seed: 1 });
        expect(problems.length).toBeGreaterThan(0);
        for (const p of problems) {
          expect(trained.has(key(p))).toBe(false);
          expect(carPathLength(p.start)).toBe(moves);
          expect(carSplitOf(p.carSeed)).toBe(which === "seen" ? "train" : "test");
        }
      }
    }
    const validation = validationInputs(task, set, 2, "v");
    expect(validation.map((p) => carPathLength(p.start))).toEqual([1, 1, 2, 2, 3, 3]);
    expect(new Set(validation.map((p) => carSplitOf(p.carSeed)))).toEqual(new Set(["validation"]));
  });

  it("samples at most --problems of them, the same ones for the same seed", () => {
    const all = carTestProblems(set, "m", "unseen", 3, { seed: 1 });
    const some = carTestProblems(set, "m", "unseen", 3, { limit: 4, seed: 1 });
    expect(some).toHaveLength(4);
    expect(carTestProblems(set, "m", "unseen", 3, { limit: 4, seed: 1 })).toEqual(some);
    const allKeys = new Set(all.map(key));
    for (const p of some) expect(allKeys.has(key(p))).toBe(true);
    expect(carTestProblems(set, "m", "unseen", 3, { limit: 1000, seed: 1 })).toEqual(all);
  });

  it("refuses a car model whose training set names no split", () => {
    const { cars: _cars, ...noCars } = set;
    expect(() => carTestProblems(noCars, "model.dcnpi", "seen", 1, { seed: 1 })).toThrow(
      /model\.dcnpi: a car model whose training set names no car split/,
    );
  });
});
