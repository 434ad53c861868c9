import { evaluateProblems, type NpiStepModel, type Task } from "@dcnpi/npi-core";
import { Rng } from "@dcnpi/tensor";

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
 * Per-sequence accuracy at each length (npi-core's `evaluateProblems`: batched RUNs of `batchSize`,
 * the verifier on every model trace). Lengths run one after another so each gets its own time and
 * can be saved as soon as it is done.
 */
export function evaluateLengths<Input>(
  model: NpiStepModel,
  task: Task<any, Input>,
  plans: readonly LengthPlan[],
  options: {
    readonly seed: string;
    readonly batchSize?: number;
    readonly onLength?: (result: LengthResult, index: number) => void;
    /** Given problems instead of random ones (the car task's held-out problems); `plan.problems` must be their count. */
    readonly problemsOf?: (plan: LengthPlan) => readonly Input[];
  },
): LengthResult[] {
  return plans.map((plan, index) => {
    const problems = options.problemsOf?.(plan) ?? problemsOf(task, plan, options.seed);
    if (problems.length !== plan.problems) throw new RangeError(`evaluateLengths: ${problems.length} problems given for length ${plan.length}, the plan says ${plan.problems}`);
    const e = evaluateProblems(model, task, problems, options.batchSize === undefined ? {} : { batchSize: options.batchSize });
    const g = e.groups[0];
    const result: LengthResult = { length: plan.length, problems: plan.problems, correct: e.correct, traceExact: e.traceExact, statuses: g?.statuses ?? {}, modelSteps: g?.modelSteps ?? 0, wallSeconds: e.wallSeconds };
    options.onLength?.(result, index);
    return result;
  });
}

/** Default problems per length (as `repro npi`: fewer for the very long ones). Not for the car, whose test problems are a fixed set. */
export function defaultProblems(task: "addition" | "sort", length: number): number {
  if (task === "sort") return length <= 20 ? 50 : 25;
  if (length <= 100) return 50;
  if (length <= 1000) return 20;
  return 10;
}
