/**
 * The quicksort environment shared by `recursiveQuicksortTask` and `quicksortTask` (Cai, Shin & Song,
 * "Making Neural Programming Architectures Generalize via Recursion", ICLR 2017, §4 and appendix):
 * an array of digits, four pointers LO, HI (the range being sorted), I (Lomuto's store index, the
 * pivot's place at the end of a partition) and J (the scan index), and a stack of saved pointer sets
 * that ACT pushes and pops. The environment, its observation and its ACT are ours (see the tasks'
 * header comments for how they differ from the paper's).
 *
 * The observation is four flags and nothing else: no digit, no position, no length. Quicksort only
 * ever branches on comparisons, so the flags are all a program needs; and because every flag is a
 * relation between pointers or values, the contexts a call can meet are finite (48 for the recursive
 * programs), which is what lets `recursiveQuicksortVerificationSet` prove a model at every length.
 */
import type { Arguments } from "@dcnpi/npi-core";
import type { Rng } from "@dcnpi/tensor";
import { NpiEnvError } from "./errors.js";
import type { SortingInput } from "./sorting-task.js";

/** ACT's first argument. */
export const QuicksortAction = { MOVE: 0, COPY: 1, SWAP: 2, PUSH: 3, POP: 4 } as const;
/** ACT's second (and, for COPY and SWAP, third) argument: a pointer. */
export const QuicksortPointer = { LO: 0, HI: 1, I: 2, J: 3 } as const;
/** ACT's third argument for MOVE. */
export const QuicksortDirection = { LEFT: 0, RIGHT: 1 } as const;

/** Index of each flag in the observation. */
export const QuicksortFlag = {
  /** LO < HI: the range holds two or more elements (QUICKSORT's base case is its negation). */
  LO_BELOW_HI: 0,
  /** J < HI: the partition scan has elements left (COMPSWAP_LOOP's base case is its negation). */
  J_BELOW_HI: 1,
  /** J < HI and A[J] < A[HI]: the scanned element goes left of the pivot (COMPSWAP swaps). */
  J_VALUE_BELOW_PIVOT: 2,
  /** The environment stack holds no saved pointers (the iterative QUICKSORT's loop test). */
  STACK_EMPTY: 3,
} as const;

export const QUICKSORT_OBSERVATION_SIZE = 4;
/** ACT's argument sizes: 5 actions, 4 pointers, and 4 values in the third slot (a pointer or a direction). */
export const QUICKSORT_ARGUMENT_SIZES: Arguments = [5, 4, 4];

const POINTER_NAMES = ["LO", "HI", "I", "J"] as const;
const ACTION_NAMES = ["MOVE", "COPY", "SWAP", "PUSH", "POP"] as const;
const POINTERS = 4;

/**
 * The array pad. Pointers stand in [-1, n] (one step past either end: HI := p - 1 with p = 0 gives
 * -1, LO := p + 1 with p = n - 1 gives n); MOVE stops at those edges. A frame of the stack is a copy of
 * all four pointers, so POP puts a caller back exactly where it was.
 *
 * The stack holds at most n + 1 frames: both teachers need at most that many (the iterative one's
 * pending ranges are disjoint and separated by placed pivots; the recursive one saves one frame per
 * nested left call), and a model that keeps pushing cannot make the environment grow past it (a PUSH
 * onto a full stack does nothing).
 */
export class QuicksortEnv {
  readonly values: Uint8Array;
  /** LO, HI, I, J. */
  readonly pointers: Int32Array;
  readonly stackCapacity: number;
  private readonly frames: Int32Array;
  private height = 0;
  private peak = 0;

  constructor(input: SortingInput) {
    this.values = Uint8Array.from(input.values);
    const n = this.values.length;
    // LO = I = 0, HI = J = n - 1: the whole array is the range, and J >= HI as at every QUICKSORT call's start.
    this.pointers = Int32Array.from([0, n - 1, 0, n - 1]);
    this.stackCapacity = n + 1;
    this.frames = new Int32Array(this.stackCapacity * POINTERS);
  }

  get length(): number {
    return this.values.length;
  }

  get stackHeight(): number {
    return this.height;
  }

  /** The largest stack height reached so far (tests check the teachers stay within the capacity). */
  get peakHeight(): number {
    return this.peak;
  }

  /** The saved pointer sets, bottom first (copies). */
  stackFrames(): Int32Array[] {
    return Array.from({ length: this.height }, (_, f) => this.frames.slice(f * POINTERS, (f + 1) * POINTERS));
  }

  pointer(which: number): number {
    return this.pointers[which]!;
  }

  /** The value under a pointer, or undefined when it stands off the array. */
  valueAt(which: number): number | undefined {
    const at = this.pointers[which]!;
    return at >= 0 && at < this.values.length ? this.values[at] : undefined;
  }

