import type { Task } from "@dcnpi/npi-core";
import { NpiAppError } from "./errors.js";
import type { TaskRecipe } from "./recipes.js";
import { additionEntry, recursiveAdditionEntry } from "./task-entries/addition.js";
import { carEntry } from "./task-entries/car.js";
import { quicksortEntry, recursiveQuicksortEntry } from "./task-entries/quicksort.js";
import { recursiveSortEntry } from "./task-entries/recursive-sort.js";
import { sortingEntry } from "./task-entries/sorting.js";
import { recursiveTopoSortEntry, topoSortEntry } from "./task-entries/toposort.js";
import type { TaskEntry } from "./task-entry.js";

export { carImageSizeOf, carTaskOf, DEFAULT_CAR_IMAGE_SIZE } from "./task-entries/car.js";
export type { TaskEntry } from "./task-entry.js";

/**
 * The tasks `npi` knows, by CLI name. A new task is an entry in `task-entries/` and one line here;
 * every command (train, eval, run, compress, verify, sweep) and every stored file's schema follow.
 */
const REGISTRY = {
  addition: additionEntry,
  sort: sortingEntry,
  car: carEntry,
  "recursive-addition": recursiveAdditionEntry,
  quicksort: quicksortEntry,
  "recursive-quicksort": recursiveQuicksortEntry,
  "recursive-sort": recursiveSortEntry,
  toposort: topoSortEntry,
  "recursive-toposort": recursiveTopoSortEntry,
} as const satisfies Record<string, TaskEntry>;

export type TaskName = keyof typeof REGISTRY;
/** The CLI's task names, in the order help texts list them (non-empty, for zod enums). */
export const TASK_NAMES = Object.keys(REGISTRY) as [TaskName, ...TaskName[]];
/** `npi train --task all`: the paper's three. */
export const PAPER_TASKS: readonly TaskName[] = ["addition", "sort", "car"];

/** The entry of a task name. */
export function taskEntry(name: TaskName): TaskEntry {
  return REGISTRY[name];
}

/** "addition, sort, car or recursive-addition". */
export function taskNameList(): string {
  return `${TASK_NAMES.slice(0, -1).join(", ")} or ${TASK_NAMES[TASK_NAMES.length - 1]}`;
}

/** Parses a `--task` value (without `all`): a name or an alias, any case. */
export function parseTaskName(value: string): TaskName {
  const wanted = value.trim().toLowerCase();
  const found = TASK_NAMES.find((name) => name === wanted || REGISTRY[name].aliases.includes(wanted));
  if (found === undefined) throw new NpiAppError("INVALID_OPTION", `--task must be ${taskNameList()}, got "${value}"`);
  return found;
}

/** The npi-envs task behind a name (the car task at its default image size unless `imageSize` is given). */
export function resolveTask(name: TaskName, options: { readonly imageSize?: number } = {}): Task {
  return REGISTRY[name].resolve(options);
}

/** The task's full or quick recipe, with `maxSteps` overridden when given. */
export function recipeFor(task: TaskName, options: { readonly quick: boolean; readonly maxSteps?: number }): TaskRecipe {
  const entry = REGISTRY[task];
  const recipe = options.quick ? entry.quickRecipe : entry.recipe;
  return options.maxSteps === undefined ? recipe : { ...recipe, maxSteps: options.maxSteps };
}

function entryOfTask(task: Task): TaskEntry {
  const entry = TASK_NAMES.map((name) => REGISTRY[name]).find((e) => e.taskName === task.name);
  if (entry === undefined) throw new NpiAppError("WRONG_TASK", `task "${task.name}" is not one of npi's (${taskNameList()})`);
  return entry;
}

/**
 * The name random problems are drawn under (training sets, validation and test problems fork the seed
 * by it): tasks of one family (recursive addition and addition) draw the same problems, so with the
 * same seed and lengths the recursive and the non-recursive programs are trained and tested on exactly
 * the same inputs (Cai et al.'s comparison).
 */
export function problemFamilyOf(task: Task): string {
  return entryOfTask(task).family;
}

/** Whether two tasks share their problems (`npi eval` compares them; `--recipe-of` trains one as the other). */
export function sameFamily(a: TaskName, b: TaskName): boolean {
  return REGISTRY[a].family === REGISTRY[b].family;
}

/** The CLI name of a task from its npi-core name (`sorting` → `sort`). */
export function taskNameOf(task: Task): TaskName {
  return entryOfTask(task).name as TaskName;
}

/** `npi run --input`'s text → the task's problem. */
export function parseTaskInput(task: TaskName, text: string): unknown {
  return REGISTRY[task].parseInput(text);
}

/** The tasks with a verification set (the recursive ones), for messages. */
export function verifiableTaskNames(): TaskName[] {
  return TASK_NAMES.filter((name) => REGISTRY[name].resolve({}).verificationSet !== undefined);
}

/** The task a model's encoder environment belongs to; the observation shape picks the car's image size. */
export function taskForEnvironment(environment: string, observationShape: readonly number[], source: string): Task {
  const entry = TASK_NAMES.map((name) => REGISTRY[name]).find((e) => e.environment === environment);
  if (entry === undefined) {
    throw new NpiAppError("MODEL_FILE", `${source}: the model's encoder is for environment "${environment}", which this app does not know`);
  }
  return entry.resolveForModel?.(observationShape, source) ?? entry.resolve({});
}
