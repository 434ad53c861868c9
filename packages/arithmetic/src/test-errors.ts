// Test-only helper (imports vitest): not exported from index.ts.
import { expect } from "vitest";
import { ArithmeticError } from "./errors.js";

/** Runs `fn`, which must throw an ArithmeticError, and returns it (for its code and message). */
export function expectArithmeticError(fn: () => unknown): ArithmeticError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ArithmeticError);
    return error as ArithmeticError;
  }
  throw new Error("expected an ArithmeticError");
}
