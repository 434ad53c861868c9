import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decideWeight, type CompressionPlan } from "@dcnpi/deep-compression";
import { initEngine } from "@dcnpi/engine";
import { createNpiModel, DEFAULT_MODEL_CONFIG } from "@dcnpi/npi-core/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_NPI_PLAN, NPI_PLAN_V4, NPI_PLAN_V5, NPI_PLAN_V6, NPI_PLANS, planOfOption, planStepsOfOption } from "./npi-plan.js";
import { resolveTask, type TaskName } from "./tasks.js";

const scratch = mkdtempSync(join(tmpdir(), "npi-plan-"));
beforeAll(async () => {
  await initEngine({ log: () => {} });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Decision {
  readonly name: string;
  readonly elements: number;
  readonly store: string;
  readonly keep?: number;
  readonly weightBits?: number;
  readonly indexBits?: number;
  readonly entropyWeight?: number;
}

/** What `plan` decides for every parameter of the paper-sized NPI of `task` (the model `npi train` builds). */
function decisions(plan: CompressionPlan, task: TaskName): Decision[] {
  const model = createNpiModel({ tasks: [resolveTask(task)], config: DEFAULT_MODEL_CONFIG, seed: 1 });
  try {
    return model.parameters().map((p) => {
      const data = { length: p.variable.size } as ArrayLike<number>;
      const d = decideWeight(plan, { name: p.name, info: p.info, tensor: { data } });
      if (d.store !== "compressed") return { name: p.name, elements: p.variable.size, store: d.store };
      const keep = d.prune !== undefined && "keepFraction" in d.prune ? d.prune.keepFraction : undefined;
      return {
        name: p.name,
        elements: p.variable.size,
        store: d.store,
        ...(keep === undefined ? {} : { keep }),
        weightBits: d.weightBits,
        ...(d.indexBits === undefined ? {} : { indexBits: d.indexBits }),
        ...(d.entropyWeight === undefined ? {} : { entropyWeight: d.entropyWeight }),
      };
    });
  } finally {
    model.dispose();
  }
}

const byName = (list: Decision[], name: string) => list.find((d) => d.name === name)!;

describe("named NPI plans", () => {
  it("--plan takes v4, v5 or a JSON file; without it the default is v4 (v5 is not yet proven on both tasks)", () => {
    const path = (file: string) => join(scratch, file);
    expect(planOfOption(undefined, path)).toBe(NPI_PLAN_V4);
    expect(DEFAULT_NPI_PLAN).toBe(NPI_PLAN_V4);
    expect(planOfOption("v4", path)).toBe(NPI_PLANS.v4);
    expect(planOfOption("v5", path)).toBe(NPI_PLANS.v5);
    writeFileSync(join(scratch, "v5.json"), JSON.stringify(NPI_PLAN_V5));
    expect(planOfOption("v5.json", path)).toEqual(NPI_PLAN_V5);
    expect(() => planOfOption("v7", path)).toThrow(/plan .*v7 cannot be read \(ENOENT\)/);
  });

  it("v6 runs after v5: npi compress gets both steps, the one-plan commands refuse it", () => {
    const path = (file: string) => join(scratch, file);
    expect(planStepsOfOption("v6", path)).toEqual({ earlier: [NPI_PLAN_V5], plan: NPI_PLAN_V6 });
    expect(planStepsOfOption("v5", path)).toEqual({ earlier: [], plan: NPI_PLAN_V5 });
    expect(planStepsOfOption(undefined, path)).toEqual({ earlier: [], plan: NPI_PLAN_V4 });
    expect(() => planOfOption("v6", path)).toThrow(/--plan v6 starts from an earlier plan's pruned model; only npi compress runs it/);
  });

  it("v4 stays as measured: every parameter compressed, 5-bit matrices at the README's keep fractions", () => {
    const add = decisions(NPI_PLAN_V4, "addition");
    expect(add.filter((d) => d.store !== "compressed").map((d) => d.name)).toEqual(["decoder/end/bias"]); // 1 element: too small
    expect(byName(add, "core/lstm0/recurrent_kernel")).toMatchObject({ keep: 0.05, weightBits: 5, indexBits: 5 });
    expect(byName(add, "core/lstm0/kernel")).toMatchObject({ keep: 0.22, weightBits: 5, indexBits: 5 });
    expect(byName(add, "decoder/argument0/bias")).toMatchObject({ store: "compressed", weightBits: 6 });
    expect(add.some((d) => d.entropyWeight !== undefined)).toBe(false);
    expect(NPI_PLAN_V4.retrain).toMatchObject({
      pruneIterations: 4,
      epochsPerPruneIteration: 2,
      epochsAfterLastPrune: 16,
      quantizeEpochs: 1,
    });
  });
});

describe("plan v5 on the real addition and sorting models", () => {
  it.each(["addition", "sort"] as const)(
    "%s: 4-bit ECSQ matrices at about 0.72 x v4's keep fractions, 8-bit gaps for LSTM matrices at 10 percent kept or less",
    (task) => {
      const v5 = decisions(NPI_PLAN_V5, task);
      const v4 = decisions(NPI_PLAN_V4, task);
      const pruned = v5.filter((d) => d.keep !== undefined);
      expect(pruned.length).toBe(v4.filter((d) => d.keep !== undefined).length);
      for (const d of pruned) {
        expect(d).toMatchObject({ weightBits: 4, entropyWeight: 0.002 });
        expect(d.keep!).toBeLessThan(byName(v4, d.name).keep!);
        expect(d.indexBits, d.name).toBe(d.name.startsWith("core/") && d.keep! <= 0.1 ? 8 : 5);
      }
      expect(byName(v5, "core/lstm0/kernel").keep).toBe(0.16);
      expect(byName(v5, "core/lstm1/recurrent_kernel").keep).toBe(0.1);
      expect(byName(v5, "core/lstm0/recurrent_kernel").keep).toBe(0.035);
      expect(byName(v5, "core/lstm1/kernel").keep).toBe(0.085);
    },
  );

  it.each(["addition", "sort"] as const)(
    "%s: a tensor is stored dense exactly when its float32 bytes are no more than v4's codebook",
    (task) => {
      const v5 = decisions(NPI_PLAN_V5, task);
      const v4 = decisions(NPI_PLAN_V4, task);
      for (const d of v5.filter((x) => x.keep === undefined)) {
        const v4Codebook = 4 * 2 ** (byName(v4, d.name).weightBits ?? 0);
        if (d.store === "dense") expect(4 * d.elements, d.name).toBeLessThanOrEqual(v4Codebook);
        else {
          // Quantized without pruning: larger than its own 2^b-entry codebook, so the codes can pay for it.
          expect(4 * d.elements, d.name).toBeGreaterThan(4 * 2 ** d.weightBits!);
          expect(d.weightBits).toBe(d.name.startsWith("core/") ? 5 : 4);
        }
      }
      expect(v5.filter((d) => d.store === "dense").map((d) => d.name)).toEqual(
        expect.arrayContaining(["memory/noCallKey", "decoder/argument0/bias", "decoder/programKey/bias", "decoder/end/bias"]),
      );
    },
  );
});

describe("plan v6 on the real addition and sorting models", () => {
  it.each(["addition", "sort"] as const)("%s: 5-bit codes with a small ECSQ weight, LSTM and fusion kept at 0.7 x v5", (task) => {
    const v6 = decisions(NPI_PLAN_V6, task);
    const v5 = decisions(NPI_PLAN_V5, task);
    expect(v6.map((d) => d.store)).toEqual(v5.map((d) => d.store));
    for (const d of v6.filter((x) => x.keep !== undefined)) {
      expect(d).toMatchObject({ weightBits: 5, entropyWeight: 0.0005, indexBits: byName(v5, d.name).indexBits });
      const ratio = d.keep! / byName(v5, d.name).keep!;
      if (/^(core|fusion)\//.test(d.name)) expect(ratio, d.name).toBeCloseTo(0.7, 6);
      else expect(ratio, d.name).toBe(1);
    }
  });
});
