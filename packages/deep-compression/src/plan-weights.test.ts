import { describe, expect, it } from "vitest";
import { tensor, WeightMap } from "@dcnpi/tensor";
import { defaultPlan, parsePlan } from "./plan.js";
import { planWeights, pruneTargetsOf } from "./plan-weights.js";

function weights() {
  const map = new WeightMap();
  map.add("fc1/kernel", tensor([4, 3], new Float32Array(12)), { layer: "fc1", layerClass: "Dense", role: "kernel" });
  map.add("fc1/bias", tensor([3], new Float32Array(3)), { layer: "fc1", layerClass: "Dense", role: "bias" });
  map.add("embed/embeddings", tensor([5, 2], new Int32Array(10)), { layer: "embed", layerClass: "Embedding", role: "embeddings" });
  return map;
}

describe("planWeights", () => {
  it("decides every weight in order, stores non-float32 weights dense with a note, and lists the prune targets", () => {
    const planned = planWeights(weights(), defaultPlan);
    expect([...planned.decisions.keys()]).toEqual(["fc1/kernel", "fc1/bias", "embed/embeddings"]);
    expect([...planned.compressed.keys()]).toEqual(["fc1/kernel"]);
    expect(planned.notes).toEqual(["embed/embeddings is int32, not float32: stored dense"]);
    expect([...pruneTargetsOf(planned.compressed)]).toEqual([["fc1/kernel", { sparsity: 0.91 }]]);
  });

  it("says so when the plan compresses nothing", () => {
    const plan = parsePlan({ version: 1, rules: [{ match: { name: "*" }, store: "dense" }] });
    expect(planWeights(weights(), plan).notes).toEqual(["the plan compresses no weight of this model: every weight is stored dense"]);
  });
});
