// Test fixture (not exported): a recursive task for npi-core's own tests. COUNT marks one and calls
// itself (a tail call with the end flag) until no mark is missing; PING and PONG call each other.
import { defineTask, type Task, type VerificationCase } from "../task.js";
import type { NpiStepModel, StepDecision, StepRequest } from "../run-loop.js";
import { DEFAULT_ARGUMENTS, type Arguments } from "../arguments.js";

export interface CountdownEnv {
  marks: number;
  readonly target: number;
}

const missingOf = (env: CountdownEnv) => env.target - env.marks;

export const countdownTask: Task<CountdownEnv, number> = defineTask<CountdownEnv, number>({
  name: "countdown",
  rootProgram: "COUNT",
  // [no mark missing, some missing]
  observationShape: [2],
  argumentSizes: [1, 1, 1],
  encoder: { kind: "mlp", hiddenSizes: [8] },
  programs: [
    {
      name: "COUNT",
      teach(t) {
        if (missingOf(t.env) === 0) return t.stop();
        t.act([0, 0, 0]);
        t.call("COUNT", { end: true });
      },
    },
    {
      // PING marks, then PONG (not a tail call: PING then stops); PONG calls PING while marks are missing.
      name: "PING",
      teach(t) {
        t.act([0, 0, 0]);
        t.call("PONG");
        t.stop();
      },
    },
    {
      name: "PONG",
      teach(t) {
        if (missingOf(t.env) === 0) return t.stop();
        t.call("PING", { end: true });
      },
    },
    { name: "ACT", act: true },
  ],
  createEnvironment: (target) => ({ marks: 0, target }),
  observe: (env) => Float32Array.from(missingOf(env) === 0 ? [1, 0] : [0, 1]),
  act(env) {
    env.marks++;
  },
  isSolved: (target, env) => env.marks === target,
  randomInput: (rng, size) => rng.int(size + 1),
  // COUNT sees "none missing" (base case) or "some missing" then, after its mark, either.
  *verificationSet(): Generator<VerificationCase<CountdownEnv>> {
    yield { program: "COUNT", env: { marks: 0, target: 0 }, label: "COUNT with none missing" };
    yield { program: "COUNT", env: { marks: 0, target: 1 }, label: "COUNT with one missing" };
    yield { program: "COUNT", env: { marks: 0, target: 2 }, label: "COUNT with two missing" };
  },
});

const ROWS = ["countdown/COUNT", "countdown/PING", "countdown/PONG", "ACT"];

/**
 * A hand-written model that runs COUNT as its teacher does (state = the frame's step count); `stopsEarly`
 * makes it return instead of recursing when marks are still missing after its own (wrong from 2 up).
 */
export class CountdownMockModel implements NpiStepModel {
  readonly seen: { program: string; state: unknown }[] = [];
  constructor(private readonly options: { readonly stopsEarly?: boolean; readonly neverEnds?: boolean } = {}) {}
  programIndex(name: string) {
    const i = ROWS.indexOf(name);
    return i < 0 ? undefined : i;
  }
  programName(i: number) {
    return ROWS[i]!;
  }
  step(requests: readonly StepRequest[]): StepDecision[] {
    return requests.map((r) => {
      const k = r.state === undefined ? 0 : (r.state as number);
      this.seen.push({ program: ROWS[r.program]!, state: r.state });
      const state = k + 1;
      const none = r.observation[0] === 1;
      const act: StepDecision = { endProbability: 0.1, call: 3, args: DEFAULT_ARGUMENTS as Arguments, state };
      if (this.options.neverEnds === true) return k === 0 ? act : { endProbability: 0, call: 0, args: DEFAULT_ARGUMENTS, state };
      if (k === 0) return none ? { endProbability: 0.9, call: null, args: DEFAULT_ARGUMENTS, state } : act;
      if (this.options.stopsEarly === true && !none) return { endProbability: 0.9, call: null, args: DEFAULT_ARGUMENTS, state };
      return { endProbability: 0.9, call: 0, args: DEFAULT_ARGUMENTS, state };
    });
  }
}
