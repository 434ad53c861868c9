import { countTraceSteps, recordTrace, type Task } from "@dcnpi/npi-core";

/**
 * Model steps a RUN may take on `input`: twice what the teacher needs, plus 20 (ours). A model that
 * loops or dawdles is stopped and counted wrong.
 */
export function stepBudget<Input>(task: Task<any, Input>, input: Input): number {
  const steps = countTraceSteps(recordTrace(task, task.createEnvironment(input), { observations: false }));
  return 2 * steps + 20;
}
