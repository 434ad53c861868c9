/**
 * Recursive bubble sort after Cai, Shin & Song, "Making Neural Programming Architectures Generalize
 * via Recursion" (ICLR 2017, §4 and Appendix): the same array pad, pointers, observation, ACT,
 * problems and answer check as the paper's bubble sort (npi-envs `sortingTask`), and the same
 * program names, but every loop of the non-recursive teacher becomes a tail call:
 *
 *   BUBBLESORT: if the counter P3 is at the last element: return        (base case)
 *               else BUBBLE, RESET, BUBBLESORT [end]                     (the next sweep)
 *   BUBBLE:     ACT MOVE P2 RIGHT, BSTEP [end]                           (open one sweep)
 *   BSTEP:      COMPSWAP, RSHIFT [end if P2 was at the last element], else BSTEP [end]
 *   RESET:      if P1 and P2 are both at the start: ACT MOVE P3 RIGHT [end]   (base case)
 *               else LSHIFT, RESET [end]
 *   COMPSWAP, LSHIFT, RSHIFT: as `sortingTask`
 *
 * The actions are exactly the non-recursive teacher's (the test checks it), so a recursive and a
 * non-recursive model can be compared on the same problems. Every call is at most 3 steps long and
 * its observations show only the digits under P1 and P2 and the pointers' at-start / at-end bits, so
 * the contexts a call can meet form a finite set (`recursiveBubbleSortVerificationSet` below) that is
 * the same at every array length: passing it proves a model correct on arrays of any length.
 *
 * Deviations from Cai et al. (written down as the issue asks):
 * - Cai et al. make the sort, the sweep and the reset recursive; the sweep's self-call sits in BSTEP
 *   here (one compare-and-shift, then the rest of the sweep) because BUBBLE's first step, P2 RIGHT,
 *   happens once per sweep. Their appendix trace was not at hand when this was written; the program
 *   names, the environment and the ACT are the NPI paper's (§4.2, Fig. 8), as in our `sortingTask`.
 * - Base cases come from the observation's at-start / at-end bits: BUBBLESORT stops when the counter
 *   P3 stands on the last element (n - 1 full sweeps, like `sortingTask`, no early exit on a sorted
 *   array), BSTEP ends its sweep when P2 stands on the last element, RESET when P1 and P2 are at 0.
 * - The counter's move (P3 RIGHT) stays RESET's last action, as in `sortingTask`'s convention 1.
 * - Its own environment name ("recursive-sorting"): its program rows and encoder never clash with the
 *   non-recursive sort's, so the two can live in one model.
 */
import { defineTask, type Task, type TaskDefinition, type VerificationCase } from "@dcnpi/npi-core";
import { SortingEnv, SortingPointer, sortingTask, type SortingInput } from "./sorting-task.js";

const MOVE = 0;
const RIGHT = 1;
const { P1, P2, P3 } = SortingPointer;

/** A program of the non-recursive sort reused unchanged (its teacher only acts or calls non-recursive helpers). */
function sameAsSorting(name: "COMPSWAP" | "LSHIFT" | "RSHIFT"): TaskDefinition<SortingEnv, SortingInput>["programs"][number] {
  const program = sortingTask.program(name);
  return { name, description: program.description!, teach: program.teach! };
}

/** An environment at the moment of a call: `values` with P1, P2 and the counter P3 placed. */
function padOf(values: readonly number[], p1: number, p2: number, p3: number): SortingEnv {
  const env = new SortingEnv({ values });
  env.pointers[P1] = p1;
  env.pointers[P2] = p2;
  env.pointers[P3] = p3;
  return env;
}

const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
const MAX = 9;

function* pairs(): Generator<[number, number]> {
  for (const a of DIGITS) for (const b of DIGITS) yield [a, b];
}

function* triples(): Generator<[number, number, number]> {
  for (const a of DIGITS) for (const b of DIGITS) for (const c of DIGITS) yield [a, b, c];
}

/** "first sweep" (P3 at 0) or "later sweep" (P3 past 0): the only thing the counter's bits say during a sweep. */
const sweepName = (p3: number) => (p3 === 0 ? "first sweep" : "later sweep");

