import { NpiError } from "./errors.js";

/** A step decay: `initial × factor^floor(step / everySteps)`. */
export interface StepDecaySchedule {
  readonly initial: number;
  readonly factor: number;
  readonly everySteps: number;
  /** Ours (0 = none): the rate grows linearly from initial/warmupSteps to initial over the first warmupSteps steps. */
  readonly warmupSteps?: number;
}

/** The paper's schedule (§4): Adam at 1e-4, multiplied by 0.95 every 10,000 steps (batch 1). */
export const PAPER_LEARNING_RATE: StepDecaySchedule = Object.freeze({ initial: 1e-4, factor: 0.95, everySteps: 10_000 });

export function learningRateAt(schedule: StepDecaySchedule, step: number): number {
  if (!(schedule.initial > 0) || !(schedule.factor > 0) || !(schedule.everySteps >= 1)) {
    throw new NpiError("INVALID_OPTIONS", `learning rate: need initial > 0, factor > 0, everySteps >= 1, got ${JSON.stringify(schedule)}`);
  }
  const warmup = schedule.warmupSteps ?? 0;
  const ramp = warmup > 0 ? Math.min(1, (step + 1) / warmup) : 1;
  return ramp * schedule.initial * schedule.factor ** Math.floor(step / schedule.everySteps);
}
