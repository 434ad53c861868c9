import type { Task } from "@dcnpi/npi-core";
import { sortingTask, type SortingEnv, type SortingInput } from "@dcnpi/npi-envs";
import { drawSortingPad, type SortingSnapshot } from "../execution-view.js";
import { parseSortingInput } from "../input-parsing.js";
import { quickRecipeOf, trainer, TRAINING_RECIPE_VERSION, type TaskRecipe } from "../recipes.js";
import { formatPlainAnswer, type TaskEntry } from "../task-entry.js";

const recipe: TaskRecipe = {
  version: TRAINING_RECIPE_VERSION,
  trainLengths: Array.from({ length: 19 }, (_, i) => i + 2),
  tracesPerLength: 64,
  extraPrograms: [],
  model: {},
  trainer,
  maxSteps: 6_000,
  checkEverySteps: 100,
  stopAfterPerfectChecks: 3,
  validationProblems: 40,
};

/** Bubble sort (the paper's §4.2): arrays of digits, answers the sorted array. */
export const sortingEntry: TaskEntry = {
  name: "sort",
  aliases: ["sorting"],
  taskName: sortingTask.name,
  environment: sortingTask.environment,
  family: "sorting",
  resolve: () => sortingTask as Task,
  recipe,
  quickRecipe: quickRecipeOf(recipe, { trainLengths: [2, 3, 4, 5], tracesPerLength: 4 }),
  evalLengths: [2, 5, 10, 20, 30, 40, 50, 60],
  lengthTitle: "array length",
  logLengthAxis: false,
  problemsAt: (length) => (length <= 20 ? 50 : 25),
  sweep: { lengths: [2, 5, 10, 20, 40, 60], problemsAt: (length) => (length > 20 ? 10 : 20) },
  parseInput: parseSortingInput,
  answerOf: (env) => Array.from((env as SortingEnv).values),
  expectedAnswer: (input) => [...(input as SortingInput).values].sort((x, y) => x - y),
  formatAnswer: formatPlainAnswer,
  drawPad: (snapshot) => drawSortingPad(snapshot as SortingSnapshot),
};