/**
 * Every context a call of recursive bubble sort can meet, on any array of digits (Cai et al. §5's
 * verification set, derived for this pad). Why it is complete:
 *
 * What a call sees. Its observations hold the digits under P1 and P2 (or "off the array"), the
 * at-start / at-end bits of P1, P2 and P3, nothing else; a call takes at most 3 steps. During sweep k
 * (P3 = k, 0 <= k <= n - 2) P3's bits are (k = 0, false); they change only in RESET's last action.
 *
 * Invariants of the teacher's run on an array of length n (S_k: the array when sweep k starts):
 * (I1) S_0 is any array; every S_k with k >= 1 has a maximum in its last cell, and every array with a
 *      maximum in its last cell is some S_1 (one pass over [M, x0, ..., x_{n-2}] gives [x0, ..., M]).
 *      So the union over k >= 1 of the S_k is exactly "a maximum last" (n >= 3, since k <= n - 2).
 * (I2) When BSTEP is called at position i (P1 = i, P2 = i + 1) the cell under P1 holds max(S[0..i]),
 *      the cells right of it are still S's.
 * (I3) After sweep k the array T = pass(S_k): for k = 0 any array with a maximum last (n >= 2); for
 *      k >= 1 its last two cells hold the two largest values in order (pass of a maximum-last array is
 *      pass(prefix) followed by the maximum), and every such T is reached at k = 1.
 *
 * Per program, the context is a function of the window of cells its pointers visit and of which
 * pointer bits are set; the bits say only whether a pointer is at 0, at n - 1 (or n - 2 for P2 in
 * RESET, n - 1 after one RSHIFT in BSTEP), so each program has a few position classes, each realised
 * by a short array. The cases below are, per class and sweep kind (first / later), every window the
 * invariants allow, placed in the shortest array of that class:
 * - BUBBLESORT: base case (P3 at the end; the array sorted, any digit under P1 = P2 = 0, n = 1 or not);
 *   otherwise (S[0], max S, min(S[0], S[1])) and "is this the last sweep": for n = 2 the pairs (any S),
 *   else any m <= x <= M ([x, m, M] or [x, m, 0, M]).
 * - BUBBLE: (S[0], S[1]) and whether n = 2: any pair (n = 2 only in the first sweep).
 * - BSTEP, COMPSWAP, RSHIFT at i: (a = max S[0..i], b = S[i+1], c = S[i+2]) and the classes i = 0,
 *   i + 1 = n - 1 ("last"), i + 2 = n - 1 ("next to last"): any window in the first sweep; in a later
 *   sweep b >= a when last (b is the maximum) and c >= a, b when next to last, any window otherwise.
 * - RESET and LSHIFT at j (P1 = j, P2 = j + 1): (T[j-1], T[j], T[j+1] or off) and the classes j = 0,
 *   j = 1, j = n - 2, j = n - 1: T[n - 1] is at least the window's other cells; in a later sweep also
 *   T[n - 2] is (so at j = n - 2 the window is non-decreasing); the middle of the array allows any
 *   window (an unseen cell right of it holds the maximum). RESET's base case: any T[0].
 * COMPSWAP's and RSHIFT's cases are BSTEP's positions (RSHIFT's after the swap); `verificationContexts`
 * removes the duplicates. `recursive-bubble-sort-task.test.ts` checks that every invocation of random
 * traces of lengths 1-40 is one of these contexts; the slow test that a run reaches every one of them.
 */
