import { NpiError } from "./errors.js";

/**
 * The paper's adaptive curriculum (§3.2): each program's examples are drawn with probability given
 * by a softmax over the programs' current error. `temperature` (ours; the paper calls it
 * configurable without giving a value) sets how strongly the worst program dominates.
 */
export function curriculumProbabilities(errors: readonly number[], temperature: number): Float64Array {
  if (!(temperature > 0)) throw new NpiError("INVALID_OPTIONS", `curriculum: temperature must be positive, got ${temperature}`);
  if (errors.length === 0) return new Float64Array(0);
  for (const e of errors) if (!Number.isFinite(e)) throw new NpiError("INVALID_OPTIONS", `curriculum: error ${e} is not finite`);
  const max = Math.max(...errors);
  const out = new Float64Array(errors.length);
  let total = 0;
  for (let i = 0; i < errors.length; i++) {
    out[i] = Math.exp((errors[i]! - max) / temperature);
    total += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= total;
  return out;
}

/** Index drawn from `probabilities` with a uniform `u` in [0, 1). */
export function drawIndex(probabilities: ArrayLike<number>, u: number): number {
  let acc = 0;
  for (let i = 0; i < probabilities.length; i++) {
    acc += probabilities[i]!;
    if (u < acc) return i;
  }
  return probabilities.length - 1;
}
