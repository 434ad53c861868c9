import { evaluateProblems, type NpiStepModel, type Task } from "@dcnpi/npi-core";
import { Rng } from "@dcnpi/tensor";
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
  const planOf: number[] = [];
  const inputs = plans.flatMap((plan, planIndex) => {
    const rng = Rng.fromSeed(options.seed).fork(`length-${plan.length}`);
    return Array.from({ length: plan.problems }, () => (planOf.push(planIndex), task.randomInput(rng, plan.length)));
  });
  const evaluation = evaluateProblems(model, task, inputs, {
    groupOf: (_, index) => planOf[index]!,
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.onChunk === undefined ? {} : { onChunk: options.onChunk }),
  });
  const byPlan = new Map(evaluation.groups.map((g) => [g.group, g]));
  const lengths = plans.map((plan, planIndex) => {
    const g = byPlan.get(planIndex);
    return { length: plan.length, problems: plan.problems, correct: g?.correct ?? 0, traceExact: g?.traceExact ?? 0, statuses: g?.statuses ?? {}, modelSteps: g?.modelSteps ?? 0 };
  });
  return { lengths, wallSeconds: evaluation.wallSeconds };
}

/**
 * A cached evaluation stage's value as an `Evaluation`. Runs made before evaluations carried their
 * total time hold a bare per-length list instead (each length with its own `wallSeconds`); those are
 * read as today's shape, their time the sum of the lengths'.
 */
export function cachedEvaluation(value: unknown): Evaluation {
  if (!Array.isArray(value)) return value as Evaluation;
  const lengths = value as (LengthResult & { readonly wallSeconds?: number })[];
  return { lengths: lengths.map(({ wallSeconds: _, ...r }) => r), wallSeconds: lengths.reduce((a, r) => a + (r.wallSeconds ?? 0), 0) };
}
