/**
 * Sine and cosine of multiples of 15° from closed forms that use only `Math.sqrt`.
 *
 * `Math.sin`/`Math.cos` are not required by ECMAScript to be correctly rounded, so two engines
 * (V8 in Node, SpiderMonkey in a browser) may differ in the last bit, and a rendered pixel can
 * flip. `Math.sqrt` and + - * / are correctly rounded everywhere, so every camera on the pose grid
 * (and every 30°-sided wheel) is bit-for-bit the same on every engine.
 */
const SQRT2 = Math.sqrt(2);
const SQRT3 = Math.sqrt(3);
const SQRT6 = Math.sqrt(6);

/** sin(k·15°) for k = 0..6 (first quadrant). */
const SIN_FIRST_QUADRANT: readonly number[] = [0, (SQRT6 - SQRT2) / 4, 0.5, SQRT2 / 2, SQRT3 / 2, (SQRT6 + SQRT2) / 4, 1];

/** sin(steps · 15°) for any integer `steps`. */
export function sinSteps15(steps: number): number {
  const k = ((steps % 24) + 24) % 24;
  if (k <= 6) return SIN_FIRST_QUADRANT[k]!;
  if (k <= 12) return SIN_FIRST_QUADRANT[12 - k]!;
  if (k <= 18) return -SIN_FIRST_QUADRANT[k - 12]!;
  return -SIN_FIRST_QUADRANT[24 - k]!;
}

/** cos(steps · 15°) for any integer `steps`. */
export function cosSteps15(steps: number): number {
  return sinSteps15(steps + 6);
}
