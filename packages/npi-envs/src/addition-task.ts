import { defineTask, type Arguments, type Task } from "@dcnpi/npi-core";
import type { Rng } from "@dcnpi/tensor";
import { NpiEnvError } from "./errors.js";

/** A problem: two non-negative integers as decimal digit strings (no leading zeros). */
export interface AdditionInput {
  readonly a: string;
  readonly b: string;
}

/** Cell value for an empty cell (ours; the paper's K=10 one-hot has no blank, see README). */
export const BLANK = 10;

/** Row ids: the four rows of the scratch pad, one pointer each (paper §4.1). */
export const AdditionRow = { INPUT1: 0, INPUT2: 1, CARRY: 2, OUTPUT: 3 } as const;
/** ACT's first argument (ours): what to do. */
export const AdditionAction = { MOVE: 0, WRITE: 1 } as const;
/** ACT's third argument for MOVE (ours). */
export const Direction = { LEFT: 0, RIGHT: 1 } as const;

const ROW_NAMES = ["INP1", "INP2", "CARRY", "OUT"] as const;

/**
 * The scratch pad: 4 rows × `width` columns of digits or BLANK, and four pointers (one per row) that
 * start at the rightmost column. Numbers are right-aligned; the pad is two columns wider than the
 * longer operand, so the final carry and the empty column that ends ADD both fit.
 */
export class AdditionEnv {
  readonly width: number;
  /** rows[r][column], column 0 is the leftmost. */
  readonly rows: readonly Uint8Array[];
  readonly pointers: Int32Array;

  constructor(input: AdditionInput) {
    this.width = Math.max(input.a.length, input.b.length) + 2;
    this.rows = [0, 1, 2, 3].map(() => new Uint8Array(this.width).fill(BLANK));
    writeRightAligned(this.rows[AdditionRow.INPUT1]!, input.a);
    writeRightAligned(this.rows[AdditionRow.INPUT2]!, input.b);
    this.pointers = new Int32Array(4).fill(this.width - 1);
  }

  /** Value under row `row`'s pointer (0-9 or BLANK). */
  read(row: number): number {
    return this.rows[row]![this.pointers[row]!]!;
  }

  /** The output row as a number string ("" when empty). */
  output(): string {
    return digitsOf(this.rows[AdditionRow.OUTPUT]!);
  }
}

function writeRightAligned(row: Uint8Array, digits: string): void {
  for (let i = 0; i < digits.length; i++) row[row.length - digits.length + i] = digits.charCodeAt(i) - 48;
}

/** Digits of a row, left to right, with blanks dropped only at the left end ("?" marks inner blanks). */
function digitsOf(row: Uint8Array): string {
  let text = "";
  for (const v of row) text += v === BLANK ? (text.length > 0 ? "?" : "") : String(v);
  return text;
}

const digitValue = (v: number) => (v === BLANK ? 0 : v);

function randomNumber(rng: Rng, digits: number): string {
  let text = digits === 1 ? String(rng.int(10)) : String(1 + rng.int(9));
  for (let i = 1; i < digits; i++) text += String(rng.int(10));
  return text;
}

function isNumber(text: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(text);
}

/**
 * Multi-digit addition (paper §4.1, Fig. 2-3): programs ADD, ADD1, CARRY, LSHIFT, RSHIFT and ACT.
 * ACT(a1, a2, a3): a1 = MOVE (a2 = row, a3 = LEFT|RIGHT) or WRITE (a2 = row, a3 = digit).
 */
