import { describe, expect, it } from "vitest";
import { withoutRecipe } from "./reencoded-file.js";

describe("the third column's lean file", () => {
  it("drops only the training recipe from the user metadata", () => {
    const recipe = { model: "lenet-300-100", mode: "quick", dense: { epochs: 10 } };
    const metadata = { kind: "dcnpi/compressed-weights", weightOrder: ["a"], user: { model: "lenet-300-100", recipe, producedBy: "x" } };
    expect(withoutRecipe(metadata)).toEqual({
      kind: "dcnpi/compressed-weights",
      weightOrder: ["a"],
      user: { model: "lenet-300-100", producedBy: "x" },
    });
    expect(metadata.user.recipe).toBe(recipe); // the input is not changed
    // Nothing to drop: the same object back.
    const beyond = { user: { model: "lenet-5", method: "beyond", producedBy: "x" } };
    expect(withoutRecipe(beyond)).toBe(beyond);
    expect(withoutRecipe({ weightOrder: [] })).toEqual({ weightOrder: [] });
    expect(withoutRecipe(null)).toBe(null);
  });
});
