import { defineTask, type Arguments, type Task } from "@dcnpi/npi-core";
import { NpiEnvError } from "./errors.js";

/** A problem: an array of single digits. */
export interface SortingInput {
  readonly values: readonly number[];
}

/** ACT's first argument (ours). */
export const SortingAction = { MOVE: 0, SWAP: 1 } as const;
/** ACT's second argument: which pointer. P1 and P2 are the swap pointers, P3 the sweep counter. */
export const SortingPointer = { P1: 0, P2: 1, P3: 2 } as const;
/** ACT's third argument for MOVE. */
export const SortingDirection = { LEFT: 0, RIGHT: 1 } as const;

/** Value shown for a pointer that stands one past the array's end (ours). */
export const OFF_ARRAY = 10;

const POINTER_NAMES = ["P1", "P2", "P3"] as const;

/**
 * The array pad (paper §4.1-4.2): `values`, two swap pointers P1 and P2 and a counter pointer P3,
 * all starting at index 0. Swap pointers may stand one past the end (index n) at the end of a sweep;
 * the counter stays inside the array. Moves stop at those edges.
 */
export class SortingEnv {
  readonly values: Uint8Array;
  readonly pointers: Int32Array;

  constructor(input: SortingInput) {
    this.values = Uint8Array.from(input.values);
    this.pointers = new Int32Array(3);
  }

  get length(): number {
    return this.values.length;
  }

  read(pointer: number): number {
    const at = this.pointers[pointer]!;
    return at < this.values.length ? this.values[at]! : OFF_ARRAY;
  }

  atStart(pointer: number): boolean {
    return this.pointers[pointer] === 0;
  }

  atEnd(pointer: number): boolean {
    return this.pointers[pointer] === this.values.length - 1;
  }
}

/**
 * Bubble sort (paper §4.2, Table 2, Fig. 8): BUBBLESORT, BUBBLE, RESET, BSTEP, COMPSWAP, LSHIFT,
 * RSHIFT and ACT. ACT(a1, a2, a3): a1 = MOVE (a2 = pointer, a3 = LEFT|RIGHT) or SWAP (values under P1
 * and P2; a2, a3 unused, the teacher passes P1, P2).
 *
 * Pointer-reset ambiguity (notes §2.3), settled as convention 1: RESET brings both swap pointers back
 * to index 0. LSHIFT always moves P1 then P2 left; on RESET's last LSHIFT P1 already stands at 0 and
 * its move stops at the edge, so only P2 moves. BUBBLE then opens with "P2 RIGHT" every sweep,
 * exactly like the paper's Fig. 8.
 */
