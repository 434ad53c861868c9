import { describe, expect, it } from "vitest";
import { CAR_SPLIT_SIZE, carSeeds, carSplitOf, type CarSplit } from "./car-seeds.js";
import { CarWorldError } from "./car-world-error.js";

describe("car seed splits", () => {
  it("are disjoint, stable under growing counts, and know their own split", () => {
    const train = carSeeds({ split: "train", count: 500 });
    const validation = carSeeds({ split: "validation", count: 500 });
    const test = carSeeds({ split: "test", count: 500 });
    expect(new Set([...train, ...validation, ...test]).size).toBe(1500);
    expect(carSeeds({ split: "train", count: 20 })).toEqual(train.slice(0, 20));
    expect(train.every((s) => carSplitOf(s) === "train")).toBe(true);
    expect(validation.every((s) => carSplitOf(s) === "validation")).toBe(true);
    expect(test.every((s) => carSplitOf(s) === "test")).toBe(true);
    expect(carSplitOf(CAR_SPLIT_SIZE - 1)).toBe("train");
    expect(carSplitOf(2 * CAR_SPLIT_SIZE)).toBe("test");
    expect(carSeeds({ split: "test", count: 0 })).toEqual([]);
  });

  it("rejects bad splits, counts and seeds with typed errors", () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof CarWorldError ? e.code : "other";
      }
      return "none";
    };
    expect(code(() => carSeeds({ split: "seen" as CarSplit, count: 3 }))).toBe("INVALID_SPLIT");
    expect(code(() => carSeeds({ split: "train", count: 2.5 }))).toBe("INVALID_COUNT");
    expect(code(() => carSeeds({ split: "train", count: -1 }))).toBe("INVALID_COUNT");
    expect(code(() => carSeeds({ split: "train", count: CAR_SPLIT_SIZE + 1 }))).toBe("INVALID_COUNT");
    expect(code(() => carSplitOf(-1))).toBe("INVALID_SEED");
    expect(code(() => carSplitOf(3 * CAR_SPLIT_SIZE))).toBe("INVALID_SEED");
  });
});
