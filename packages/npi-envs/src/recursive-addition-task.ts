/**
 * Recursive multi-digit addition after Cai, Shin & Song, "Making Neural Programming Architectures
 * Generalize via Recursion" (ICLR 2017, §4.1 and Fig. 1): the same scratch pad, ACT and column
 * programs as the paper's addition (npi-envs `additionTask`), but ADD does one column and then calls
 * itself on the next one instead of looping:
 *
 *   ADD:    if the column under the pointers is empty: return; else ADD1, LSHIFT, ADD (tail call, end flag)
 *   ADD1:   WRITE OUT (sum mod 10); CARRY if the sum is 10 or more
 *   CARRY:  MOVE CARRY LEFT, WRITE CARRY 1, MOVE CARRY RIGHT
 *   LSHIFT: MOVE each of the four pointers LEFT
 *
 * Every call starts from a zero LSTM state, so an ADD call sees three observations: the column, the
 * column after ADD1 wrote its digit, and the next column. That bounded context is what makes the
 * verification set below finite and lets a model be proven correct at every length.
 *
 * Deviations from Cai et al. (written down as the issue asks):
 * - ACT is the paper's (MOVE row LEFT/RIGHT, WRITE row digit) and the pad has a BLANK symbol, as in our
 *   `additionTask`; Cai et al. keep the NPI paper's environment too but give no encoding details.
 * - No RSHIFT: the recursive ADD never calls it (the paper lists it without using it).
 * - The base case is "the column is empty" (both inputs and the carry blank), as in our non-recursive
 *   ADD; Cai et al.'s trace (Fig. 1) shows the same reduction and does not spell out the base case.
 * - Its own environment name ("recursive-addition"): a model's program memory rows and encoder are not
 *   shared with the non-recursive addition, so the two can live in one model without clashing.
 */
import { defineTask, type Task, type VerificationCase } from "@dcnpi/npi-core";
import { additionTask, AdditionAction, AdditionEnv, AdditionRow, BLANK, Direction, type AdditionInput } from "./addition-task.js";

const digitValue = (v: number) => (v === BLANK ? 0 : v);

function columnIsEmpty(env: AdditionEnv): boolean {
  return env.read(AdditionRow.INPUT1) === BLANK && env.read(AdditionRow.INPUT2) === BLANK && env.read(AdditionRow.CARRY) === BLANK;
}

function columnSum(env: AdditionEnv): number {
  return digitValue(env.read(AdditionRow.INPUT1)) + digitValue(env.read(AdditionRow.INPUT2)) + digitValue(env.read(AdditionRow.CARRY));
}

/** Cell text for labels. */
const cell = (v: number) => (v === BLANK ? "_" : String(v));

/**
 * A 4-column pad with the pointers on the rightmost column (the "current" one) holding inputs `x`, `y`
 * and carry `c`, the column to its left holding `nextX`, `nextY` (its carry cell is written by the
 * teacher's CARRY), and two blank columns beyond it so the teacher's recursion ends inside the pad.
 */
function padOf(x: number, y: number, c: number, nextX: number, nextY: number): AdditionEnv {
  const env = new AdditionEnv({ a: "10", b: "10" });
  for (const row of env.rows) row.fill(BLANK);
  const current = env.width - 1;
  env.rows[AdditionRow.INPUT1]![current] = x;
  env.rows[AdditionRow.INPUT2]![current] = y;
  env.rows[AdditionRow.CARRY]![current] = c;
  env.rows[AdditionRow.INPUT1]![current - 1] = nextX;
  env.rows[AdditionRow.INPUT2]![current - 1] = nextY;
  return env;
}

const CELLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, BLANK] as const;
const CARRIES = [BLANK, 1] as const;

/**
 * The cells an operand can have in the next column, given its cell `v` in the current column and the
 * carry `c` into the current column, on valid inputs (decimal numbers without leading zeros):
 * - numbers are right-aligned, so a blank is followed (to the left) by blanks only;
 * - a 0 followed by a blank is a number's leading digit, allowed only for the number "0", which sits in
 *   the rightmost column, where there is never a carry in.
 */
function nextCells(v: number, c: number): readonly number[] {
  if (v === BLANK) return [BLANK];
  if (v === 0 && c === 1) return CELLS.filter((n) => n !== BLANK);
  return CELLS;
}