  flag(which: number): boolean {
    const p = this.pointers;
    const lo = p[QuicksortPointer.LO]!;
    const hi = p[QuicksortPointer.HI]!;
    const j = p[QuicksortPointer.J]!;
    switch (which) {
      case QuicksortFlag.LO_BELOW_HI:
        return lo < hi;
      case QuicksortFlag.J_BELOW_HI:
        return j < hi;
      case QuicksortFlag.J_VALUE_BELOW_PIVOT: {
        const a = this.valueAt(QuicksortPointer.J);
        const pivot = this.valueAt(QuicksortPointer.HI);
        return j < hi && a !== undefined && pivot !== undefined && a < pivot;
      }
      case QuicksortFlag.STACK_EMPTY:
        return this.height === 0;
      default:
        return false;
    }
  }

  push(): void {
    if (this.height >= this.stackCapacity) return;
    this.frames.set(this.pointers, this.height * POINTERS);
    this.height++;
    this.peak = Math.max(this.peak, this.height);
  }

  pop(): void {
    if (this.height === 0) return;
    this.height--;
    this.pointers.set(this.frames.subarray(this.height * POINTERS, (this.height + 1) * POINTERS));
  }
}

/** A fresh environment for a problem: digits 0-9, at least one. */
export function createQuicksortEnv(input: SortingInput, taskName: string): QuicksortEnv {
  if (!Array.isArray(input?.values) || input.values.length < 1 || input.values.some((v) => !Number.isInteger(v) || v < 0 || v > 9)) {
    const shown = Array.isArray(input?.values) ? `[${input.values.join(",")}]` : String(input?.values);
    throw new NpiEnvError("INVALID_INPUT", `${taskName}: values must be 1 or more digits 0-9, got ${shown}`);
  }
  return new QuicksortEnv(input);
}

export function observeQuicksort(env: QuicksortEnv): Float32Array {
  const out = new Float32Array(QUICKSORT_OBSERVATION_SIZE);
  for (let f = 0; f < QUICKSORT_OBSERVATION_SIZE; f++) out[f] = env.flag(f) ? 1 : 0;
  return out;
}

/**
 * ACT(a1, a2, a3): MOVE pointer a2 LEFT/RIGHT (a3 = 0/1; 2 and 3 do nothing); COPY pointer a3's
 * position into pointer a2; SWAP the values under pointers a2 and a3 (nothing if either is off the
 * array); PUSH all four pointers onto the stack; POP them back (nothing on an empty stack).
 */
export function actQuicksort(env: QuicksortEnv, [kind, a2, a3]: Arguments): void {
  const p = env.pointers;
  switch (kind) {
    case QuicksortAction.MOVE: {
      if (a3 !== QuicksortDirection.LEFT && a3 !== QuicksortDirection.RIGHT) return;
      const moved = p[a2]! + (a3 === QuicksortDirection.LEFT ? -1 : 1);
      p[a2] = Math.min(env.length, Math.max(-1, moved));
      return;
    }
    case QuicksortAction.COPY:
      p[a2] = p[a3]!;
      return;
    case QuicksortAction.SWAP: {
      const [x, y] = [p[a2]!, p[a3]!];
      if (x < 0 || y < 0 || x >= env.length || y >= env.length) return;
      const tmp = env.values[x]!;
      env.values[x] = env.values[y]!;
      env.values[y] = tmp;
      return;
    }
    case QuicksortAction.PUSH:
      env.push();
      return;
    case QuicksortAction.POP:
      env.pop();
      return;
  }
}

export function quicksortSolved(input: SortingInput, env: QuicksortEnv): boolean {
  const expected = [...input.values].sort((a, b) => a - b);
  return env.values.length === expected.length && expected.every((v, i) => env.values[i] === v);
}

/** The sorting task's problems: `length` digits drawn uniformly (duplicates included). */
export function randomQuicksortInput(rng: Rng, length: number): SortingInput {
  return { values: Array.from({ length }, () => rng.int(10)) };
}

export function describeQuicksortAction([kind, a2, a3]: Arguments): string {
  const name = ACTION_NAMES[kind] ?? `ACTION${kind}`;
  const pointer = (i: number) => POINTER_NAMES[i] ?? `P${i}`;
  if (kind === QuicksortAction.MOVE)
    return `MOVE ${pointer(a2)} ${a3 === QuicksortDirection.LEFT ? "LEFT" : a3 === QuicksortDirection.RIGHT ? "RIGHT" : "NONE"}`;
  if (kind === QuicksortAction.COPY) return `COPY ${pointer(a2)} := ${pointer(a3)}`;
  if (kind === QuicksortAction.SWAP) return `SWAP ${pointer(a2)} ${pointer(a3)}`;
  return name;
}

/** What a viewer draws: the array, the pointers and the saved frames. */
export interface QuicksortSnapshot {
  readonly values: number[];
  /** LO, HI, I, J. */
  readonly pointers: number[];
  /** Saved LO, HI, I, J sets, bottom first. */
  readonly stack: number[][];
}

export function snapshotQuicksort(env: QuicksortEnv): QuicksortSnapshot {
  return { values: Array.from(env.values), pointers: Array.from(env.pointers), stack: env.stackFrames().map((f) => Array.from(f)) };
}
