/**
 * Judging a model on problems: the RUN loop over many problems at once, then the task's verifier on
 * each model trace. Shared by every app that reports accuracy, so "correct" means one thing
 * everywhere: the run returned on its own within its step budget and the verifier, replaying the
 * model's actions on a fresh environment, found the right answer.
 */
import { z } from "zod";
import { sameArguments } from "./arguments.js";
import { runPrograms, type NpiStepModel } from "./run-loop.js";
import type { Task } from "./task.js";
import { countTraceSteps, forEachInvocation, recordTrace, traceActions, verifyTrace, type Trace } from "./trace.js";

/**
 * Model steps a RUN may take on `input`: twice what the teacher needs, plus 20 (ours). A model that
 * loops or dawdles is stopped and counted wrong.
 */
export function stepBudget<Input>(task: Task<any, Input>, input: Input): number {
  return runBudget(task, input).maxSteps;
}

/** The deepest call stack of a trace (root = 1). */
export function traceDepth(trace: Trace): number {
  let deepest = 0;
  forEachInvocation(trace, (_invocation, depth) => {
    deepest = Math.max(deepest, depth);
  });
  return deepest;
}

/**
 * Step and depth limits of a RUN of `input`, from one teacher trace: `stepBudget`'s steps, and a stack
 * of twice the teacher's depth plus 10, never less than RUN's default of 10 (ours). Non-recursive
 * tasks are at most 4 deep, so they keep the default; a recursive program gets a level per call, and a
 * model recursing past twice that is stopped as a stack overflow (`depth-limit`), a failed run.
 */
export function runBudget<Input>(task: Task<any, Input>, input: Input): { readonly maxSteps: number; readonly maxDepth: number } {
  const trace = recordTrace(task, task.createEnvironment(input), { observations: false });
  return { maxSteps: 2 * countTraceSteps(trace) + 20, maxDepth: Math.max(10, 2 * traceDepth(trace) + 10) };
}

/** Results of one group of problems (e.g. one length). */
export interface GroupResult {
  readonly group: number;
  readonly problems: number;
  /** The verifier, replaying the model's trace on a fresh environment, found the right answer. */
  readonly correct: number;
  /** The model's actions were exactly the teacher's. */
  readonly traceExact: number;
  /** How runs ended: returned, step-limit, depth-limit (a stack overflow), invalid-call. */
  readonly statuses: Record<string, number>;
  /** Model (LSTM) steps over the group's problems. */
  readonly modelSteps: number;
}

export interface ProblemsEvaluation {
  readonly problems: number;
  readonly correct: number;
  readonly traceExact: number;
  /** Per group (ascending), when a `groupOf` was given; one group 0 otherwise. */
  readonly groups: readonly GroupResult[];
  readonly wallSeconds: number;
}

const count = z.number().int().nonnegative();
const groupResultSchema = z.object({
  group: z.number().int(),
  problems: count,
  correct: count,
  traceExact: count,
  statuses: z.record(z.string(), count),
  modelSteps: count,
});

/** `ProblemsEvaluation` as saved (e.g. a stage result), to read one back. */
export const problemsEvaluationSchema = z.object({
  problems: count,
  correct: count,
  traceExact: count,
  groups: z.array(groupResultSchema),
  wallSeconds: z.number().nonnegative(),
});

export interface EvaluateProblemsOptions<Input> {
  /** Tallies results per group (e.g. the problem's length). */
  readonly groupOf?: (input: Input, index: number) => number;
  /** Problems run together in one batched RUN (ours: 250; a round steps every unfinished problem at once). */
  readonly batchSize?: number;
  readonly onChunk?: (done: number, total: number) => void;
}

/**
 * Per-sequence accuracy on a list of problems, in batched RUNs of `batchSize`. Throws if the RUN's
 * own environment and the verifier's replay disagree (that would be a bug in a task, not a model error).
 */
export function evaluateProblems<Input>(
  model: NpiStepModel,
  task: Task<any, Input>,
  inputs: readonly Input[],
  options: EvaluateProblemsOptions<Input> = {},
): ProblemsEvaluation {
  const started = performance.now();
  const batchSize = options.batchSize ?? 250;
  const tallies = new Map<
    number,
    { group: number; problems: number; correct: number; traceExact: number; statuses: Record<string, number>; modelSteps: number }
  >();
  for (let start = 0; start < inputs.length; start += batchSize) {
    const chunk = inputs.slice(start, start + batchSize);
    const envs = chunk.map((input) => task.createEnvironment(input));
    const runs = runPrograms(
      model,
      chunk.map((input, i) => ({ task, env: envs[i]!, ...runBudget(task, input) })),
    );
    runs.forEach((run, i) => {
      const input = chunk[i]!;
      const group = options.groupOf?.(input, start + i) ?? 0;
      let tally = tallies.get(group);
      if (tally === undefined) tallies.set(group, (tally = { group, problems: 0, correct: 0, traceExact: 0, statuses: {}, modelSteps: 0 }));
      tally.problems++;
      tally.statuses[run.status] = (tally.statuses[run.status] ?? 0) + 1;
      tally.modelSteps += run.steps;
      const verdict = verifyTrace(task, input, run.trace);
      const solvedInPlace = run.status === "returned" && task.isSolved(input, envs[i]!);
      if (verdict.correct !== solvedInPlace)
        throw new Error(`evaluate: the verifier and the RUN disagree on ${task.formatInput?.(input) ?? "a problem"}`);
      if (!verdict.correct) return;
      tally.correct++;
      const teacher = traceActions(task, recordTrace(task, task.createEnvironment(input), { observations: false }));
      const mine = traceActions(task, run.trace);
      if (teacher.length === mine.length && teacher.every((a, k) => sameArguments(a, mine[k]!))) tally.traceExact++;
    });
    options.onChunk?.(Math.min(inputs.length, start + batchSize), inputs.length);
  }
  const groups = [...tallies.values()].sort((a, b) => a.group - b.group);
  const sum = (pick: (g: GroupResult) => number) => groups.reduce((a, g) => a + pick(g), 0);
  return {
    problems: sum((g) => g.problems),
    correct: sum((g) => g.correct),
    traceExact: sum((g) => g.traceExact),
    groups,
    wallSeconds: (performance.now() - started) / 1000,
  };
}

/**
 * Per input, whether the model solves it: its RUN returns on its own within the run budget and the task
 * finds the answer right (what `solvedFraction` counts; a caller comparing two models needs which ones).
 */
export function solvedProblems<Input>(model: NpiStepModel, task: Task<any, Input>, inputs: readonly Input[]): boolean[] {
  if (inputs.length === 0) return [];
  const envs = inputs.map((input) => task.createEnvironment(input));
  const runs = runPrograms(
    model,
    inputs.map((input, i) => ({ task, env: envs[i]!, ...runBudget(task, input) })),
  );
  return runs.map((r, i) => r.status === "returned" && task.isSolved(inputs[i]!, envs[i]!));
}

/**
 * Fraction of problems solved (one batched RUN over all of them; no verifier replay or trace
 * comparison: the cheap check training and compression run often). 1 for no problems.
 */
export function solvedFraction<Input>(model: NpiStepModel, task: Task<any, Input>, inputs: readonly Input[]): number {
  if (inputs.length === 0) return 1;
  return solvedProblems(model, task, inputs).filter(Boolean).length / inputs.length;
}
