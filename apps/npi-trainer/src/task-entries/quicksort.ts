import type { Task } from "@dcnpi/npi-core";
import { quicksortTask, recursiveQuicksortTask, type QuicksortEnv, type QuicksortSnapshot, type SortingInput } from "@dcnpi/npi-envs";
import { parseSortingInput } from "../input-parsing.js";
import { quickRecipeOf, recursiveTaskRecipe, type TaskRecipe } from "../recipes.js";
import { formatPlainAnswer, type TaskEntry } from "../task-entry.js";

// Cai, Shin & Song's quicksort (ICLR 2017), recursive and iterative, trained alike so that the
// comparison is theirs: the same problems (the sorting family's), the same lengths and model. They
// trained on 4 traces of length 5; we draw 32 arrays of each length 2-10 (288 traces), which meet all
// 48 contexts of the recursive program many times over. The recursive addition recipe's core (LSTM 2 × 128)
// and learning rate; `npi verify` is the real test of the recursive model.
const recipe: TaskRecipe = recursiveTaskRecipe({ trainLengths: Array.from({ length: 9 }, (_, i) => i + 2), tracesPerLength: 32 });

const quick = quickRecipeOf(recipe, { trainLengths: [2, 3, 4, 5], tracesPerLength: 8 });

/** A row of cells from -1 to n (pointers may stand one past either end), in a window around LO. */
const PAD_WINDOW = 48;

/** The quicksort pad: the array, a line per pointer, and the saved ranges on the stack (top last). */
export function drawQuicksortPad(snapshot: QuicksortSnapshot): string[] {
  const n = snapshot.values.length;
  const first = Math.max(-1, Math.min(n + 1 - PAD_WINDOW, (snapshot.pointers[0] ?? 0) - Math.floor(PAD_WINDOW / 2)));
  const last = Math.min(n, first + PAD_WINDOW - 1);
  const cell = (i: number) => (i >= 0 && i < n ? String(snapshot.values[i]) : "·");
  let values = `  array ${first > -1 ? "…" : " "}`;
  for (let i = first; i <= last; i++) values += ` ${cell(i)} `;
  const lines = [values.trimEnd()];
  ["LO", "HI", "I", "J"].forEach((name, p) => {
    let line = `  ${name.padEnd(6)}${first > -1 ? "…" : " "}`;
    for (let i = first; i <= last; i++) line += i === snapshot.pointers[p] ? " ^ " : "   ";
    lines.push(line.trimEnd());
  });
  const top = snapshot.stack.slice(-3).map((frame) => `${frame[0]}..${frame[1]}`);
  lines.push(`  stack ${snapshot.stack.length} saved${top.length > 0 ? `, top ${top.join(" ")}` : ""}`);
  return lines;
}

/** What both quicksort programs share: the sorting family's problems, answers and lengths. */
function quicksortFamilyEntry(fields: Pick<TaskEntry, "name" | "aliases" | "nonRecursive"> & { task: Task }): TaskEntry {
  const { task, ...rest } = fields;
  return {
    ...rest,
    taskName: task.name,
    environment: task.environment,
    // The sorting family: the same random arrays as `sort` (bubble sort) at the same seed.
    family: "sorting",
    resolve: () => task,
    recipe,
    quickRecipe: quick,
    evalLengths: [5, 10, 20, 50, 100],
    lengthTitle: "array length",
    logLengthAxis: false,
    problemsAt: () => 50,
    sweep: { lengths: [2, 5, 10, 20, 50], problemsAt: (length) => (length > 20 ? 10 : 20) },
    parseInput: parseSortingInput,
    answerOf: (env) => Array.from((env as QuicksortEnv).values),
    expectedAnswer: (input) => [...(input as SortingInput).values].sort((x, y) => x - y),
    formatAnswer: formatPlainAnswer,
    drawPad: (snapshot) => drawQuicksortPad(snapshot as QuicksortSnapshot),
  };
}

/** Cai et al.'s recursive quicksort: QUICKSORT and COMPSWAP_LOOP call themselves; verifiable (48 contexts). */
export const recursiveQuicksortEntry = quicksortFamilyEntry({
  name: "recursive-quicksort",
  aliases: ["rquicksort"],
  task: recursiveQuicksortTask as Task,
  nonRecursive: "quicksort",
});

/** Their non-recursive baseline: loops over the environment stack and the scan. */
export const quicksortEntry = quicksortFamilyEntry({ name: "quicksort", aliases: ["qsort"], task: quicksortTask as Task });
