/**
 * What the recursive and the iterative quicksort share: the environment's task fields (observation,
 * ACT, problems, answer check) and the programs both run the same way (PARTITION, COMPSWAP, ACT).
 * Lomuto's partition with the pivot at HI and a strict comparison, as in Cai et al.'s appendix
 * pseudo-code: elements below the pivot go left of it, equal ones right.
 */
import type { TaskDefinition } from "@dcnpi/npi-core";
import {
  QUICKSORT_ARGUMENT_SIZES,
  QUICKSORT_OBSERVATION_SIZE,
  QuicksortAction,
  QuicksortDirection,
  QuicksortFlag,
  QuicksortPointer,
  actQuicksort,
  describeQuicksortAction,
  observeQuicksort,
  quicksortSolved,
  randomQuicksortInput,
  snapshotQuicksort,
  type QuicksortEnv,
} from "./quicksort-env.js";
import type { SortingInput } from "./sorting-task.js";

const { LO, HI, I, J } = QuicksortPointer;

/** One program of a quicksort task (npi-core exports the table type, not the entry). */
export type QuicksortProgram = TaskDefinition<QuicksortEnv, SortingInput>["programs"][number];

/** PARTITION: I := LO, J := LO, the scan (COMPSWAP_LOOP), then the pivot into place (SWAP I HI). */
export const partitionProgram: QuicksortProgram = {
  name: "PARTITION",
  description: "Lomuto partition of LO..HI around A[HI]: I := LO, J := LO, COMPSWAP_LOOP, SWAP I HI (the pivot ends under I)",
  teach(t) {
    t.act([QuicksortAction.COPY, I, LO]);
    t.act([QuicksortAction.COPY, J, LO]);
    t.call("COMPSWAP_LOOP");
    t.act([QuicksortAction.SWAP, I, HI], { end: true });
  },
};

/** COMPSWAP: if A[J] < A[HI], SWAP I J and MOVE I RIGHT; else return. */
export const compswapProgram: QuicksortProgram = {
  name: "COMPSWAP",
  description: "if A[J] < pivot: swap A[I] and A[J], move I right; else return",
  teach(t) {
    if (!t.env.flag(QuicksortFlag.J_VALUE_BELOW_PIVOT)) return t.stop();
    t.act([QuicksortAction.SWAP, I, J]);
    t.act([QuicksortAction.MOVE, I, QuicksortDirection.RIGHT], { end: true });
  },
};

export const quicksortActProgram: QuicksortProgram = {
  name: "ACT",
  act: true,
  description: "move or copy a pointer, swap the values under two pointers, push or pop the pointers",
};

/** Everything of a quicksort task but its name, programs and verification set. */
export const quicksortEnvironmentFields = {
  rootProgram: "QUICKSORT",
  observationShape: [QUICKSORT_OBSERVATION_SIZE],
  argumentSizes: QUICKSORT_ARGUMENT_SIZES,
  // Four flags in: a small encoder is plenty (ours).
  encoder: { kind: "mlp", hiddenSizes: [32] },
  observe: observeQuicksort,
  act: actQuicksort,
  isSolved: quicksortSolved,
  randomInput: randomQuicksortInput,
  formatInput: (input: SortingInput) => `[${input.values.join(",")}]`,
  describeAction: describeQuicksortAction,
  snapshot: snapshotQuicksort,
} as const satisfies Omit<TaskDefinition<QuicksortEnv, SortingInput>, "name" | "programs" | "createEnvironment">;