export const additionTask: Task<AdditionEnv, AdditionInput> = defineTask<AdditionEnv, AdditionInput>({
  name: "addition",
  rootProgram: "ADD",
  // 4 pointers × one-hot of 11 values (10 digits + blank).
  observationShape: [4, 11],
  argumentSizes: [2, 4, 10],
  encoder: { kind: "mlp", hiddenSizes: [128] },
  programs: [
    {
      name: "ADD",
      description: "add the two numbers: ADD1 then LSHIFT for every column, until a column is empty",
      teach(t) {
        for (;;) {
          const env = t.env;
          const empty =
            env.read(AdditionRow.INPUT1) === BLANK && env.read(AdditionRow.INPUT2) === BLANK && env.read(AdditionRow.CARRY) === BLANK;
          if (empty) return t.stop();
          t.call("ADD1");
          t.call("LSHIFT");
        }
      },
    },
    {
      name: "ADD1",
      description: "write the column's sum digit; CARRY when it is 10 or more",
      teach(t) {
        const env = t.env;
        const sum =
          digitValue(env.read(AdditionRow.INPUT1)) + digitValue(env.read(AdditionRow.INPUT2)) + digitValue(env.read(AdditionRow.CARRY));
        t.act([AdditionAction.WRITE, AdditionRow.OUTPUT, sum % 10], { end: sum < 10 });
        if (sum >= 10) t.call("CARRY", { end: true });
      },
    },
    {
      name: "CARRY",
      description: "write a 1 in the carry row, one column to the left",
      teach(t) {
        t.act([AdditionAction.MOVE, AdditionRow.CARRY, Direction.LEFT]);
        t.act([AdditionAction.WRITE, AdditionRow.CARRY, 1]);
        t.act([AdditionAction.MOVE, AdditionRow.CARRY, Direction.RIGHT], { end: true });
      },
    },
    {
      name: "LSHIFT",
      description: "move all four pointers one column left",
      teach(t) {
        for (let row = 0; row < 4; row++) t.act([AdditionAction.MOVE, row, Direction.LEFT], { end: row === 3 });
      },
    },
    {
      name: "RSHIFT",
      description: "move all four pointers one column right (in the paper's table; ADD never calls it)",
      teach(t) {
        for (let row = 0; row < 4; row++) t.act([AdditionAction.MOVE, row, Direction.RIGHT], { end: row === 3 });
      },
    },
    { name: "ACT", act: true, description: "move a pointer or write a digit" },
  ],
  createEnvironment(input) {
    if (!isNumber(input.a) || !isNumber(input.b)) {
      throw new NpiEnvError("INVALID_INPUT", `addition: operands must be decimal numbers, got "${input.a}" + "${input.b}"`);
    }
    return new AdditionEnv(input);
  },
  observe(env) {
    const out = new Float32Array(44);
    for (let row = 0; row < 4; row++) out[row * 11 + env.read(row)] = 1;
    return out;
  },
  act(env, [kind, row, value]: Arguments) {
    if (kind === AdditionAction.MOVE) {
      // Pointers stop at the pad's edges; MOVE with a3 other than LEFT/RIGHT does nothing.
      const delta = value === Direction.LEFT ? -1 : value === Direction.RIGHT ? 1 : 0;
      env.pointers[row] = Math.min(env.width - 1, Math.max(0, env.pointers[row]! + delta));
    } else {
      env.rows[row]![env.pointers[row]!] = value;
    }
  },
  isSolved(input, env) {
    return env.output() === (BigInt(input.a) + BigInt(input.b)).toString();
  },
  randomInput(rng, digits) {
    // Ours: one operand has exactly `digits` digits, the other 1..digits (either order), so unequal
    // lengths such as 1007 + 3 are common in training and test sets.
    const other = 1 + rng.int(digits);
    const long = randomNumber(rng, digits);
    const short = randomNumber(rng, other);
    return rng.int(2) === 0 ? { a: long, b: short } : { a: short, b: long };
  },
  formatInput: (input) => `${input.a} + ${input.b}`,
  describeAction([kind, row, value]) {
    if (kind === AdditionAction.MOVE)
      return `MOVE ${ROW_NAMES[row]} ${value === Direction.LEFT ? "LEFT" : value === Direction.RIGHT ? "RIGHT" : `?${value}`}`;
    return `WRITE ${ROW_NAMES[row]} ${value}`;
  },
  snapshot(env) {
    return { rows: env.rows.map((r) => Array.from(r)), pointers: Array.from(env.pointers) };
  },
});
