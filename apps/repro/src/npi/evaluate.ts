import { recordTrace, runPrograms, sameArguments, traceActions, verifyTrace, type NpiStepModel, type Task } from "@dcnpi/npi-core";
import { Rng } from "@dcnpi/tensor";
import { stepBudget } from "./budget.js";
import type { LengthPlan } from "./recipes.js";

/** Per-length results of running the model (RUN loop, batched) on fresh random problems. */
export interface LengthResult {
  readonly length: number;
  readonly problems: number;
  /** Final answer correct (the verifier replayed the model's trace and checked the answer). */
  readonly correct: number;
  /** The model's actions were exactly the teacher's. */
  readonly traceExact: number;
  /** How runs ended: returned, step-limit, depth-limit, invalid-call. */
  readonly statuses: Record<string, number>;
  /** Model (LSTM) steps over all problems of this length. */
  readonly modelSteps: number;
}

export interface Evaluation {
  readonly lengths: readonly LengthResult[];
  /** Wall-clock seconds for the whole evaluation (all lengths run together). */
  readonly wallSeconds: number;
}

export interface EvaluateOptions {
  readonly seed: string;
  /** Problems run together in one batched RUN (ours: 250, lengths mixed). */
  readonly batchSize?: number;
  readonly onChunk?: (done: number, total: number) => void;
}

/**
 * Accuracy per length on problems drawn from `task.randomInput(rng.fork(length), length)`. All
 * problems, whatever their length, run together in batches (a round of the RUN loop steps every
 * unfinished problem at once), which amortises the per-step overhead over many frames.
 */
export function evaluateLengths<Input>(model: NpiStepModel, task: Task<any, Input>, plans: readonly LengthPlan[], options: EvaluateOptions): Evaluation {
  const started = performance.now();
  const batchSize = options.batchSize ?? 250;
  const problems = plans.flatMap((plan, planIndex) => {
    const rng = Rng.fromSeed(options.seed).fork(`length-${plan.length}`);
    return Array.from({ length: plan.problems }, () => ({ planIndex, input: task.randomInput(rng, plan.length) }));
  });
  const tallies = plans.map((plan) => ({ length: plan.length, problems: plan.problems, correct: 0, traceExact: 0, statuses: {} as Record<string, number>, modelSteps: 0 }));
  for (let start = 0; start < problems.length; start += batchSize) {
    const chunk = problems.slice(start, start + batchSize);
    const envs = chunk.map(({ input }) => task.createEnvironment(input));
    const runs = runPrograms(model, chunk.map(({ input }, i) => ({ task, env: envs[i]!, maxSteps: stepBudget(task, input) })));
    runs.forEach((run, i) => {
      const { input, planIndex } = chunk[i]!;
      const tally = tallies[planIndex]!;
      tally.statuses[run.status] = (tally.statuses[run.status] ?? 0) + 1;
      tally.modelSteps += run.steps;
      // Independent check: replay the model's trace on a fresh environment.
      const verdict = verifyTrace(task, input, run.trace);
      const solvedInPlace = run.status === "returned" && task.isSolved(input, envs[i]!);
      if (verdict.correct !== solvedInPlace) throw new Error(`evaluate: verifier and RUN disagree on ${task.formatInput?.(input) ?? "a problem"}`);
      if (!verdict.correct) return;
      tally.correct++;
      const teacher = traceActions(task, recordTrace(task, task.createEnvironment(input), { observations: false }));
      const mine = traceActions(task, run.trace);
      if (teacher.length === mine.length && teacher.every((a, k) => sameArguments(a, mine[k]!))) tally.traceExact++;
    });
    options.onChunk?.(Math.min(problems.length, start + batchSize), problems.length);
  }
  return { lengths: tallies, wallSeconds: (performance.now() - started) / 1000 };
}
