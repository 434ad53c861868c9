import { describe, expect, it } from "vitest";
import { tensor, WeightMap } from "@dcnpi/tensor";
import { planWeights } from "./plan-weights.js";
import { decideWeight, defaultPlan, matchesWeight, MIN_COMPRESSED_ELEMENTS, parsePlan } from "./plan.js";

const weight = (name: string, layerClass: string, role: string) => ({ name, info: { layer: name.split("/")[0], layerClass, role } });

describe("compression plans", () => {
  it("applies the paper's defaults by layer kind", () => {
    expect(decideWeight(defaultPlan, weight("conv1/kernel", "Conv2D", "kernel"))).toMatchObject({
      store: "compressed",
      weightBits: 8,
      indexBits: 5,
      prune: { sparsity: 0.65 },
    });
    expect(decideWeight(defaultPlan, weight("ip1/kernel", "Dense", "kernel"))).toMatchObject({ store: "compressed", weightBits: 5 });
    expect(decideWeight(defaultPlan, weight("lstm/recurrent_kernel", "LSTM", "recurrent_kernel"))).toMatchObject({
      store: "compressed",
      weightBits: 5,
    });
    expect(decideWeight(defaultPlan, weight("ip1/bias", "Dense", "bias")).store).toBe("dense");
    expect(decideWeight(defaultPlan, weight("bn/gamma", "BatchNormalization", "gamma")).store).toBe("dense");
    expect(decideWeight(defaultPlan, weight("odd/thing", "Custom", "thing"))).toEqual({ store: "dense", ruleIndex: undefined });
  });

  it("matches names by glob or /regex/, and the first matching rule wins", () => {
    expect(matchesWeight({ name: "ip*/kernel" }, weight("ip12/kernel", "Dense", "kernel"))).toBe(true);
    expect(matchesWeight({ name: "ip?/kernel" }, weight("ip12/kernel", "Dense", "kernel"))).toBe(false);
    expect(matchesWeight({ name: "/^ip[0-9]+\\/k/" }, weight("ip3/kernel", "Dense", "kernel"))).toBe(true);
    const plan = parsePlan({
      version: 1,
      rules: [
        { match: { name: "ip3/kernel" }, store: "compressed", prune: { sparsity: 0.74 }, weightBits: 6 },
        {
          match: { layerClass: "Dense", role: "kernel" },
          store: "compressed",
          prune: { quality: 1.2 },
          weightBits: 6,
          indexBits: 4,
          huffman: false,
        },
      ],
    });
    expect(decideWeight(plan, weight("ip3/kernel", "Dense", "kernel"))).toMatchObject({
      ruleIndex: 0,
      prune: { sparsity: 0.74 },
      indexBits: 5,
      huffman: true,
    });
    expect(decideWeight(plan, weight("ip1/kernel", "Dense", "kernel"))).toMatchObject({
      ruleIndex: 1,
      prune: { quality: 1.2 },
      indexBits: 4,
      huffman: false,
    });
    expect(plan.retrain).toEqual({ pruneIterations: 3, epochsPerPruneIteration: 1, quantizeEpochs: 1 });
  });

  it("carries entropyWeight only when a rule sets a positive one (the paper's decisions keep their exact shape)", () => {
    const rule = { match: { name: "ip*" }, store: "compressed" as const, weightBits: 4 };
    const ecsq = parsePlan({ version: 1, rules: [{ ...rule, entropyWeight: 0.02 }] });
    expect(decideWeight(ecsq, weight("ip1/kernel", "Dense", "kernel"))).toMatchObject({ entropyWeight: 0.02 });
    for (const entropyWeight of [undefined, 0]) {
      const plain = parsePlan({ version: 1, rules: [{ ...rule, ...(entropyWeight === undefined ? {} : { entropyWeight }) }] });
      expect(Object.keys(decideWeight(plain, weight("ip1/kernel", "Dense", "kernel")))).not.toContain("entropyWeight");
    }
    expect(() => parsePlan({ version: 1, rules: [{ ...rule, entropyWeight: -1 }] })).toThrow(/rules\.0\.entropyWeight/);
  });

  it("rejects bad plans naming the field", () => {
    expect(() => parsePlan({ rules: [] }, "plan.json")).toThrow(/plan\.json: version/);
    expect(() => parsePlan({ version: 1, rules: [{ match: {}, store: "compressed" }] })).toThrow(
      /rules\.0\.weightBits: a compressed rule needs weightBits/,
    );
    expect(() => parsePlan({ version: 1, rules: [{ match: {}, store: "compressed", weightBits: 17 }] })).toThrow(/rules\.0\.weightBits/);
    expect(() => parsePlan({ version: 1, rules: [{ match: {}, store: "compressed", weightBits: 5, prune: { sparsity: 1.5 } }] })).toThrow(
      /rules\.0\.prune/,
    );
    expect(() => parsePlan({ version: 1, rules: [{ match: {}, store: "compressed", weightBits: 5, prune: { amount: 0.5 } }] })).toThrow(
      /rules\.0\.prune/,
    );
    expect(() => parsePlan({ version: 1, rules: [{ match: { nme: "x" }, store: "dense" }] })).toThrow(/rules\.0\.match/);
    expect(() => parsePlan({ version: 1, rules: [{ match: {}, store: "dense", weightBits: 4 }] })).toThrow(/dense rule takes no prune/);
    expect(() => matchesWeight({ name: "/([/" }, weight("a", "Dense", "kernel"))).toThrow(/not a valid regular expression/);
  });
});

describe("weights too small to prune (issue 16 item 7)", () => {
  it("the default plan stores a 1-element kernel dense instead of pruning it to zero, and says so", () => {
    const weights = new WeightMap()
      .add("tiny/kernel", tensor([1, 1], new Float32Array([0.75])), { layer: "tiny", layerClass: "Dense", role: "kernel" })
      .add("big/kernel", tensor([4, 4], new Float32Array(16).fill(0.5)), { layer: "big", layerClass: "Dense", role: "kernel" });
    const { decisions, compressed, notes } = planWeights(weights, defaultPlan);
    expect(decisions.get("tiny/kernel")).toMatchObject({ store: "dense", ruleIndex: 2 });
    expect(notes).toContain(
      `tiny/kernel has 1 element, fewer than ${MIN_COMPRESSED_ELEMENTS}: too small to prune or share weights, stored dense`,
    );
    expect([...compressed.keys()]).toEqual(["big/kernel"]);
  });
});