/**
 * Every context a call of recursive addition can meet on valid inputs (Cai et al. §5's verification
 * set, derived for our pad). Why it is complete: in a correct run all four pointers stand on one
 * column when ADD, ADD1, CARRY or LSHIFT is called, the output cell there is blank (ADD, ADD1) or holds
 * the column's sum digit (CARRY, LSHIFT), the carry cell of a column is blank or 1, and the carry cell
 * of the next column is blank until this column's CARRY writes it. So an ADD or LSHIFT call is fixed by
 * (x, y, c) of its column and (x', y') of the next (the next carry follows from the sum), an ADD1 or
 * CARRY call by (x, y, c) alone. The pairs allowed are those of `nextCells`; a non-empty column is
 * needed for everything but ADD's base case, and CARRY needs a sum of 10 or more. Each case is a small
 * pad holding that column pair; the teacher records the call there, its callees run by the teacher.
 * `recursive-addition-task.test.ts` checks that every invocation of random traces of 1-40 digits is
 * one of these contexts.
 */
export function* recursiveAdditionVerificationSet(): Generator<VerificationCase<AdditionEnv>> {
  yield { program: "ADD", env: padOf(BLANK, BLANK, BLANK, BLANK, BLANK), label: "ADD on an empty column (base case)" };
  for (const c of CARRIES) {
    for (const x of CELLS) {
      for (const y of CELLS) {
        if (x === BLANK && y === BLANK && c === BLANK) continue;
        const column = `${cell(x)}+${cell(y)} carry ${cell(c)}`;
        const sum = digitValue(x) + digitValue(y) + digitValue(c);
        yield { program: "ADD1", env: padOf(x, y, c, BLANK, BLANK), label: `ADD1 on ${column}` };
        if (sum >= 10) {
          const env = padOf(x, y, c, BLANK, BLANK);
          env.rows[AdditionRow.OUTPUT]![env.width - 1] = sum % 10;
          yield { program: "CARRY", env, label: `CARRY on ${column}` };
        }
        for (const nextX of nextCells(x, c)) {
          for (const nextY of nextCells(y, c)) {
            const pair = `${column}, next ${cell(nextX)}+${cell(nextY)}`;
            yield { program: "ADD", env: padOf(x, y, c, nextX, nextY), label: `ADD on ${pair}` };
            const env = padOf(x, y, c, nextX, nextY);
            env.rows[AdditionRow.OUTPUT]![env.width - 1] = sum % 10;
            if (sum >= 10) env.rows[AdditionRow.CARRY]![env.width - 2] = 1;
            yield { program: "LSHIFT", env, label: `LSHIFT on ${pair}` };
          }
        }
      }
    }
  }
}

/**
 * Recursive addition (Cai et al. 2017): programs ADD (recursive), ADD1, CARRY, LSHIFT and ACT on the
 * addition pad; problems, observation, ACT and answer check are `additionTask`'s.
 */
export const recursiveAdditionTask: Task<AdditionEnv, AdditionInput> = defineTask<AdditionEnv, AdditionInput>({
  name: "recursive-addition",
  rootProgram: "ADD",
  observationShape: additionTask.observationShape,
  argumentSizes: additionTask.argumentSizes,
  encoder: additionTask.encoder,
  programs: [
    {
      name: "ADD",
      description: "add from the current column on: ADD1, LSHIFT, then ADD itself on the next column; return at an empty column",
      teach(t) {
        if (columnIsEmpty(t.env)) return t.stop();
        t.call("ADD1");
        t.call("LSHIFT");
        t.call("ADD", { end: true });
      },
    },
    {
      name: "ADD1",
      description: "write the column's sum digit; CARRY when it is 10 or more",
      teach(t) {
        const sum = columnSum(t.env);
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
    { name: "ACT", act: true, description: "move a pointer or write a digit" },
  ],
  createEnvironment: (input) => additionTask.createEnvironment(input),
  observe: (env) => additionTask.observe(env),
  act: (env, args) => additionTask.act(env, args),
  isSolved: (input, env) => additionTask.isSolved(input, env),
  randomInput: (rng, digits) => additionTask.randomInput(rng, digits),
  formatInput: (input) => `${input.a} + ${input.b}`,
  describeAction: (args) => additionTask.describeAction!(args),
  snapshot: (env) => additionTask.snapshot!(env),
  verificationSet: recursiveAdditionVerificationSet,
});
