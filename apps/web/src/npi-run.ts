/**
 * One NPI execution, recorded for drawing: the RUN loop of `@dcnpi/npi-core` with the log and an
 * environment snapshot after every step (what `npi run` redraws on a terminal), the result and
 * whether it is right. The step budget is `npi run`'s: twice the teacher's steps plus 20.
 */
import { countTraceSteps, recordTrace, runProgram, type ExecutionLogEntry, type RunResult } from "@dcnpi/npi-core";
import type { AdditionEnv, AdditionInput, SortingEnv, SortingInput } from "@dcnpi/npi-envs";
import { parseAdditionInput, parseSortingInput, type LoadedNpi } from "./npi-model.js";

export interface NpiExecution {
  readonly problem: string;
  readonly initial: unknown;
  readonly log: readonly ExecutionLogEntry[];
  readonly status: RunResult["status"];
  readonly message: string | undefined;
  readonly steps: number;
  readonly teacherSteps: number;
  readonly maxSteps: number;
  readonly result: string;
  readonly expected: string;
  readonly correct: boolean;
}

export function executeNpi(npi: LoadedNpi, text: string): NpiExecution {
  const { task, model } = npi;
  const input: AdditionInput | SortingInput = npi.taskName === "addition" ? parseAdditionInput(text) : parseSortingInput(text);
  const teacherSteps = countTraceSteps(recordTrace(task, task.createEnvironment(input), { observations: false }));
  const maxSteps = 2 * teacherSteps + 20;
  const env = task.createEnvironment(input);
  const initial = task.snapshot?.(env);
  const run = runProgram(model, { task, env, maxSteps }, { log: true, snapshots: true });
  let result: string;
  let expected: string;
  if (npi.taskName === "addition") {
    const { a, b } = input as AdditionInput;
    result = (env as AdditionEnv).output();
    expected = (BigInt(a) + BigInt(b)).toString();
  } else {
    result = Array.from((env as SortingEnv).values).join(",");
    expected = [...(input as SortingInput).values].sort((x, y) => x - y).join(",");
  }
  return {
    problem: task.formatInput?.(input) ?? text,
    initial,
    log: run.log ?? [],
    status: run.status,
    message: run.message,
    steps: run.steps,
    teacherSteps,
    maxSteps,
    result,
    expected,
    correct: run.status === "returned" && task.isSolved(input, env),
  };
}
