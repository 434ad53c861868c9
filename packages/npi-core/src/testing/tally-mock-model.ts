// Test fixture (not exported): a hand-written step model for the tally task, shared by the RUN-loop
// and length-evaluation tests.
import { DEFAULT_ARGUMENTS, type Arguments } from "../arguments.js";
import type { NpiStepModel, StepDecision, StepRequest } from "../run-loop.js";

export const rows = ["tally/TALLY", "tally/MARK", "ACT", "other/FOREIGN"];

/**
 * A hand-written model that does what the tally teacher does: TALLY decides from the observation,
 * MARK from its own frame state (a step counter). It records every request it sees.
 */
export class TallyMockModel implements NpiStepModel {
  readonly seen: { program: string; state: unknown; observation: number[] }[] = [];
  constructor(private readonly override?: (request: StepRequest, frameStep: number) => StepDecision | undefined) {}
  programIndex(name: string) {
    const i = rows.indexOf(name);
    return i < 0 ? undefined : i;
  }
  programName(i: number) {
    return rows[i]!;
  }
  step(requests: readonly StepRequest[]): StepDecision[] {
    return requests.map((r) => {
      const frameStep = r.state === undefined ? 0 : (r.state as number);
      this.seen.push({ program: rows[r.program]!, state: r.state, observation: [...r.observation] });
      const custom = this.override?.(r, frameStep);
      if (custom !== undefined) return custom;
      const state = frameStep + 1;
      const act = (kind: number, end: boolean): StepDecision => ({
        endProbability: end ? 0.9 : 0.1,
        call: 2,
        args: [kind, 0, 0] as Arguments,
        state,
      });
      if (rows[r.program] === "tally/MARK") return frameStep === 0 ? act(0, false) : act(1, true);
      const [none, one] = r.observation;
      if (none === 1) return { endProbability: 0.99, call: null, args: DEFAULT_ARGUMENTS, state };
      return { endProbability: one === 1 ? 0.8 : 0.2, call: 1, args: [3, 3, 3] as Arguments, state };
    });
  }
}
