/**
 * Recursive quicksort after Cai, Shin & Song, "Making Neural Programming Architectures Generalize via
 * Recursion" (ICLR 2017, §4 and appendix): QUICKSORT partitions its range, then calls itself on the
 * left part and, as a tail call, on the right part; PARTITION's scan is COMPSWAP_LOOP calling itself
 * once per element. On the quicksort environment (quicksort-env.ts: digits, pointers LO HI I J, a
 * stack of saved pointers, four flags as the observation):
 *
 *   QUICKSORT:     if not LO < HI: return (base case); else PARTITION; PUSH; COPY HI := I; MOVE HI LEFT;
 *                  QUICKSORT (left part); POP; COPY LO := I; MOVE LO RIGHT; QUICKSORT (right part, tail call)
 *   PARTITION:     COPY I := LO; COPY J := LO; COMPSWAP_LOOP; SWAP I HI (the pivot to its place, under I)
 *   COMPSWAP_LOOP: if not J < HI: return; else COMPSWAP; MOVE J RIGHT; COMPSWAP_LOOP (tail call)
 *   COMPSWAP:      if A[J] < A[HI]: SWAP I J; MOVE I RIGHT; else return
 *
 * NPI calls pass no positions, so the bounds of a recursive call live in the environment: the caller
 * saves its pointers (PUSH), narrows HI for the left call, and restores them (POP) to narrow LO for the
 * right one, as Cai et al. keep (lo, hi) on an environment stack. Every call starts from a zero LSTM
 * state and is at most nine steps long, so a call sees a bounded context; the 48 contexts below are
 * all there are, and a model that gets all of them right sorts every array (verification-set.ts).
 *
 * Deviations from Cai et al. (written down as the issue asks). The program structure (QUICKSORT,
 * PARTITION, COMPSWAP_LOOP, COMPSWAP; Lomuto's partition around A[hi]; the right call last) follows
 * their appendix; our paper notes (shared/papers/npi.md) keep their results, not their full program
 * table, so everything below the four programs is ours and is not claimed to be theirs:
 * - The observation is four flags (LO < HI, J < HI, A[J] < A[HI] while J < HI, stack empty), no digits.
 *   Digits under the pointers would multiply QUICKSORT's 18 contexts by every digit combination its
 *   nine observations (the array before and after a partition and a whole recursive call) can show, and
 *   quicksort only branches on comparisons. The comparison is made by the environment, so the model learns the
 *   control flow, not the digit order (sortingTask's COMPSWAP learns that from one-hot digits).
 * - Our ACT: MOVE a pointer, COPY one pointer's position into another, SWAP the values under two
 *   pointers, PUSH / POP all four pointers. A frame saves I and J too, so after POP a call sees exactly
 *   what it saw before its left call; Cai et al. push (lo, hi).
 * - The right recursive call is a tail call (the end flag), so nothing is popped after it; the left
 *   call's frame is popped before it.
 * - Problems are the sorting task's (digits 0-9, so many duplicates); a strict comparison puts equal
 *   elements right of the pivot, which makes all-equal ranges quadratic and their recursion n deep.
 * - Its own environment name ("recursive-quicksort"): program-memory rows and the encoder are not shared
 *   with the iterative `quicksortTask`, whose programs of the same names run differently.
 */
import { defineTask, type Task, type VerificationCase } from "@dcnpi/npi-core";
import { compswapProgram, partitionProgram, quicksortActProgram, quicksortEnvironmentFields } from "./quicksort-programs.js";
import { createQuicksortEnv, QuicksortAction, QuicksortDirection, QuicksortEnv, QuicksortFlag, QuicksortPointer } from "./quicksort-env.js";
import type { SortingInput } from "./sorting-task.js";

const { LO, HI, I, J } = QuicksortPointer;

/**
 * A small pad for a verification case: `values` with the pointers at `lo, hi, i, j`, and one saved
 * frame on the stack unless `stackEmpty` (the frame of a caller further up; no call pops below the
 * height it started at, so what is in it never matters).
 */
