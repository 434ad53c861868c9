import { float32, WeightMap } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { applyMasks, stripPruning } from "./apply-masks.js";
import { MaskSet } from "./mask-set.js";

describe("applyMasks / stripPruning", () => {
  const weights = new WeightMap()
    .add("fc/kernel", float32([2, 2], [0.5, -0.25, 0.75, -1]), { layer: "fc", layerClass: "Dense", role: "kernel" })
    .add("fc/bias", float32([2], [0.1, 0.2]));
  const masks = new MaskSet().set("fc/kernel", [2, 2], Uint8Array.from([1, 0, 0, 1]));

  it("zeroes pruned entries in copies (+0.0), shares unmasked weights and keeps order and info", () => {
    const masked = applyMasks(weights, masks);
    const data = masked.get("fc/kernel").data;
    expect([...data]).toEqual([0.5, 0, 0, -1]);
    expect(Object.is(data[1], 0)).toBe(true);
    expect([...weights.get("fc/kernel").data]).toEqual([0.5, -0.25, 0.75, -1]);
    expect(masked.get("fc/bias")).toBe(weights.get("fc/bias"));
    expect(masked.names()).toEqual(["fc/kernel", "fc/bias"]);
    expect(masked.entry("fc/kernel").info).toEqual({ layer: "fc", layerClass: "Dense", role: "kernel" });
  });

  it("strips to plain weights plus a record that restores the masks", () => {
    const { weights: plain, record } = stripPruning(weights, masks);
    expect([...plain.get("fc/kernel").data]).toEqual([0.5, 0, 0, -1]);
    expect(MaskSet.fromRecord(JSON.parse(JSON.stringify(record))).get("fc/kernel")).toEqual(masks.get("fc/kernel"));
  });

  it("rejects masks for unknown or differently sized weights", () => {
    expect(() => applyMasks(weights, new MaskSet().set("nope", [1], Uint8Array.from([1])))).toThrow(/mask "nope" names no weight/);
    expect(() => applyMasks(weights, new MaskSet().set("fc/bias", [3], Uint8Array.from([1, 1, 1])))).toThrow(
      /"fc\/bias" is \[2\], its mask \[3\]/,
    );
  });
});
