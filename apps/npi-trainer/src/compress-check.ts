/**
 * What `npi compress` checks before it writes a file, so that a compressed model that lost what the
 * dense one could do is never handed over with exit code 0:
 * - a task with a verification set (the recursive ones) must stay PROVEN on the whole set;
 * - any other task must solve every held-out problem at the training lengths that the dense model
 *   solved (problems neither retraining nor the pipeline's per-stage validation drew).
 */
import { solvedProblems, verifyContexts, type Task } from "@dcnpi/npi-core";
import type { NpiModel } from "@dcnpi/npi-core/tfjs";
import type { TrainingSet } from "./model-store.js";
import { validationInputs } from "./validation.js";

/** Held-out problems per training length the check runs for a task without a verification set. */
export const CHECK_PROBLEMS_PER_LENGTH = 5;

/** The dense model's answers on the held-out problems, measured before compression changes the model. */
export interface DenseBaseline {
  readonly inputs: readonly unknown[];
  readonly lengths: readonly number[];
  readonly solved: readonly boolean[];
}

export interface CompressCheckResult {
  readonly method: "verification-set" | "held-out-problems";
  readonly passed: boolean;
  /** One line: what was checked and what was found. */
  readonly summary: string;
}

/** Runs the dense model on the held-out problems (call before compressing: the pipeline changes the model in place). */
export function denseBaseline(
  model: NpiModel,
  task: Task<any, any>,
  set: TrainingSet,
  perLength = CHECK_PROBLEMS_PER_LENGTH,
): DenseBaseline {
  const inputs = validationInputs(task, set, perLength, "compress-check");
  const lengths = set.trainLengths.flatMap((length) => Array.from({ length: perLength }, () => length));
  return { inputs, lengths, solved: solvedProblems(model, task, inputs) };
}

/** Checks the compressed model (decoded from the bytes about to be written) against the rule above. */
export function checkCompressed(model: NpiModel, task: Task<any, any>, baseline: DenseBaseline | undefined): CompressCheckResult {
  if (task.verificationSet !== undefined) {
    const r = verifyContexts(model, task, undefined, { maxFailures: 1 });
    const first = r.failures[0];
    return {
      method: "verification-set",
      passed: r.proven,
      summary: r.proven
        ? `verification set: PROVEN (all ${r.contexts} contexts)`
        : `verification set: NOT PROVEN, ${r.contexts - r.passed} of ${r.contexts} contexts wrong` +
          (first === undefined ? "" : ` (first: ${first.label}, step ${first.step}: expected ${first.expected}, got ${first.got})`),
    };
  }
  if (baseline === undefined) throw new Error("checkCompressed: a task without a verification set needs the dense baseline");
  const solved = solvedProblems(model, task, baseline.inputs);
  const lost = baseline.solved.flatMap((dense, i) => (dense && !solved[i] ? [baseline.lengths[i]!] : []));
  const count = (answers: readonly boolean[]) => answers.filter(Boolean).length;
  const n = baseline.inputs.length;
  const measured = `compressed ${count(solved)}/${n}, dense ${count(baseline.solved)}/${n}`;
  return {
    method: "held-out-problems",
    passed: lost.length === 0,
    summary:
      `held-out problems at the training lengths: ${measured}` +
      (lost.length === 0
        ? "; none the dense model solves is lost"
        : `; ${lost.length} the dense model solves are lost (lengths ${[...new Set(lost)].join(", ")})`),
  };
}
