import { recordTrace, runPrograms, sameArguments, traceActions, verifyTrace, type NpiStepModel, type Task } from "@dcnpi/npi-core";
import { stepBudget } from "./budget.js";

/** Results of one group of problems (e.g. one path length). */
export interface GroupResult {
  readonly group: number;
  readonly problems: number;
  /** The verifier, replaying the model's trace on a fresh environment, found the right answer. */
  readonly correct: number;
  /** The model's actions were exactly the teacher's. */
  readonly traceExact: number;
  readonly statuses: Record<string, number>;
  readonly modelSteps: number;
}

export interface InputsEvaluation {
  readonly problems: number;
  readonly correct: number;
  readonly traceExact: number;
  /** Per group (ascending), when a `groupOf` was given; one group 0 otherwise. */
  readonly groups: readonly GroupResult[];
  readonly wallSeconds: number;
}

/**
 * Per-sequence accuracy on an explicit list of problems (the car task's seen / unseen splits, the
 * multi-task table), run together in batched RUNs like `evaluateLengths`, with the same checks: the
 * run must return on its own within the step budget, and the verifier must accept its trace.
 */
export function evaluateInputs<Input>(
  model: NpiStepModel,
  task: Task<any, Input>,
  inputs: readonly Input[],
  options: { readonly groupOf?: (input: Input, index: number) => number; readonly batchSize?: number; readonly onChunk?: (done: number, total: number) => void } = {},
): InputsEvaluation {
  const started = performance.now();
  const batchSize = options.batchSize ?? 250;
  const tallies = new Map<number, { group: number; problems: number; correct: number; traceExact: number; statuses: Record<string, number>; modelSteps: number }>();
  for (let start = 0; start < inputs.length; start += batchSize) {
    const chunk = inputs.slice(start, start + batchSize);
    const envs = chunk.map((input) => task.createEnvironment(input));
    const runs = runPrograms(model, chunk.map((input, i) => ({ task, env: envs[i]!, maxSteps: stepBudget(task, input) })));
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
      if (verdict.correct !== solvedInPlace) throw new Error(`evaluate: verifier and RUN disagree on ${task.formatInput?.(input) ?? "a problem"}`);
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
  return { problems: sum((g) => g.problems), correct: sum((g) => g.correct), traceExact: sum((g) => g.traceExact), groups, wallSeconds: (performance.now() - started) / 1000 };
}
