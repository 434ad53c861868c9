import { describe, expect, it } from "vitest";
import { MaskSet, maskRecordSchema } from "./mask-set.js";

describe("MaskSet", () => {
  const masks = new MaskSet()
    .set("fc1/kernel", [3, 5], Uint8Array.from([1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1]))
    .set("fc2/kernel", [2], Uint8Array.from([0, 1]));

  it("round-trips through a versioned JSON record", () => {
    const json = JSON.parse(JSON.stringify(masks.toRecord()));
    expect(maskRecordSchema.parse(json).version).toBe(1);
    const back = MaskSet.fromRecord(json);
    expect(back.names()).toEqual(["fc1/kernel", "fc2/kernel"]);
    expect(back.get("fc1/kernel")).toEqual(masks.get("fc1/kernel"));
    expect(back.entry("fc1/kernel").shape).toEqual([3, 5]);
    expect(back.stats().map((s) => [s.keptCount, s.sparsity])).toEqual([
      [8, 7 / 15],
      [1, 0.5],
    ]);
  });

  it("rejects corrupt records, naming the fault", () => {
    const record = masks.toRecord();
    expect(() => MaskSet.fromRecord({ ...record, version: 2 })).toThrow(/version/);
    const badCount = { ...record, masks: [{ ...record.masks[0]!, keptCount: 9 }] };
    expect(() => MaskSet.fromRecord(badCount)).toThrow(/"fc1\/kernel" says 9 kept, its bits keep 8/);
    const badBits = { ...record, masks: [{ ...record.masks[0]!, bits: "@@@@" }] };
    expect(() => MaskSet.fromRecord(badBits)).toThrow(/do not decode to 15 entries/);
    expect(() => new MaskSet().set("x", [2, 2], new Uint8Array(3))).toThrow(/x: mask has 3 entries, shape \[2,2\] needs 4/);
  });

  it("intersects: pruned on either side stays pruned", () => {
    const other = new MaskSet().set("fc2/kernel", [2], Uint8Array.from([1, 0])).set("fc3/kernel", [1], Uint8Array.from([1]));
    const both = masks.intersect(other);
    expect([...both.get("fc2/kernel")!]).toEqual([0, 0]);
    expect(both.names()).toEqual(["fc1/kernel", "fc2/kernel", "fc3/kernel"]);
    expect([...masks.get("fc2/kernel")!]).toEqual([0, 1]);
  });
});
