import { runPrograms, traceActions, recordTrace, verifyTrace, sameArguments, type NpiStepModel, type Task } from "@dcnpi/npi-core";
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
  /** Model (LSTM) steps over all problems. */
  readonly modelSteps: number;
  readonly wallSeconds: number;
}

export interface EvaluateOptions {
  readonly seed: string;
  /** Problems run together in one batched RUN (ours: all of a length, up to this many). */
  readonly batchSize?: number;
  readonly onLength?: (result: LengthResult) => void;
}

/** Accuracy per length: each problem is drawn from `task.randomInput(rng.fork(length), length)`. */
export function evaluateLengths<Input>(model: NpiStepModel, task: Task<any, Input>, plans: readonly LengthPlan[], options: EvaluateOptions): LengthResult[] {
  const results: LengthResult[] = [];
  const batchSize = options.batchSize ?? 50;
  for (const plan of plans) {
    const rng = Rng.fromSeed(options.seed).fork(`length-${plan.length}`);
    const inputs = Array.from({ length: plan.problems }, () => task.randomInput(rng, plan.length));
    const started = performance.now();
    let correct = 0;
    let traceExact = 0;
    let modelSteps = 0;
    const statuses: Record<string, number> = {};
    for (let start = 0; start < inputs.length; start += batchSize) {
      const chunk = inputs.slice(start, start + batchSize);
      const envs = chunk.map((input) => task.createEnvironment(input));
      const runs = runPrograms(model, chunk.map((input, i) => ({ task, env: envs[i]!, maxSteps: stepBudget(task, input) })));
      runs.forEach((run, i) => {
        const input = chunk[i]!;
        statuses[run.status] = (statuses[run.status] ?? 0) + 1;
        modelSteps += run.steps;
        // Independent check: replay the model's trace on a fresh environment.
        const verdict = verifyTrace(task, input, run.trace);
        const solvedInPlace = run.status === "returned" && task.isSolved(input, envs[i]!);
        if (verdict.correct !== solvedInPlace) throw new Error(`evaluate: verifier and RUN disagree on ${task.formatInput?.(input) ?? "a problem"}`);
        if (verdict.correct) correct++;
        const teacher = traceActions(task, recordTrace(task, task.createEnvironment(input), { observations: false }));
        const mine = traceActions(task, run.trace);
        if (verdict.correct && teacher.length === mine.length && teacher.every((a, k) => sameArguments(a, mine[k]!))) traceExact++;
      });
    }
    const result = { length: plan.length, problems: plan.problems, correct, traceExact, statuses, modelSteps, wallSeconds: (performance.now() - started) / 1000 };
    options.onLength?.(result);
    results.push(result);
  }
  return results;
}
