import { countTraceSteps, recordTrace, runPrograms, sameArguments, traceActions, verifyTrace, type NpiStepModel, type Task } from "@dcnpi/npi-core";
import { Rng } from "@dcnpi/tensor";

/**
 * Model steps a RUN may take on `input`: twice what the teacher needs, plus 20 (ours, as `repro npi`).
 * A model that loops or dawdles is stopped and counted wrong.
 */
export function stepBudget<Input>(task: Task<any, Input>, input: Input): number {
  return 2 * countTraceSteps(recordTrace(task, task.createEnvironment(input), { observations: false })) + 20;
}

export interface LengthPlan {
  readonly length: number;
  readonly problems: number;
}

/** Per-length results of running the model on fresh random problems. */
export interface LengthResult {
  readonly length: number;
  readonly problems: number;
  /** The RUN returned within budget and the verifier, replaying the model's trace, found the right answer. */
  readonly correct: number;
  /** Every action was the teacher's. */
  readonly traceExact: number;
  readonly statuses: Record<string, number>;
  readonly modelSteps: number;
  readonly wallSeconds: number;
}

/** The problems of one length: the same for every model evaluated with the same seed. */
export function problemsOf<Input>(task: Task<any, Input>, plan: LengthPlan, seed: string): Input[] {
  const rng = Rng.fromSeed(seed).fork(`${task.name}-length-${plan.length}`);
  return Array.from({ length: plan.problems }, () => task.randomInput(rng, plan.length));
}

/**
 * Per-sequence accuracy at each length. Problems of one length run together (a round of the RUN loop
 * steps every unfinished problem at once), in chunks of `batchSize`.
 */
export function evaluateLengths<Input>(
  model: NpiStepModel,
  task: Task<any, Input>,
  plans: readonly LengthPlan[],
  options: { readonly seed: string; readonly batchSize?: number; readonly onLength?: (result: LengthResult, index: number) => void },
): LengthResult[] {
  const batchSize = options.batchSize ?? 250;
  return plans.map((plan, index) => {
    const started = performance.now();
    const inputs = problemsOf(task, plan, options.seed);
    const tally = { length: plan.length, problems: plan.problems, correct: 0, traceExact: 0, statuses: {} as Record<string, number>, modelSteps: 0, wallSeconds: 0 };
    for (let start = 0; start < inputs.length; start += batchSize) {
      const chunk = inputs.slice(start, start + batchSize);
      const envs = chunk.map((input) => task.createEnvironment(input));
      const runs = runPrograms(model, chunk.map((input, i) => ({ task, env: envs[i]!, maxSteps: stepBudget(task, input) })));
      runs.forEach((run, i) => {
        const input = chunk[i]!;
        tally.statuses[run.status] = (tally.statuses[run.status] ?? 0) + 1;
        tally.modelSteps += run.steps;
        const verdict = verifyTrace(task, input, run.trace);
        const solved = run.status === "returned" && task.isSolved(input, envs[i]!);
        if (verdict.correct !== solved) throw new Error(`evaluate: the verifier and the RUN disagree on ${task.formatInput?.(input) ?? "a problem"}`);
        if (!solved) return;
        tally.correct++;
        const teacher = traceActions(task, recordTrace(task, task.createEnvironment(input), { observations: false }));
        const mine = traceActions(task, run.trace);
        if (teacher.length === mine.length && teacher.every((a, k) => sameArguments(a, mine[k]!))) tally.traceExact++;
      });
    }
    tally.wallSeconds = (performance.now() - started) / 1000;
    options.onLength?.(tally, index);
    return tally;
  });
}

/** Fraction of problems solved (one batched RUN over all of them). */
export function solvedFraction<Input>(model: NpiStepModel, task: Task<any, Input>, inputs: readonly Input[]): number {
  if (inputs.length === 0) return 1;
  const envs = inputs.map((input) => task.createEnvironment(input));
  const runs = runPrograms(model, inputs.map((input, i) => ({ task, env: envs[i]!, maxSteps: stepBudget(task, input) })));
  return runs.filter((r, i) => r.status === "returned" && task.isSolved(inputs[i]!, envs[i]!)).length / inputs.length;
}

/** Default problems per length (as `repro npi`: fewer for the very long ones). */
export function defaultProblems(task: "addition" | "sort" | "car", length: number): number {
  if (task === "sort") return length <= 20 ? 50 : 25;
  if (length <= 100) return 50;
  if (length <= 1000) return 20;
  return 10;
}
