import type { Task } from "@dcnpi/npi-core";
import { recursiveBubbleSortTask } from "@dcnpi/npi-envs";
import { quickRecipeOf, recursiveTaskRecipe, type TaskRecipe } from "../recipes.js";
import type { TaskEntry } from "../task-entry.js";
import { sortingEntry } from "./sorting.js";

// Cai, Shin & Song's recursive bubble sort (ICLR 2017). Every call is at most 3 steps long and every
// context it can meet already occurs at length 6 (npi-envs' verification set), so short arrays are
// enough: lengths 2-12 × 32 of the sorting family's problems (the plain `sort` trained with
// `--recipe-of recursive-sort` sees exactly these). Recursive addition's half-width core and learning
// rate (ours); `npi verify` is the real test.
const recipe: TaskRecipe = recursiveTaskRecipe({ trainLengths: Array.from({ length: 11 }, (_, i) => i + 2), tracesPerLength: 32 });

/** Recursive bubble sort: the sorting family's problems, answers and pad; BUBBLESORT, BSTEP and RESET call themselves. */
export const recursiveSortEntry: TaskEntry = {
  ...sortingEntry,
  name: "recursive-sort",
  aliases: ["recursive-sorting", "rsort"],
  taskName: recursiveBubbleSortTask.name,
  environment: recursiveBubbleSortTask.environment,
  resolve: () => recursiveBubbleSortTask as Task,
  nonRecursive: "sort",
  recipe,
  quickRecipe: quickRecipeOf(recipe, { trainLengths: [2, 3, 4, 5], tracesPerLength: 4 }),
  // A run at length n takes ~10 n² model steps, one after another: length 100 is ~100,000 steps.
  evalLengths: [2, 5, 10, 20, 50, 100],
  problemsAt: (length) => (length <= 20 ? 50 : 20),
};
