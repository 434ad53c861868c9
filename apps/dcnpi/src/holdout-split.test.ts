/**
 * `--data`'s split into search and held-out parts: example by example by default (the split every
 * earlier measurement used), whole groups of files with `--holdout-group`.
 */
import type { ExampleSet } from "@dcnpi/example-data";
import { describe, expect, it } from "vitest";
import { splitExamples } from "./holdout-split.js";

/** `photos` photos x `windows` crops each, one float per example (its index), named like the MobileNet bench's files. */
function crops(photos: number, windows: number, names = true): ExampleSet {
  const count = photos * windows;
  return {
    count,
    shape: [1],
    data: Float32Array.from({ length: count }, (_, i) => i),
    source: "crops",
    names: names ? Array.from({ length: count }, (_, i) => `${String(i).padStart(4, "0")}-p${Math.floor(i / windows)}.png`) : undefined,
  };
}

const photoOf = (set: ExampleSet) => new Set(Array.from(set.data, (i) => Math.floor(i / 5)));

describe("splitExamples", () => {
  it("without groups: a seeded draw of examples, 30% held out, the same for the same seed", () => {
    const set = crops(20, 5);
    const a = splitExamples(set, { seed: 1, holdoutFraction: 0.3 });
    expect(a.holdout.count).toBe(30);
    expect(a.search.count).toBe(70);
    expect(a.groups).toBeUndefined();
    expect(splitExamples(set, { seed: 1, holdoutFraction: 0.3 }).holdout.data).toEqual(a.holdout.data);
    expect(splitExamples(set, { seed: 2, holdoutFraction: 0.3 }).holdout.data).not.toEqual(a.holdout.data);
    // Crops of one photo land on both sides: what --holdout-group is for.
    const shared = [...photoOf(a.holdout)].filter((p) => photoOf(a.search).has(p));
    expect(shared.length).toBeGreaterThan(10);
  });

  it("with --holdout-group: no photo on both sides, about the share asked for, names carried along", () => {
    const set = crops(20, 5);
    const split = splitExamples(set, { seed: 1, holdoutFraction: 0.3, holdoutGroup: /-p(\d+)\.png$/ });
    expect(split.groups).toEqual({ total: 20, held: 6 });
    expect(split.holdout.count).toBe(30);
    expect(split.search.count + split.holdout.count).toBe(100);
    const held = photoOf(split.holdout);
    expect([...photoOf(split.search)].some((p) => held.has(p))).toBe(false);
    expect(split.holdout.names!.every((name, i) => name.endsWith(`-p${Math.floor(split.holdout.data[i]! / 5)}.png`))).toBe(true);
    const again = splitExamples(set, { seed: 1, holdoutFraction: 0.3, holdoutGroup: /-p(\d+)\.png$/ });
    expect(again.holdout.data).toEqual(split.holdout.data);
    // Without a capture group the whole match is the group: here every file is its own.
    expect(splitExamples(set, { seed: 1, holdoutFraction: 0.3, holdoutGroup: /\d{4}/ }).groups).toEqual({ total: 100, held: 30 });
  });

  it("keeps at least one group for the search, and refuses what it cannot group", () => {
    const two = splitExamples(crops(2, 5), { seed: 1, holdoutFraction: 0.9, holdoutGroup: /-p(\d+)/ });
    expect(two.groups).toEqual({ total: 2, held: 1 });
    expect(two.search.count).toBe(5);
    expect(() => splitExamples(crops(1, 5), { seed: 1, holdoutFraction: 0.3, holdoutGroup: /-p(\d+)/ })).toThrow(
      /--holdout-group: every file of crops is in one group \("0"\); at least 2 are needed/,
    );
    expect(() => splitExamples(crops(3, 5, false), { seed: 1, holdoutFraction: 0.3, holdoutGroup: /-p(\d+)/ })).toThrow(
      /--holdout-group: crops has no file names to group/,
    );
    expect(() => splitExamples(crops(3, 5), { seed: 1, holdoutFraction: 0.3, holdoutGroup: /-q(\d+)/ })).toThrow(
      "--holdout-group: crops/0000-p0.png does not match /-q(\\d+)/",
    );
  });
});
