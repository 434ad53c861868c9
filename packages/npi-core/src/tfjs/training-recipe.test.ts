import { describe, expect, it } from "vitest";
import { MEASURED_TRAINER_OPTIONS, QUICK_MODEL_CONFIG } from "./training-presets.js";
import { TRAINING_RECIPE_VERSION, parseTrainingRecipe, type TrainingRecipe } from "./training-recipe.js";

const recipe: TrainingRecipe = {
  version: TRAINING_RECIPE_VERSION,
  trainLengths: [1, 2, 3],
  tracesPerLength: 8,
  extraPrograms: ["RSHIFT"],
  model: QUICK_MODEL_CONFIG,
  trainer: MEASURED_TRAINER_OPTIONS,
  maxSteps: 120,
  checkEverySteps: 40,
  stopAfterPerfectChecks: 2,
  validationProblems: 8,
};

describe("TrainingRecipe", () => {
  it("round-trips through JSON and the schema unchanged (the presets are valid recipe parts)", () => {
    expect(parseTrainingRecipe(JSON.parse(JSON.stringify(recipe)))).toEqual(recipe);
  });

  it("refuses another version and a bad field, naming the source and the field", () => {
    expect(() => parseTrainingRecipe({ ...recipe, version: 2 }, "recipes.json")).toThrow(
      expect.objectContaining({
        code: "INVALID_OPTIONS",
        message: expect.stringMatching(/^recipes\.json: not a training recipe of version 1 \(version: /),
      }),
    );
    expect(() => parseTrainingRecipe({ ...recipe, trainer: { ...recipe.trainer, batchSize: 0 } })).toThrow(/trainer\.batchSize/);
    const { version: _, ...unversioned } = recipe;
    expect(() => parseTrainingRecipe(unversioned)).toThrow(/version/);
  });
});
