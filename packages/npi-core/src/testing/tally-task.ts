// Test fixture (not exported): a tiny task whose programs exercise calls, ACT, end-after-call and
// "call nothing", used by npi-core's own tests.
import { defineTask, type Task } from "../task.js";

export interface TallyEnv {
  marks: number;
  flag: number;
  readonly target: number;
}

/**
 * TALLY adds marks until there are `target`: it calls MARK (ACT +1, then ACT toggle flag) and
 * returns. When one mark is missing, its call to MARK carries the end flag (footnote 1); when
 * none is missing at the start it returns without calling.
 */
export const tallyTask: Task<TallyEnv, number> = defineTask<TallyEnv, number>({
  name: "tally",
  rootProgram: "TALLY",
  observationShape: [3],
  argumentSizes: [2, 1, 1],
  encoder: { kind: "mlp", hiddenSizes: [16] },
  programs: [
    {
      name: "TALLY",
      teach(t) {
        for (;;) {
          const missing = t.env.target - t.env.marks;
          if (missing === 0) return t.stop();
          t.call("MARK", { end: missing === 1 });
          if (missing === 1) return;
        }
      },
    },
    {
      name: "MARK",
      teach(t) {
        t.act([0, 0, 0]);
        t.act([1, 0, 0], { end: true });
      },
    },
    { name: "ACT", act: true },
  ],
  createEnvironment: (target) => ({ marks: 0, flag: 0, target }),
  observe: (env) => Float32Array.from([env.target - env.marks === 0 ? 1 : 0, env.target - env.marks === 1 ? 1 : 0, env.flag]),
  act(env, [kind]) {
    if (kind === 0) env.marks++;
    else env.flag = 1 - env.flag;
  },
  isSolved: (target, env) => env.marks === target,
  randomInput: (rng, size) => rng.int(size + 1),
  describeAction: ([kind]) => (kind === 0 ? "ADD" : "TOGGLE"),
  snapshot: (env) => ({ marks: env.marks, flag: env.flag }),
});

/** A model small enough for unit tests (the real one is 2×256). */
export const SMALL_CONFIG = {
  stateSize: 16,
  programEmbeddingSize: 8,
  programKeySize: 8,
  fusionHiddenSize: 32,
  lstmSize: 32,
  lstmLayers: 2,
  argumentDepth: 2,
};