export function* recursiveBubbleSortVerificationSet(): Generator<VerificationCase<SortingEnv>> {
  // BUBBLESORT's base case: the counter at the last element of a sorted array, P1 = P2 = 0.
  for (const d of DIGITS) {
    yield { program: "BUBBLESORT", env: padOf([d], 0, 0, 0), label: `BUBBLESORT on [${d}] (base case, n = 1)` };
    yield { program: "BUBBLESORT", env: padOf([d, MAX], 0, 0, 1), label: `BUBBLESORT base case, ${d} first` };
  }
  // BUBBLESORT's recursive case, at the start of a sweep.
  for (const [s0, s1] of pairs()) yield { program: "BUBBLESORT", env: padOf([s0, s1], 0, 0, 0), label: `BUBBLESORT on [${s0},${s1}]` };
  for (const [x, m, M] of triples()) {
    if (!(m <= x && x <= M)) continue;
    const what = `first ${x}, max ${M}, min of the first two ${m}`;
    yield { program: "BUBBLESORT", env: padOf([x, m, M], 0, 0, 0), label: `BUBBLESORT, first sweep of 3+, ${what}` };
    yield { program: "BUBBLESORT", env: padOf([x, m, M], 0, 0, 1), label: `BUBBLESORT, last sweep of 3+, ${what}` };
    yield { program: "BUBBLESORT", env: padOf([x, m, 0, M], 0, 0, 1), label: `BUBBLESORT, middle sweep, ${what}` };
  }
  // BUBBLE, at the start of a sweep.
  for (const [s0, s1] of pairs()) {
    yield { program: "BUBBLE", env: padOf([s0, s1], 0, 0, 0), label: `BUBBLE on [${s0},${s1}]` };
    for (const p3 of [0, 1])
      yield { program: "BUBBLE", env: padOf([s0, s1, MAX], 0, 0, p3), label: `BUBBLE, ${sweepName(p3)}, [${s0},${s1},...]` };
  }
  yield* sweepCases();
  yield* resetCases();
}

