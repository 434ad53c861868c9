import { existsSync, readFileSync } from "node:fs";
import { NpiResultError, parseLengthEvaluation, type LengthEvaluation } from "../length-evaluation.js";

/**
 * The value of a finished stage's `result.json` (run-kit's `{ stage, finishedAt, value }`), for
 * reading another run's stage; `undefined` when the file does not exist (the stage never finished).
 * Throws `NpiResultError` naming the file when it is not valid JSON or has no value.
 */
export function readStageValue(file: string): unknown {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new NpiResultError(file, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || !("value" in parsed))
    throw new NpiResultError(file, "not a stage result (no value)");
  return (parsed as { value: unknown }).value;
}

/** A saved length evaluation in a stage's `result.json` (any form `parseLengthEvaluation` reads), or `undefined` if there is none. */
export function readLengthEvaluationFile(file: string): LengthEvaluation | undefined {
  const value = readStageValue(file);
  return value === undefined ? undefined : parseLengthEvaluation(value, file);
}
