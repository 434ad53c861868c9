import type { Task } from "@dcnpi/npi-core";
import { additionTask, recursiveAdditionTask, type AdditionEnv, type AdditionInput } from "@dcnpi/npi-envs";
import { drawAdditionPad, type AdditionSnapshot } from "../execution-view.js";
import { parseAdditionInput } from "../input-parsing.js";
import { quickRecipeOf, recursiveTaskRecipe, trainer, TRAINING_RECIPE_VERSION, type TaskRecipe } from "../recipes.js";
import { formatPlainAnswer, type TaskEntry } from "../task-entry.js";

const recipe: TaskRecipe = {
  version: TRAINING_RECIPE_VERSION,
  trainLengths: Array.from({ length: 20 }, (_, i) => i + 1),
  tracesPerLength: 32,
  extraPrograms: ["RSHIFT"],
  model: {},
  trainer,
  maxSteps: 6_000,
  checkEverySteps: 100,
  stopAfterPerfectChecks: 3,
  validationProblems: 40,
};

// Cai, Shin & Song's recursive addition (ICLR 2017): the addition set above (lengths 1-20 × 32, and
// the same problems: training-set.ts draws them from addition's family), so the recursive and the
// non-recursive models see the same inputs. Every call is at most 4 steps long and its decisions are
// simple, so a half-width core (LSTM 2 × 128) at a higher learning rate is enough; with the paper's
// 2 × 256 a step took ~3 s on the shared 2-core machine (ours). `npi verify` is the real test.
const recursiveRecipe: TaskRecipe = recursiveTaskRecipe({ trainLengths: Array.from({ length: 20 }, (_, i) => i + 1), tracesPerLength: 32 });

const quickAddition = { trainLengths: [1, 2, 3, 4, 5], tracesPerLength: 8 };

/** What both addition programs share: problems ("1007+3"), answers (the sum), the pad's picture, lengths in digits. */
function additionFamilyEntry(
  fields: Pick<TaskEntry, "name" | "aliases" | "recipe" | "quickRecipe" | "evalLengths" | "nonRecursive"> & { task: Task },
): TaskEntry {
  const { task, ...rest } = fields;
  return {
    ...rest,
    taskName: task.name,
    environment: task.environment,
    family: "addition",
    resolve: () => task,
    lengthTitle: "digits",
    logLengthAxis: true,
    problemsAt: (length) => (length <= 100 ? 50 : length <= 1000 ? 20 : 10),
    sweep: { lengths: [1, 5, 10, 20, 100, 1000], problemsAt: (length) => (length > 100 ? 10 : 20) },
    parseInput: parseAdditionInput,
    answerOf: (env) => (env as AdditionEnv).output(),
    expectedAnswer: (input) => (BigInt((input as AdditionInput).a) + BigInt((input as AdditionInput).b)).toString(),
    formatAnswer: formatPlainAnswer,
    drawPad: (snapshot) => drawAdditionPad(snapshot as AdditionSnapshot),
  };
}

export const additionEntry = additionFamilyEntry({
  name: "addition",
  aliases: ["add"],
  task: additionTask as Task,
  recipe,
  quickRecipe: quickRecipeOf(recipe, quickAddition),
  evalLengths: [1, 10, 100, 1000, 3000],
});

export const recursiveAdditionEntry = additionFamilyEntry({
  name: "recursive-addition",
  aliases: ["radd"],
  task: recursiveAdditionTask as Task,
  recipe: recursiveRecipe,
  quickRecipe: quickRecipeOf(recursiveRecipe, quickAddition),
  evalLengths: [1, 10, 100, 1000, 5000],
  nonRecursive: "addition",
});