/** BSTEP, COMPSWAP and RSHIFT with P1 = i, P2 = i + 1 in `values` (a window placed in the shortest array of its class). */
function* sweepStep(values: readonly number[], i: number, p3: number, what: string): Generator<VerificationCase<SortingEnv>> {
  const label = `${sweepName(p3)}, ${what}, [${values.join(",")}] at ${i}`;
  yield { program: "BSTEP", env: padOf(values, i, i + 1, p3), label: `BSTEP, ${label}` };
  yield { program: "COMPSWAP", env: padOf(values, i, i + 1, p3), label: `COMPSWAP, ${label}` };
  const swapped = [...values];
  if (swapped[i]! > swapped[i + 1]!) [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
  yield { program: "RSHIFT", env: padOf(swapped, i, i + 1, p3), label: `RSHIFT, ${label}` };
}

function* sweepCases(): Generator<VerificationCase<SortingEnv>> {
  for (const [a, b] of pairs()) {
    yield* sweepStep([a, b], 0, 0, "n = 2");
    yield* sweepStep([0, a, b], 1, 0, "last pair");
    if (a <= b) yield* sweepStep([0, a, b], 1, 1, "last pair");
  }
  for (const [a, b, c] of triples()) {
    const nextIsMax = c >= a && c >= b;
    yield* sweepStep([a, b, c], 0, 0, "first pair, next to last");
    if (nextIsMax) yield* sweepStep([a, b, c], 0, 1, "first pair, next to last");
    yield* sweepStep([0, a, b, c], 1, 0, "next to last");
    if (nextIsMax) yield* sweepStep([0, a, b, c], 1, 1, "next to last");
    for (const p3 of [0, 1]) {
      yield* sweepStep([a, b, c, MAX], 0, p3, "first pair");
      yield* sweepStep([0, a, b, c, MAX], 1, p3, "middle");
    }
  }
}

/** RESET and LSHIFT with P1 = j, P2 = j + 1 in `values`. */
function* resetStep(values: readonly number[], j: number, p3: number, what: string): Generator<VerificationCase<SortingEnv>> {
  const label = `${sweepName(p3)}, ${what}, [${values.join(",")}] at ${j}`;
  yield { program: "RESET", env: padOf(values, j, j + 1, p3), label: `RESET, ${label}` };
  yield { program: "LSHIFT", env: padOf(values, j, j + 1, p3), label: `LSHIFT, ${label}` };
}

function* resetCases(): Generator<VerificationCase<SortingEnv>> {
  for (const d of DIGITS) {
    for (const p3 of [0, 1]) {
      yield { program: "RESET", env: padOf([d, MAX, MAX], 0, 0, p3), label: `RESET base case, ${sweepName(p3)}, ${d} first` };
    }
  }
  for (const [p, q] of pairs()) {
    if (p > q) continue;
    // j = n - 1 (P2 off the array): T[n - 1] is the maximum.
    yield* resetStep([p, q], 1, 0, "n = 2, P2 off the array");
    for (const p3 of [0, 1]) yield* resetStep([0, p, q], 2, p3, "P2 off the array");
    // n = 2, j = 0: P2 on the maximum.
    yield* resetStep([p, q], 0, 0, "n = 2, at 0");
  }
  for (const [p, q, r] of triples()) {
    const lastIsMax = r >= p && r >= q;
    const nonDecreasing = p <= q && q <= r;
    // j = n - 2 (P2 at the end): n = 3 makes it j = 1 too.
    if (lastIsMax) yield* resetStep([p, q, r], 1, 0, "n = 3, at 1");
    if (nonDecreasing) yield* resetStep([p, q, r], 1, 1, "n = 3, at 1");
    if (lastIsMax) yield* resetStep([0, p, q, r], 2, 0, "P2 at the end");
    if (nonDecreasing) yield* resetStep([0, p, q, r], 2, 1, "P2 at the end");
    for (const p3 of [0, 1]) {
      // j = 0 and j = 1 before the end, and the middle: any window (the maximum sits right of it).
      if (p === 0) yield* resetStep([q, r, MAX, MAX], 0, p3, "at 0");
      yield* resetStep([p, q, r, MAX, MAX], 1, p3, "at 1");
      yield* resetStep([0, p, q, r, MAX, MAX], 2, p3, "middle");
    }
  }
}

/**
 * Recursive bubble sort (Cai et al. 2017): BUBBLESORT, BSTEP and RESET call themselves; problems,
 * observation, ACT and answer check are `sortingTask`'s.
 */
export const recursiveBubbleSortTask: Task<SortingEnv, SortingInput> = defineTask<SortingEnv, SortingInput>({
  name: "recursive-sorting",
  rootProgram: "BUBBLESORT",
  observationShape: sortingTask.observationShape,
  argumentSizes: sortingTask.argumentSizes,
  encoder: sortingTask.encoder,
  programs: [
    {
      name: "BUBBLESORT",
      description: "BUBBLE, RESET, then BUBBLESORT itself for the next sweep; return when the counter is at the last element",
      teach(t) {
        if (t.env.atEnd(P3)) return t.stop();
        t.call("BUBBLE");
        t.call("RESET");
        t.call("BUBBLESORT", { end: true });
      },
    },
    {
      name: "BUBBLE",
      description: "open a sweep: P2 right, then BSTEP (which sweeps on by calling itself)",
      teach(t) {
        t.act([MOVE, P2, RIGHT]);
        t.call("BSTEP", { end: true });
      },
    },
    {
      name: "BSTEP",
      description: "COMPSWAP, RSHIFT, then BSTEP itself unless P2 was at the last element",
      teach(t) {
        t.call("COMPSWAP");
        const last = t.env.atEnd(P2);
        t.call("RSHIFT", { end: last });
        if (!last) t.call("BSTEP", { end: true });
      },
    },
    {
      name: "RESET",
      description: "LSHIFT then RESET itself until P1 and P2 are at the start; there, move the counter right",
      teach(t) {
        if (t.env.atStart(P1) && t.env.atStart(P2)) return t.act([MOVE, P3, RIGHT], { end: true });
        t.call("LSHIFT");
        t.call("RESET", { end: true });
      },
    },
    sameAsSorting("COMPSWAP"),
    sameAsSorting("LSHIFT"),
    sameAsSorting("RSHIFT"),
    { name: "ACT", act: true, description: "move a pointer or swap the values under P1 and P2" },
  ],
  createEnvironment: (input) => sortingTask.createEnvironment(input),
  observe: (env) => sortingTask.observe(env),
  act: (env, args) => sortingTask.act(env, args),
  isSolved: (input, env) => sortingTask.isSolved(input, env),
  randomInput: (rng, length) => sortingTask.randomInput(rng, length),
  formatInput: (input) => sortingTask.formatInput!(input),
  describeAction: (args) => sortingTask.describeAction!(args),
  snapshot: (env) => sortingTask.snapshot!(env),
  verificationSet: recursiveBubbleSortVerificationSet,
});