function padOf(values: readonly number[], [lo, hi, i, j]: readonly [number, number, number, number], stackEmpty: boolean): QuicksortEnv {
  const env = new QuicksortEnv({ values });
  env.pointers.set([lo, hi, i, j]);
  if (!stackEmpty) env.push();
  return env;
}

/** The scan of one COMPSWAP: A[J] >= pivot (keep), A[J] < pivot with I = J (swap in place), A[J] < pivot with I < J (swap). */
const SCANS = ["keep", "swap-self", "swap"] as const;
/** What the next scanned element is after COMPSWAP_LOOP's MOVE J RIGHT: J reaches HI, or A[J+1] below / not below the pivot. */
const NEXTS = ["end", "below", "not-below"] as const;
const PIVOT = 5;
const BELOW = 3;
const ABOVE = 7;

/** Elements from I to J for a scan (I at index 0): the caller appends the next element and the pivot. */
function scanPrefix(scan: (typeof SCANS)[number]): { values: number[]; i: number; j: number } {
  if (scan === "swap") return { values: [ABOVE, BELOW], i: 0, j: 1 };
  return { values: [scan === "keep" ? ABOVE : BELOW], i: 0, j: 0 };
}

/**
 * Every context a call of recursive quicksort can meet, on any array (Cai et al. §5's verification set,
 * derived for our environment). The model sees only the four flags, so a context is the program and
 * the flags before each of its steps. Why this list is complete, by the invariants of a teacher run
 * (each checked by induction over the call tree, and together by recursive-quicksort-task.test.ts on
 * random traces):
 * - (Q) A QUICKSORT call starts with J >= HI (the root: J = HI = n - 1; a left call: J = hi > p - 1 = HI;
 *   a right call: J = hi = HI) and returns with LO >= HI, J >= HI and the stack as it found it. So its
 *   first observation is (LO < HI, 0, 0, E), E = stack empty; a base case is that one step. Otherwise the
 *   observations are: (1,0,0,E); after PARTITION (which leaves LO, HI alone and J = HI) (1,0,0,E); after
 *   PUSH (1,0,0,0); after COPY HI := I (lo < p, 0,0,0); after MOVE HI LEFT (lo < p-1, 0,0,0); after the
 *   left call, by (Q), (0,0,0,0); after POP (1,0,0,E); after COPY LO := I (p < hi, 0,0,E); after MOVE LO
 *   RIGHT (p+1 < hi, 0,0,E). A call is fixed by E and min(p - lo, 2), min(hi - p, 2), not both 0.
 * - (P) PARTITION is called by QUICKSORT with LO < HI and J >= HI: (1,0,0,E) twice, then after
 *   COPY J := LO (1, 1, A[lo] < A[hi], E), then after COMPSWAP_LOOP (which ends at J = HI) (1,0,0,E).
 * - (L) COMPSWAP_LOOP runs with LO <= I <= J <= HI, LO < HI, and Lomuto's invariant A[LO..I-1] < A[HI]
 *   <= A[I..J-1]. At J = HI it sees (1,0,0,E) and returns. Otherwise it sees (1,1,c,E); after COMPSWAP
 *   (1,1,c',E), where c' = 1 only if c = 1 and I = J (with I < J the swap brought A[I] >= pivot to J);
 *   after MOVE J RIGHT (1, J+1 < HI, the same and A[J+1] < A[HI], E). A call is fixed by E, the scan
 *   (c, c') and the next element: `SCANS` × `NEXTS`.
 * - (C) COMPSWAP, called by COMPSWAP_LOOP with J < HI: (1,1,0,E) and return, or (1,1,1,E) then (1,1,c',E).
 * So QUICKSORT has 2 + 2 × 8 contexts, PARTITION 2 × 2, COMPSWAP_LOOP 2 + 2 × 9, COMPSWAP 2 × 3: 48.
 * Each case below is a pad of two to five elements that realises one of them.
 */
