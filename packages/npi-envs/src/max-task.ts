import { defineTask, type Task } from "@dcnpi/npi-core";
import { sortingTask, SortingPointer, type SortingEnv, type SortingInput } from "./sorting-task.js";

/**
 * The paper's "new task" (§4.3, Table 2): find the maximum of an array, written with two new programs
 * on the sorting environment, so a model trained on sorting can learn it by adding two rows to its
 * program memory with everything else frozen.
 *
 *   MAX:  BUBBLESORT; RJMP [end]
 *   RJMP: repeat { if P1 is at the last element: stop;  RSHIFT }
 *
 * Table 2 gives only the call graph (MAX calls BUBBLESORT and RJMP; RJMP calls RSHIFT: "move all
 * pointers to the far right"); the rest is ours. After BUBBLESORT both swap pointers stand at index 0
 * (RESET brings them back), so RJMP's RSHIFTs move them together until P1 reaches the last element,
 * where the sorted array keeps its maximum; RJMP decides to stop from P1's at-end bit, which the
 * sorting observation already has. The answer is the value under P1 (`isSolved`).
 *
 * Same environment name ("sorting"), observation, encoder and ACT as `sortingTask`, so the old
 * programs' memory rows ("sorting/BUBBLESORT", "sorting/RSHIFT", ...) are shared, and only
 * "sorting/MAX" and "sorting/RJMP" are new.
 */
export const maxTask: Task<SortingEnv, SortingInput> = defineTask<SortingEnv, SortingInput>({
  ...sortingTask,
  name: "max",
  environment: "sorting",
  rootProgram: "MAX",
  programs: [
    ...sortingTask.programs.map(({ memoryName: _memoryName, ...program }) => program),
    {
      name: "RJMP",
      description: "RSHIFT until P1 stands on the last element",
      teach(t) {
        for (;;) {
          if (t.env.atEnd(SortingPointer.P1)) return t.stop();
          t.call("RSHIFT");
        }
      },
    },
    {
      name: "MAX",
      description: "BUBBLESORT, then RJMP: P1 ends on the maximum",
      teach(t) {
        t.call("BUBBLESORT");
        t.call("RJMP", { end: true });
      },
    },
  ],
  isSolved(input, env) {
    return env.read(SortingPointer.P1) === Math.max(...input.values);
  },
  formatInput: (input) => `max [${input.values.join(",")}]`,
});
