import type { Task } from "@dcnpi/npi-core";
import type { TaskRecipe } from "./recipes.js";

/**
 * Everything the CLI needs to know about one task, in one place: adding a task to `npi` is one entry
 * in `task-entries/` and one line in `tasks.ts`'s registry. The entries for a problem family (e.g.
 * addition and recursive addition) share its problems, so their models are trained, evaluated and
 * compared on the same inputs (Cai, Shin & Song's recursive vs non-recursive comparison).
 */
export interface TaskEntry {
  /** The CLI name (`--task`), lower-case. */
  readonly name: string;
  /** Other spellings `--task` accepts. */
  readonly aliases: readonly string[];
  /** npi-core's task name, which models record (e.g. `sorting` for the CLI's `sort`). */
  readonly taskName: string;
  /** The npi-core environment whose models this entry loads (a model's encoder records it). */
  readonly environment: string;
  /** Problems are drawn under this name: tasks of one family see the same problems at the same seed. */
  readonly family: string;
  /** The npi-core task (`imageSize`: the car's render side). */
  resolve(options: { readonly imageSize?: number }): Task;
  /** The task of a stored model, from its observation shape (the car's image size); errors name `source`. */
  resolveForModel?(observationShape: readonly number[], source: string): Task;
  /**
   * Recursive tasks: the CLI name of the non-recursive program of the same family that `npi recursion`
   * trains with this task's recipe for Cai et al.'s comparison (e.g. `addition` for `recursive-addition`).
   */
  readonly nonRecursive?: string;
  /** The full training recipe and the quick one (`--quick`: checks the pipeline, not a result). */
  readonly recipe: TaskRecipe;
  readonly quickRecipe: TaskRecipe;
  /** `npi eval`'s default lengths, the figure's x-axis title, and whether that axis is logarithmic. */
  readonly evalLengths: readonly number[];
  readonly lengthTitle: string;
  readonly logLengthAxis: boolean;
  /** Fresh random problems per length for `npi eval` (absent: the task has a fixed test set, the car). */
  readonly problemsAt?: (length: number) => number;
  /** `npi sweep`'s lengths and problems per length (absent: sweep refuses the task, naming `sweepRefusal`). */
  readonly sweep?: { readonly lengths: readonly number[]; problemsAt(length: number): number };
  readonly sweepRefusal?: string;
  /** `npi run --input`'s text → the task's problem (errors are NpiAppError INVALID_INPUT). */
  parseInput(text: string): unknown;
  /** What a run produced (JSON-able), and what it should have produced, as `npi run` shows them. */
  answerOf(env: unknown): unknown;
  expectedAnswer(input: unknown, env: unknown): unknown;
  formatAnswer(answer: unknown): string;
  /** The scratch pad as text lines, from the task's snapshot. */
  drawPad(snapshot: unknown): string[];
}

/** The default answer text: a string as is, an array joined by commas, anything else as JSON. */
export function formatPlainAnswer(answer: unknown): string {
  if (typeof answer === "string") return answer;
  if (Array.isArray(answer)) return answer.join(",");
  return JSON.stringify(answer);
}
