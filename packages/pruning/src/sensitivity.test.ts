import { Rng, WeightMap } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { MaskSet } from "./mask-set.js";
import { analyzeSensitivity, chooseSparsities } from "./sensitivity.js";

describe("sensitivity analysis", () => {
  // A linear model y = x W whose two layers differ in how much their small weights matter: the metric
  // is the squared output error on fixed inputs, so a layer with many tiny weights is insensitive.
  const rng = Rng.fromSeed("sensitivity");
  const robust = new Float32Array(400).map((_, i) => (i % 10 === 0 ? rng.normal(0, 1) : rng.normal(0, 0.001)));
  const fragile = rng.fillNormal(new Float32Array(400), 0, 1);
  const weights = new WeightMap()
    .add("robust", { dtype: "float32", shape: [20, 20], data: robust })
    .add("fragile", { dtype: "float32", shape: [20, 20], data: fragile });
  const reference = { robust: robust.slice(), fragile: fragile.slice() };
  const error = (w: WeightMap) => {
    let e = 0;
    for (const name of ["robust", "fragile"] as const) {
      const data = w.get(name).data;
      for (let i = 0; i < data.length; i++) e += (data[i]! - reference[name][i]!) ** 2;
    }
    return e;
  };

  it("gives one monotone curve per layer, probing one layer at a time", async () => {
    const seen: (string | null)[] = [];
    const report = await analyzeSensitivity({
      weights,
      layers: ["robust", "fragile"],
      sparsities: [0.9, 0.5, 0, 0.7],
      evaluate: async (w, point) => {
        seen.push(point.layer);
        await Promise.resolve();
        return error(w);
      },
    });
    expect(report.baseline).toBe(0);
    expect(seen).toEqual([null, "robust", "robust", "robust", "robust", "fragile", "fragile", "fragile", "fragile"]);
    for (const curve of report.curves) {
      expect(curve.points.map((p) => p.sparsity)).toEqual([0, 0.5, 0.7, 0.9]);
      const metrics = curve.points.map((p) => p.metric);
      expect([...metrics].sort((a, b) => a - b)).toEqual(metrics);
    }
    const chosen = chooseSparsities(report, { tolerance: 0.01, higherIsBetter: false });
    expect(chosen).toEqual({ robust: { sparsity: 0.9 }, fragile: { sparsity: 0 } });
    // The weights themselves were never modified.
    expect(weights.get("fragile").data).toEqual(reference.fragile);
  });

  it("counts masks already in force in every probe", async () => {
    const previous = new MaskSet().set("robust", [20, 20], new Uint8Array(400).fill(1).fill(0, 0, 300));
    const report = await analyzeSensitivity({ weights, layers: ["robust"], sparsities: [0.5, 0.9], evaluate: error, previous });
    expect(report.baseline).toBeGreaterThan(0);
    expect(report.curves[0]!.points.map((p) => p.sparsity)).toEqual([0.75, 0.9]);
  });
});