export const sortingTask: Task<SortingEnv, SortingInput> = defineTask<SortingEnv, SortingInput>({
  name: "sorting",
  rootProgram: "BUBBLESORT",
  // P1: one-hot of 11 (10 digits + off-array), at-start bit, at-end bit; P2 the same;
  // P3 (the counter): at-start and at-end bits only.
  observationShape: [28],
  argumentSizes: [2, 3, 2],
  encoder: { kind: "mlp", hiddenSizes: [128] },
  programs: [
    {
      name: "BUBBLESORT",
      description: "BUBBLE then RESET until the counter pointer reaches the last element",
      teach(t) {
        for (;;) {
          if (t.env.atEnd(SortingPointer.P3)) return t.stop();
          t.call("BUBBLE");
          t.call("RESET");
        }
      },
    },
    {
      name: "BUBBLE",
      description: "one left-to-right sweep: P2 right, then BSTEP until P2 has passed the end",
      teach(t) {
        t.act([SortingAction.MOVE, SortingPointer.P2, SortingDirection.RIGHT]);
        for (;;) {
          const last = t.env.atEnd(SortingPointer.P2);
          t.call("BSTEP", { end: last });
          if (last) return;
        }
      },
    },
    {
      name: "RESET",
      description: "LSHIFT until both swap pointers are at the start, then move the counter right",
      teach(t) {
        for (;;) {
          if (t.env.atStart(SortingPointer.P1) && t.env.atStart(SortingPointer.P2)) {
            return t.act([SortingAction.MOVE, SortingPointer.P3, SortingDirection.RIGHT], { end: true });
          }
          t.call("LSHIFT");
        }
      },
    },
    {
      name: "BSTEP",
      description: "COMPSWAP, then RSHIFT",
      teach(t) {
        t.call("COMPSWAP");
        t.call("RSHIFT", { end: true });
      },
    },
    {
      name: "COMPSWAP",
      description: "swap the values under P1 and P2 if they are out of order, else return",
      teach(t) {
        if (t.env.read(SortingPointer.P1) > t.env.read(SortingPointer.P2)) {
          t.act([SortingAction.SWAP, SortingPointer.P1, SortingPointer.P2], { end: true });
        } else {
          t.stop();
        }
      },
    },
    {
      name: "LSHIFT",
      description: "move P1 then P2 one step left",
      teach(t) {
        t.act([SortingAction.MOVE, SortingPointer.P1, SortingDirection.LEFT]);
        t.act([SortingAction.MOVE, SortingPointer.P2, SortingDirection.LEFT], { end: true });
      },
    },
    {
      name: "RSHIFT",
      description: "move P1 then P2 one step right",
      teach(t) {
        t.act([SortingAction.MOVE, SortingPointer.P1, SortingDirection.RIGHT]);
        t.act([SortingAction.MOVE, SortingPointer.P2, SortingDirection.RIGHT], { end: true });
      },
    },
    { name: "ACT", act: true, description: "move a pointer or swap the values under P1 and P2" },
  ],
  createEnvironment(input) {
    if (input.values.length < 1 || input.values.some((v) => !Number.isInteger(v) || v < 0 || v > 9)) {
      throw new NpiEnvError("INVALID_INPUT", `sorting: values must be 1 or more digits 0-9, got [${input.values.join(",")}]`);
    }
    return new SortingEnv(input);
  },
  observe(env) {
    const out = new Float32Array(28);
    for (let p = 0; p < 2; p++) {
      out[p * 13 + env.read(p)] = 1;
      out[p * 13 + 11] = env.atStart(p) ? 1 : 0;
      out[p * 13 + 12] = env.atEnd(p) ? 1 : 0;
    }
    out[26] = env.atStart(SortingPointer.P3) ? 1 : 0;
    out[27] = env.atEnd(SortingPointer.P3) ? 1 : 0;
    return out;
  },
  act(env, [kind, pointer, direction]: Arguments) {
    if (kind === SortingAction.SWAP) {
      const [i, j] = [env.pointers[0]!, env.pointers[1]!];
      if (i < env.length && j < env.length) {
        const tmp = env.values[i]!;
        env.values[i] = env.values[j]!;
        env.values[j] = tmp;
      }
      return;
    }
    const limit = pointer === SortingPointer.P3 ? env.length - 1 : env.length;
    const moved = env.pointers[pointer]! + (direction === SortingDirection.LEFT ? -1 : 1);
    env.pointers[pointer] = Math.min(limit, Math.max(0, moved));
  },
  isSolved(input, env) {
    const expected = [...input.values].sort((a, b) => a - b);
    return expected.every((v, i) => env.values[i] === v);
  },
  randomInput(rng, length) {
    return { values: Array.from({ length }, () => rng.int(10)) };
  },
  formatInput: (input) => `[${input.values.join(",")}]`,
  describeAction([kind, pointer, direction]) {
    if (kind === SortingAction.SWAP) return "SWAP P1 P2";
    return `MOVE ${POINTER_NAMES[pointer]} ${direction === SortingDirection.LEFT ? "LEFT" : "RIGHT"}`;
  },
  snapshot(env) {
    return { values: Array.from(env.values), pointers: Array.from(env.pointers) };
  },
});
