/**
 * Non-recursive topological sort (the baseline of Cai, Shin & Song, ICLR 2017, Table 3): the same
 * graph environment, problems, observation and ACT as `recursiveTopoSortTask`, but loops instead of
 * self-calls and the environment stack as an explicit DFS stack:
 *
 *   TOPOSORT: repeat { no more vertices: return. Start white: MOVE CURRENT TO START, DFS. MOVE START NEXT }
 *   DFS:      WRITE COLOUR GREY; repeat {
 *               no more children: FINISH, then return if the stack is empty, else BACK
 *               child white: DESCEND;  child black: MOVE CHILD NEXT }
 *   DESCEND:  STACK PUSH, MOVE CURRENT TO CHILD, WRITE COLOUR GREY
 *   FINISH:   WRITE COLOUR BLACK, WRITE RESULT
 *   BACK:     STACK POP, MOVE CHILD NEXT
 *
 * One DFS call walks a whole search tree, so its context grows with the graph: nothing bounds what a
 * call sees, and there is no verification set. Every decision is still a function of the current
 * observation, so a model can in principle generalise; Cai et al. report that theirs did not (6.7%
 * at 5 vertices down to 0% at 70, trained on one 5-vertex trace). Deviations: as the recursive task's
 * (program names and ACT layout ours; their non-recursive program set is not reproduced exactly).
 */
import { defineTask, type Task } from "@dcnpi/npi-core";
import { type DagInput } from "./dag.js";
import { Colour, GraphEnv, GRAPH_TASK_FIELDS } from "./graph-env.js";
import {
  childColour,
  MOVE_CHILD_NEXT,
  MOVE_CURRENT_TO_CHILD,
  MOVE_CURRENT_TO_START,
  MOVE_START_NEXT,
  STACK_POP,
  STACK_PUSH,
  startColour,
  WRITE_BLACK,
  WRITE_GREY,
  WRITE_RESULT,
} from "./recursive-toposort-task.js";

/** Non-recursive topological sort: a DFS with an explicit stack, on `recursiveTopoSortTask`'s environment and problems. */
export const topoSortTask: Task<GraphEnv, DagInput> = defineTask<GraphEnv, DagInput>({
  name: "toposort",
  rootProgram: "TOPOSORT",
  ...GRAPH_TASK_FIELDS,
  programs: [
    {
      name: "TOPOSORT",
      description: "for each vertex: DFS from it if it is white; return past the last vertex",
      teach(t) {
        for (;;) {
          const colour = startColour(t.env);
          if (colour === undefined) return t.stop();
          if (colour === Colour.WHITE) {
            t.act(MOVE_CURRENT_TO_START);
            t.call("DFS");
          }
          t.act(MOVE_START_NEXT);
        }
      },
    },
    {
      name: "DFS",
      description: "depth-first search from the current vertex with the environment stack",
      teach(t) {
        t.act(WRITE_GREY);
        for (;;) {
          const colour = childColour(t.env);
          if (colour === undefined) {
            if (t.env.stack.length === 0) return t.call("FINISH", { end: true });
            t.call("FINISH");
            t.call("BACK");
          } else if (colour === Colour.WHITE) t.call("DESCEND");
          else t.act(MOVE_CHILD_NEXT);
        }
      },
    },
    {
      name: "DESCEND",
      description: "push the current vertex and edge, move into the child and colour it grey",
      teach(t) {
        t.act(STACK_PUSH);
        t.act(MOVE_CURRENT_TO_CHILD);
        t.act(WRITE_GREY, { end: true });
      },
    },
    {
      name: "FINISH",
      description: "colour the current vertex black and append it to the result",
      teach(t) {
        t.act(WRITE_BLACK);
        t.act(WRITE_RESULT, { end: true });
      },
    },
    {
      name: "BACK",
      description: "pop the parent's vertex and edge and move to its next child",
      teach(t) {
        t.act(STACK_POP);
        t.act(MOVE_CHILD_NEXT, { end: true });
      },
    },
    { name: "ACT", act: true, description: "move a pointer, write a colour or the result, push or pop a frame" },
  ],
});
