import { NpiError } from "./errors.js";

/**
 * A program's arguments: always three small non-negative integers, as in every experiment of the
 * paper (§3.1, `a = (a(1), a(2), a(3))`). What each slot means is up to the task's ACT.
 */
export type Arguments = readonly [number, number, number];

/** Number of argument slots (fixed by the paper). */
export const ARGUMENT_SLOTS = 3;

/**
 * The arguments a program that takes none is called with (ours: all zeros). The paper only says
 * programs start "with default arguments"; our argument heads have no reserved "default" class
 * because only ACT ever receives arguments in addition and sorting.
 */
export const DEFAULT_ARGUMENTS: Arguments = Object.freeze([0, 0, 0]) as unknown as Arguments;

/** Checks that `args` are three integers with `0 <= args[i] < sizes[i]`. */
export function assertArguments(args: Arguments, sizes: Arguments, what: string): void {
  if (!Array.isArray(args) || args.length !== ARGUMENT_SLOTS) {
    throw new NpiError("INVALID_ARGUMENTS", `${what}: arguments must be a 3-tuple, got ${JSON.stringify(args)}`);
  }
  for (let i = 0; i < ARGUMENT_SLOTS; i++) {
    const value = args[i]!;
    if (!Number.isInteger(value) || value < 0 || value >= sizes[i]!) {
      throw new NpiError("INVALID_ARGUMENTS", `${what}: argument ${i + 1} is ${value}, expected an integer in [0, ${sizes[i]! - 1}]`);
    }
  }
}

export function argumentsInRange(args: Arguments, sizes: Arguments): boolean {
  for (let i = 0; i < ARGUMENT_SLOTS; i++) {
    const value = args[i]!;
    if (!Number.isInteger(value) || value < 0 || value >= sizes[i]!) return false;
  }
  return true;
}

export function sameArguments(a: Arguments, b: Arguments): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}