export function* recursiveQuicksortVerificationSet(): Generator<VerificationCase<QuicksortEnv>> {
  for (const stackEmpty of [true, false]) {
    const e = stackEmpty ? "stack empty" : "stack not empty";
    yield { program: "QUICKSORT", env: padOf([4], [0, 0, 0, 0], stackEmpty), label: `QUICKSORT on one element (base case), ${e}` };
    for (let left = 0; left <= 2; left++) {
      for (let right = 0; right <= 2; right++) {
        if (left === 0 && right === 0) continue;
        // `left` elements below the pivot (0), `right` above it (2), the pivot (1) last: p - lo = left, hi - p = right.
        const values = [...Array<number>(left).fill(0), ...Array<number>(right).fill(2), 1];
        const hi = values.length - 1;
        const label = `QUICKSORT with ${left === 2 ? "2+" : left} left and ${right === 2 ? "2+" : right} right of the pivot, ${e}`;
        yield { program: "QUICKSORT", env: padOf(values, [0, hi, 0, hi], stackEmpty), label };
      }
    }
    for (const below of [true, false]) {
      const label = `PARTITION with A[lo] ${below ? "<" : ">="} pivot, ${e}`;
      yield { program: "PARTITION", env: padOf([below ? 0 : 1, 1], [0, 1, 0, 1], stackEmpty), label };
    }
    yield {
      program: "COMPSWAP_LOOP",
      env: padOf([PIVOT, PIVOT], [0, 1, 1, 1], stackEmpty),
      label: `COMPSWAP_LOOP at J = HI (base case), ${e}`,
    };
    for (const scan of SCANS) {
      const prefix = scanPrefix(scan);
      const swapValues = [...prefix.values, PIVOT];
      const swapHi = swapValues.length - 1;
      yield { program: "COMPSWAP", env: padOf(swapValues, [0, swapHi, prefix.i, prefix.j], stackEmpty), label: `COMPSWAP ${scan}, ${e}` };
      for (const next of NEXTS) {
        const values = [...prefix.values, ...(next === "end" ? [] : [next === "below" ? BELOW : ABOVE]), PIVOT];
        const hi = values.length - 1;
        const label = `COMPSWAP_LOOP ${scan}, next ${next}, ${e}`;
        yield { program: "COMPSWAP_LOOP", env: padOf(values, [0, hi, prefix.i, prefix.j], stackEmpty), label };
      }
    }
  }
}

/**
 * Recursive quicksort (Cai et al. 2017): QUICKSORT and COMPSWAP_LOOP call themselves; PARTITION,
 * COMPSWAP and ACT as in the iterative `quicksortTask`. Problems and answer check are the sorting task's.
 */
export const recursiveQuicksortTask: Task<QuicksortEnv, SortingInput> = defineTask<QuicksortEnv, SortingInput>({
  name: "recursive-quicksort",
  ...quicksortEnvironmentFields,
  programs: [
    {
      name: "QUICKSORT",
      description:
        "sort LO..HI: return if LO >= HI; else PARTITION, QUICKSORT on LO..I-1 (PUSH before, POP after), QUICKSORT on I+1..HI (tail call)",
      teach(t) {
        if (!t.env.flag(QuicksortFlag.LO_BELOW_HI)) return t.stop();
        t.call("PARTITION");
        t.act([QuicksortAction.PUSH, 0, 0]);
        t.act([QuicksortAction.COPY, HI, I]);
        t.act([QuicksortAction.MOVE, HI, QuicksortDirection.LEFT]);
        t.call("QUICKSORT");
        t.act([QuicksortAction.POP, 0, 0]);
        t.act([QuicksortAction.COPY, LO, I]);
        t.act([QuicksortAction.MOVE, LO, QuicksortDirection.RIGHT]);
        t.call("QUICKSORT", { end: true });
      },
    },
    partitionProgram,
    {
      name: "COMPSWAP_LOOP",
      description: "the partition scan from J on: return at J = HI; else COMPSWAP, MOVE J RIGHT, then itself (tail call)",
      teach(t) {
        if (!t.env.flag(QuicksortFlag.J_BELOW_HI)) return t.stop();
        t.call("COMPSWAP");
        t.act([QuicksortAction.MOVE, J, QuicksortDirection.RIGHT]);
        t.call("COMPSWAP_LOOP", { end: true });
      },
    },
    compswapProgram,
    quicksortActProgram,
  ],
  createEnvironment: (input) => createQuicksortEnv(input, "recursive-quicksort"),
  verificationSet: recursiveQuicksortVerificationSet,
});
