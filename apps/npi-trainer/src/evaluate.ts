import {
  evaluateLengths as evaluateLengthsTogether,
  type LengthPlan,
  type LengthResult as CoreLengthResult,
  type NpiStepModel,
  type Task,
} from "@dcnpi/npi-core";
import { Rng } from "@dcnpi/tensor";
import { problemFamilyOf } from "./tasks.js";

// What this app adds to npi-core's per-length evaluation: its seeding of the problems, its default
// problem counts, and lengths evaluated one after another so that each is timed and saved on its own.

/** A length evaluated on its own: npi-core's `LengthResult` and that length's wall time. */
export type TimedLengthResult = CoreLengthResult & { readonly wallSeconds: number };

/** The name sweep-command.ts imports (another branch edits that file); new code uses `TimedLengthResult`. */
export type LengthResult = TimedLengthResult;

/** The problems of one length: the same for every model evaluated with the same seed. */
export function problemsOf<Input>(task: Task<any, Input>, plan: LengthPlan, seed: string): Input[] {
  const rng = Rng.fromSeed(seed).fork(`${problemFamilyOf(task)}-length-${plan.length}`);
  return Array.from({ length: plan.problems }, () => task.randomInput(rng, plan.length));
}

/**
 * Per-sequence accuracy at each length (npi-core's `evaluateLengths`, one length per call). Lengths
 * run one after another so each gets its own time and can be saved as soon as it is done.
 */
export function evaluateEachLength<Input>(
  model: NpiStepModel,
  task: Task<any, Input>,
  plans: readonly LengthPlan[],
  options: {
    readonly seed: string;
    readonly batchSize?: number;
    readonly onLength?: (result: TimedLengthResult, index: number) => void;
    /** Given problems instead of random ones (the car task's held-out problems); `plan.problems` must be their count. */
    readonly problemsOf?: (plan: LengthPlan) => readonly Input[];
  },
): TimedLengthResult[] {
  return plans.map((plan, index) => {
    const e = evaluateLengthsTogether(model, task, [plan], {
      problemsOf: (p) => options.problemsOf?.(p) ?? problemsOf(task, p, options.seed),
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    });
    const result: TimedLengthResult = { ...e.lengths[0]!, wallSeconds: e.wallSeconds };
    options.onLength?.(result, index);
    return result;
  });
}

/** The name sweep-command.ts imports (another branch edits that file); new code uses `evaluateEachLength`. */
export const evaluateLengths = evaluateEachLength;
