/**
 * Non-recursive quicksort, the baseline of Cai, Shin & Song (ICLR 2017, §4, Table 2: it fails at longer
 * arrays where the recursive one stays at 100%): the same environment, problems, PARTITION and COMPSWAP
 * as `recursiveQuicksortTask`, but QUICKSORT loops over an explicit stack of pending ranges and
 * COMPSWAP_LOOP loops over the scan, so one call runs for as many steps as the array is long:
 *
 *   QUICKSORT:     PUSH (the whole array); then until the stack is empty: POP; if LO < HI: PARTITION, STACK
 *   STACK:         push the two parts: COPY HI := I; MOVE HI LEFT; PUSH (LO..p-1); COPY HI := J (J = hi after
 *                  PARTITION); COPY LO := I; MOVE LO RIGHT; PUSH (p+1..HI)
 *   PARTITION:     COPY I := LO; COPY J := LO; COMPSWAP_LOOP; SWAP I HI
 *   COMPSWAP_LOOP: until J = HI: COMPSWAP; MOVE J RIGHT
 *   COMPSWAP:      if A[J] < A[HI]: SWAP I J; MOVE I RIGHT; else return
 *
 * Deviations from Cai et al.'s iterative version (besides the environment's, see
 * recursive-quicksort-task.ts): STACK and its use of J as the saved `hi` are ours; it pushes the left
 * part first, so the right part is sorted first (the final array is the same as the recursive
 * version's; the order of the swaps is not). The environment name is "quicksort".
 */
import { defineTask, type Task } from "@dcnpi/npi-core";
import { compswapProgram, partitionProgram, quicksortActProgram, quicksortEnvironmentFields } from "./quicksort-programs.js";
import {
  createQuicksortEnv,
  QuicksortAction,
  QuicksortDirection,
  QuicksortFlag,
  QuicksortPointer,
  type QuicksortEnv,
} from "./quicksort-env.js";
import type { SortingInput } from "./sorting-task.js";

const { LO, HI, I, J } = QuicksortPointer;

/** Iterative quicksort: loops instead of self-calls, the pending ranges on the environment stack. */
export const quicksortTask: Task<QuicksortEnv, SortingInput> = defineTask<QuicksortEnv, SortingInput>({
  name: "quicksort",
  ...quicksortEnvironmentFields,
  programs: [
    {
      name: "QUICKSORT",
      description:
        "PUSH the whole array; until the stack is empty: POP a range and, if it has 2+ elements, PARTITION it and STACK its parts",
      teach(t) {
        t.act([QuicksortAction.PUSH, 0, 0]);
        for (;;) {
          if (t.env.flag(QuicksortFlag.STACK_EMPTY)) return t.stop();
          t.act([QuicksortAction.POP, 0, 0]);
          if (t.env.flag(QuicksortFlag.LO_BELOW_HI)) {
            t.call("PARTITION");
            t.call("STACK");
          }
        }
      },
    },
    {
      name: "STACK",
      description: "after PARTITION: push LO..I-1, then I+1..HI (HI restored from J, which PARTITION left at HI)",
      teach(t) {
        t.act([QuicksortAction.COPY, HI, I]);
        t.act([QuicksortAction.MOVE, HI, QuicksortDirection.LEFT]);
        t.act([QuicksortAction.PUSH, 0, 0]);
        t.act([QuicksortAction.COPY, HI, J]);
        t.act([QuicksortAction.COPY, LO, I]);
        t.act([QuicksortAction.MOVE, LO, QuicksortDirection.RIGHT]);
        t.act([QuicksortAction.PUSH, 0, 0], { end: true });
      },
    },
    partitionProgram,
    {
      name: "COMPSWAP_LOOP",
      description: "the partition scan: COMPSWAP and MOVE J RIGHT until J = HI",
      teach(t) {
        for (;;) {
          if (!t.env.flag(QuicksortFlag.J_BELOW_HI)) return t.stop();
          t.call("COMPSWAP");
          t.act([QuicksortAction.MOVE, J, QuicksortDirection.RIGHT]);
        }
      },
    },
    compswapProgram,
    quicksortActProgram,
  ],
  createEnvironment: (input) => createQuicksortEnv(input, "quicksort"),
});
