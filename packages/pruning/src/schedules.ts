import { PruningError } from "./errors.js";

/**
 * What a schedule says at one training step: whether to (re)compute masks now, the target in force
 * (null before the schedule starts), and which pruning round this is (0-based; -1 before the first).
 */
export interface ScheduleDecision<T> {
  readonly prune: boolean;
  readonly target: T | null;
  readonly cycle: number;
}

/** A schedule is a pure function of the step: the same step always gives the same decision. */
export type PruningSchedule<T> = (step: number) => ScheduleDecision<T>;

function checkStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0)
    throw new PruningError("INVALID_SCHEDULE", `schedule: step must be a non-negative integer, got ${step}`);
}

function checkInt(value: number, what: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min)
    throw new PruningError("INVALID_SCHEDULE", `${what} must be an integer >= ${min}, got ${value}`);
}

/** Prune once, at `step` (default 0), to `target`. */
export function oneShotSchedule<T>(options: { readonly target: T; readonly step?: number }): PruningSchedule<T> {
  const at = options.step ?? 0;
  checkInt(at, "oneShotSchedule: step", 0);
  return (step) => {
    checkStep(step);
    return step < at ? { prune: false, target: null, cycle: -1 } : { prune: step === at, target: options.target, cycle: 0 };
  };
}

/**
 * The paper's iterative pruning: round i prunes to `targets[i]` at step beginStep + i x stepsPerCycle
 * and the steps until the next round retrain with that mask. After the last round the last target
 * stays in force. `T` is anything: a `PruneTarget`, or a record of per-layer targets (for example
 * growing quality parameters, as Han's thesis does).
 */
export function iterativeSchedule<T>(options: {
  readonly targets: readonly T[];
  readonly stepsPerCycle: number;
  readonly beginStep?: number;
}): PruningSchedule<T> {
  const begin = options.beginStep ?? 0;
  checkInt(begin, "iterativeSchedule: beginStep", 0);
  checkInt(options.stepsPerCycle, "iterativeSchedule: stepsPerCycle", 1);
  if (options.targets.length === 0) throw new PruningError("INVALID_SCHEDULE", "iterativeSchedule: targets must hold at least one round");
  const targets = [...options.targets];
  return (step) => {
    checkStep(step);
    if (step < begin) return { prune: false, target: null, cycle: -1 };
    const offset = step - begin;
    const cycle = Math.min(Math.floor(offset / options.stepsPerCycle), targets.length - 1);
    const prune = offset % options.stepsPerCycle === 0 && offset / options.stepsPerCycle < targets.length;
    return { prune, target: targets[cycle]!, cycle };
  };
}

export interface PolynomialDecayOptions {
  readonly initialSparsity: number;
  readonly finalSparsity: number;
  readonly beginStep: number;
  readonly endStep: number;
  /** Exponent of the decay (TF-MOT default 3). */
  readonly power?: number;
  /** Prune every `frequency` steps (TF-MOT default 100). */
  readonly frequency?: number;
}

function checkPolynomial(options: PolynomialDecayOptions): Required<PolynomialDecayOptions> {
  const { initialSparsity, finalSparsity, beginStep, endStep, power = 3, frequency = 100 } = options;
  const isFraction = (x: number) => Number.isFinite(x) && x >= 0 && x < 1;
  if (!isFraction(initialSparsity) || !isFraction(finalSparsity)) {
    throw new PruningError(
      "INVALID_SCHEDULE",
      `polynomialDecay: sparsities must lie in [0,1), got ${initialSparsity} and ${finalSparsity}`,
    );
  }
  checkInt(beginStep, "polynomialDecay: beginStep", 0);
  checkInt(endStep, "polynomialDecay: endStep", beginStep + 1);
  checkInt(frequency, "polynomialDecay: frequency", 1);
  if (!Number.isFinite(power) || power <= 0) throw new PruningError("INVALID_SCHEDULE", `polynomialDecay: power must be > 0, got ${power}`);
  return { initialSparsity, finalSparsity, beginStep, endStep, power, frequency };
}

/**
 * TF-MOT's PolynomialDecay sparsity at `step`: s = s_f + (s_i - s_f) (1 - p)^power with
 * p = clamp((step - beginStep) / (endStep - beginStep), 0, 1).
 */
export function polynomialDecaySparsity(step: number, options: PolynomialDecayOptions): number {
  checkStep(step);
  const o = checkPolynomial(options);
  const progress = Math.min(1, Math.max(0, (step - o.beginStep) / (o.endStep - o.beginStep)));
  return o.finalSparsity + (o.initialSparsity - o.finalSparsity) * (1 - progress) ** o.power;
}

/**
 * TF-MOT's PolynomialDecay as a schedule of `{sparsity}` targets: prunes at beginStep and every
 * `frequency` steps up to endStep. Deviation: it also prunes at endStep itself when endStep is not on
 * the frequency grid, so the final sparsity is always reached (TF-MOT can stop short of it).
 */
export function polynomialDecaySchedule(options: PolynomialDecayOptions): PruningSchedule<{ readonly sparsity: number }> {
  const o = checkPolynomial(options);
  return (step) => {
    checkStep(step);
    if (step < o.beginStep) return { prune: false, target: null, cycle: -1 };
    const offset = step - o.beginStep;
    const inRange = step <= o.endStep;
    const prune = inRange && (offset % o.frequency === 0 || step === o.endStep);
    const cycle =
      Math.floor(Math.min(offset, o.endStep - o.beginStep) / o.frequency) +
      (step >= o.endStep && (o.endStep - o.beginStep) % o.frequency !== 0 ? 1 : 0);
    return { prune, target: { sparsity: polynomialDecaySparsity(Math.min(step, o.endStep), o) }, cycle };
  };
}
