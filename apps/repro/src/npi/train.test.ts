import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initEngine } from "@dcnpi/engine";
import { additionTask } from "@dcnpi/npi-envs";
import { Rng } from "@dcnpi/tensor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrainingRecipe } from "@dcnpi/npi-core/tfjs";
import { QUICK_RECIPES } from "./recipes.js";
import { trainTask } from "./train.js";

beforeAll(async () => {
  await initEngine({ log: false });
});
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const recipe = (maxSteps: number): TrainingRecipe => ({
  ...QUICK_RECIPES.addition,
  maxSteps,
  checkEverySteps: 6,
  validationProblems: 4,
  stopAfterPerfectChecks: 99,
});

describe("repro npi training stage", () => {
  it("continues a killed training run from its checkpoint to the same weights", () => {
    const rng = Rng.fromSeed(5);
    const inputs = [1, 2, 3].map((n) => additionTask.randomInput(rng, n));
    const run = (steps: number, dir: string) =>
      trainTask({ task: additionTask, recipe: recipe(steps), seed: 3, inputs, dir, label: "test", log: () => {}, progress: "silent" });
    const straightDir = mkdtempSync(join(tmpdir(), "npi-train-"));
    const resumedDir = mkdtempSync(join(tmpdir(), "npi-train-"));
    dirs.push(straightDir, resumedDir);
    const straight = run(12, straightDir);
    const first = run(6, resumedDir); // "killed" after its checkpoint at step 6
    first.model.dispose();
    const resumed = run(12, resumedDir);
    expect(resumed.summary.steps).toBe(12);
    expect(resumed.summary.validation.map((v) => v.step)).toEqual([6, 12]);
    const flat = (m: typeof straight.model) => [...m.weights()].map((w) => Array.from(w.tensor.data));
    expect(flat(resumed.model)).toEqual(flat(straight.model));
    straight.model.dispose();
    resumed.model.dispose();
  });
});
