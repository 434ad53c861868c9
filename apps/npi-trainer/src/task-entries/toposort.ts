import { recordTrace, type Task } from "@dcnpi/npi-core";
import { NpiEnvError, parseDag, recursiveTopoSortTask, topoSortTask, type DagInput, type GraphEnv } from "@dcnpi/npi-envs";
import { NpiAppError } from "../errors.js";
import { quickRecipeOf, type TaskRecipe, recursiveTaskRecipe } from "../recipes.js";
import { formatPlainAnswer, type TaskEntry } from "../task-entry.js";

/**
 * Most vertices `npi run` takes (larger graphs belong in `eval`): a run shows every step, about 15 per
 * vertex, and the teacher that sets the step budget recurses in JavaScript once per DFS level.
 */
export const MAX_RUN_VERTICES = 200;

/** `"5: 0>1 0>2 1>3"` → the DAG (children in the order listed); a cycle or a bad vertex id is INVALID_INPUT. */
export function parseTopoSortInput(text: string): DagInput {
  let input: DagInput;
  try {
    input = parseDag(text);
  } catch (error) {
    if (error instanceof NpiEnvError) throw new NpiAppError("INVALID_INPUT", `--input: ${error.message}`);
    throw error;
  }
  if (input.adjacency.length > MAX_RUN_VERTICES) {
    throw new NpiAppError(
      "INVALID_INPUT",
      `--input: the graph has ${input.adjacency.length} vertices; run takes at most ${MAX_RUN_VERTICES} (use eval for larger graphs)`,
    );
  }
  return input;
}

/** What `snapshotGraph` (npi-envs) records. */
interface GraphSnapshot {
  readonly adjacency: readonly (readonly number[])[];
  readonly colours: readonly number[];
  readonly start: number;
  readonly current: number;
  readonly edge: number;
  readonly stack: readonly (readonly [number, number])[];
  readonly output: readonly number[];
}

/** Vertices drawn at most; the window follows the current vertex. */
const GRAPH_WINDOW = 40;

/** The graph as text: colours (W/G/B) with the start and current vertices marked, the current edge, the stack, the result. */
export function drawGraphPad(snapshot: GraphSnapshot): string[] {
  const n = snapshot.colours.length;
  const first = n <= GRAPH_WINDOW ? 0 : Math.min(n - GRAPH_WINDOW, Math.max(0, snapshot.current - GRAPH_WINDOW / 2));
  const last = Math.min(n, first + GRAPH_WINDOW);
  const marks = (at: number) => {
    let line = first > 0 ? "…" : " ";
    for (let v = first; v < last; v++) line += v === at ? " ^ " : "   ";
    return line.trimEnd();
  };
  let ids = first > 0 ? "…" : " ";
  let colours = ids;
  for (let v = first; v < last; v++) {
    ids += String(v).padStart(3);
    colours += `  ${"WGB"[snapshot.colours[v]!] ?? "?"}`;
  }
  const children = snapshot.adjacency[snapshot.current] ?? [];
  const child = children[snapshot.edge];
  const frames = snapshot.stack.map(([v, e]) => `${v}@${e}`);
  return [
    `  vertex ${ids}${last < n ? " …" : ""}`,
    `  colour ${colours}`,
    `  start  ${snapshot.start < n ? marks(snapshot.start) : " (no more vertices)"}`,
    `  curr.  ${marks(snapshot.current)}`,
    `  edge   ${snapshot.current}${child === undefined ? ": no more children" : `>${child} (child ${snapshot.edge + 1} of ${children.length})`}`,
    `  stack  ${frames.length === 0 ? "(empty)" : frames.slice(-8).join(" ")}${frames.length > 8 ? ` (${frames.length} frames)` : ""}`,
    `  result ${snapshot.output.join(",")}`,
  ];
}

// Both programs are trained on the same problems (one family, so the same seeded draw): random DAGs of
// 1-10 vertices, out-degree at most 3 (npi-envs' randomDag), 24 per size. Cai et al. trained the
// recursive program on 6 traces; we use more because the non-recursive one must see long DFS calls to
// have any chance. At seed 1 every one of the recursive program's 48 verification contexts occurs in
// training (the 1-vertex graph is the only one with "first call, no child, no next vertex"; two need 5
// vertices). The model is recursive addition's half-width core.
const recipe: TaskRecipe = recursiveTaskRecipe({ trainLengths: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], tracesPerLength: 24 });

const quickTopoSort = { trainLengths: [1, 2, 3, 4, 5], tracesPerLength: 8 };

/** What both topological-sort programs share: problems ("5: 0>1 0>2"), answers (an order), the graph's picture, sizes in vertices. */
function topoSortFamilyEntry(fields: Pick<TaskEntry, "name" | "aliases" | "nonRecursive"> & { task: Task }): TaskEntry {
  const { task, ...rest } = fields;
  return {
    ...rest,
    taskName: task.name,
    environment: task.environment,
    family: "toposort",
    resolve: () => task,
    recipe,
    quickRecipe: quickRecipeOf(recipe, quickTopoSort),
    evalLengths: [5, 10, 20, 40, 70],
    lengthTitle: "vertices",
    logLengthAxis: false,
    problemsAt: () => 50,
    sweep: { lengths: [5, 10, 20, 40, 70], problemsAt: () => 20 },
    parseInput: parseTopoSortInput,
    // The topological order the run wrote (its result list reversed); any valid order is correct.
    answerOf: (env) => (env as GraphEnv).order(),
    expectedAnswer: (input) => {
      const env = task.createEnvironment(input) as GraphEnv;
      recordTrace(task, env, { observations: false });
      return env.order();
    },
    formatAnswer: formatPlainAnswer,
    drawPad: (snapshot) => drawGraphPad(snapshot as GraphSnapshot),
  };
}

export const topoSortEntry = topoSortFamilyEntry({ name: "toposort", aliases: ["topological-sort"], task: topoSortTask as Task });

export const recursiveTopoSortEntry = topoSortFamilyEntry({
  name: "recursive-toposort",
  aliases: ["rtoposort", "recursive-topological-sort"],
  task: recursiveTopoSortTask as Task,
  nonRecursive: "toposort",
});
