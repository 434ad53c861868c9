import { type AdditionInput, type CarInput, type SortingInput } from "@dcnpi/npi-envs";
import { CarWorldError, carSplitOf, validatePose } from "@dcnpi/npi-envs/car-world";
import { NpiAppError } from "./errors.js";

/**
 * Longest operand / array `run` accepts (longer problems belong in `eval`). `run` shows every step and
 * its step budget is 2 × the teacher's steps + 20 (about 22 per digit), so 10,000 digits meant a
 * 220,036-step budget and 40 MB of `--json` before a model that does not generalise stopped; 1,000
 * digits bounds a run at 22,036 steps (a few MB), and is the longest length the README evaluates at.
 */
export const MAX_RUN_DIGITS = 1_000;
export const MAX_RUN_VALUES = 200;

/** `"1007+3"` (spaces allowed) → `{ a: "1007", b: "3" }`. Operands are decimal numbers without leading zeros. */
export function parseAdditionInput(text: string): AdditionInput {
  const match = /^\s*([0-9]+)\s*\+\s*([0-9]+)\s*$/.exec(text);
  if (match === null)
    throw new NpiAppError(
      "INVALID_INPUT",
      `addition input must look like "1007+3" (two non-negative integers joined by "+"), got "${text}"`,
    );
  const [a, b] = [match[1]!, match[2]!];
  for (const operand of [a, b]) {
    if (operand.length > 1 && operand.startsWith("0"))
      throw new NpiAppError("INVALID_INPUT", `addition operand "${operand}" has a leading zero`);
    if (operand.length > MAX_RUN_DIGITS)
      throw new NpiAppError(
        "INVALID_INPUT",
        `addition operand has ${operand.length} digits; run takes at most ${MAX_RUN_DIGITS} ` +
          `(a step budget of ${22 * MAX_RUN_DIGITS + 36} steps; use eval for longer problems)`,
      );
  }
  return { a, b };
}

/** `"9,2,5,1"` or `"[9, 2, 5, 1]"` → `{ values: [9, 2, 5, 1] }`; every value a single digit 0-9. */
export function parseSortingInput(text: string): SortingInput {
  const inner = text.trim().replace(/^\[(.*)\]$/s, "$1");
  const parts = inner.split(",").map((p) => p.trim());
  if (inner.trim() === "" || parts.some((p) => p === ""))
    throw new NpiAppError("INVALID_INPUT", `sort input must be digits separated by commas, like "9,2,5,1", got "${text}"`);
  const values = parts.map((p) => {
    if (!/^[0-9]$/.test(p)) throw new NpiAppError("INVALID_INPUT", `sort input values must be single digits 0-9, got "${p}" in "${text}"`);
    return Number(p);
  });
  if (values.length > MAX_RUN_VALUES)
    throw new NpiAppError(
      "INVALID_INPUT",
      `sort input has ${values.length} values; run takes at most ${MAX_RUN_VALUES} (use eval for longer arrays)`,
    );
  return { values };
}

/**
 * `"2097152,-45,30"` → car 2097152 (a seed: `carSeeds`; 0… train, 1048576… validation, 2097152… test
 * split) from azimuth −45°, elevation 30°. The pose must be on the camera grid (15° steps, elevation 0-60°).
 */
export function parseCarInput(text: string): CarInput {
  const match = /^\s*([0-9]+)\s*,\s*(-?[0-9]+)\s*,\s*(-?[0-9]+)\s*$/.exec(text);
  if (match === null)
    throw new NpiAppError(
      "INVALID_INPUT",
      `car input must be "<car seed>,<azimuth>,<elevation>" in degrees, like "2097152,-45,30", got "${text}"`,
    );
  const carSeed = Number(match[1]);
  try {
    carSplitOf(carSeed);
    return { carSeed, start: validatePose({ azimuthDegrees: Number(match[2]), elevationDegrees: Number(match[3]) }) };
  } catch (error) {
    if (error instanceof CarWorldError) throw new NpiAppError("INVALID_INPUT", `car input "${text}": ${error.message}`);
    throw error;
  }
}

/** Parses `--lengths 1,10,100` (positive integers, ascending order not required, duplicates dropped). */
export function parseLengths(text: string, flag = "--lengths"): number[] {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^[1-9][0-9]*$/.test(p)))
    throw new NpiAppError("INVALID_OPTION", `${flag} must be positive integers separated by commas, got "${text}"`);
  return [...new Set(parts.map(Number))];
}
