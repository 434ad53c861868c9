/**
 * Verification sets (Cai, Shin & Song, "Making Neural Programming Architectures Generalize via
 * Recursion", ICLR 2017, §5): proving that a model runs a program correctly on inputs of every size.
 *
 * Why a finite check can be a proof here: every call starts from a zero LSTM state and the model's
 * input at a step is only (observation, running program, its arguments, its own state), so what a
 * call decides depends on nothing but its program, its arguments and the observations it sees during
 * its own steps — its *context*. If the model makes the teacher's decision at every step of every
 * context a call can meet, then by induction over the (finite) call tree of any input each callee
 * leaves the environment as the teacher's would, each caller therefore sees the teacher's next
 * observation, and the whole run is the teacher's. A task whose recursion keeps the contexts finite
 * (recursive addition's ADD sees one column and the next, at any length) lists them as its
 * verification set; a model that passes all of them is correct at every length. The argument that
 * the list is complete is the task's (written next to its `verificationSet`, and tested there against
 * the contexts of many random traces).
 *
 * The check is teacher forced, call by call: each context's observations are the teacher's, recorded
 * with the callees run by the teacher, which is exactly what a correct model's callees would produce.
 */
import { sameArguments, DEFAULT_ARGUMENTS, type Arguments } from "./arguments.js";
import { NpiError } from "./errors.js";
import type { NpiStepModel } from "./run-loop.js";
import type { Task, VerificationCase } from "./task.js";
import { forEachInvocation, recordTrace, type Invocation, type Trace } from "./trace.js";

/** A step where the model and the teacher disagreed. */
export interface VerificationFailure {
  readonly label: string;
  readonly program: string;
  /** Step of the call, from 1. */
  readonly step: number;
  readonly expected: string;
  readonly got: string;
}

export interface VerificationResult {
  readonly task: string;
  /** Cases the task listed. */
  readonly cases: number;
  /** Distinct contexts among them (program, arguments and observations): the verification set's size. */
  readonly contexts: number;
  /** Contexts in which the model made the teacher's decision at every step. */
  readonly passed: number;
  /** Every context passed: the model is correct at every input size (given the set is complete). */
  readonly proven: boolean;
  readonly perProgram: readonly { readonly program: string; readonly contexts: number; readonly passed: number }[];
  /** The first `maxFailures` failures (one per failing context, at its first wrong step). */
  readonly failures: readonly VerificationFailure[];
  /** Model steps taken (teacher forced). */
  readonly modelSteps: number;
  readonly wallSeconds: number;
}

export interface VerifyContextsOptions {
  /** Contexts stepped together (default 500). */
  readonly batchSize?: number;
  /** Failures kept in the result (default 20). */
  readonly maxFailures?: number;
  /** End threshold α (default 0.5, as RUN). */
  readonly endThreshold?: number;
  readonly onChunk?: (done: number, total: number) => void;
}

/** One distinct context: the first case that produced it, and the teacher's invocation in it (with observations). */
export interface VerificationContext {
  readonly label: string;
  readonly invocation: Invocation;
}

/** A key that is equal for two invocations exactly when a model cannot tell them apart. */
export function invocationContextKey(invocation: Invocation): string {
  const parts = [invocation.program, invocation.args.join(",")];
  for (const step of invocation.steps) {
    if (step.observation === undefined) throw new NpiError("INVALID_OPTIONS", "context key: the trace has no observations");
    parts.push(Array.from(step.observation).join(","));
  }
  return parts.join("|");
}

/** The context keys of every invocation of a trace recorded with observations (completeness tests). */
export function traceContextKeys(trace: Trace): Set<string> {
  const keys = new Set<string>();
  forEachInvocation(trace, (invocation) => keys.add(invocationContextKey(invocation)));
  return keys;
}

/**
 * The distinct contexts of a list of cases: each case's call recorded by the teacher (callees run
 * by the teacher too), keyed by what the model would see.
 */
export function verificationContexts<Env>(
  task: Task<Env>,
  cases: Iterable<VerificationCase<Env>>,
): { cases: number; contexts: VerificationContext[] } {
  const byKey = new Map<string, VerificationContext>();
  let count = 0;
  for (const c of cases) {
    count++;
    const trace = recordTrace(task, c.env, { program: c.program, args: c.args ?? DEFAULT_ARGUMENTS });
    const key = invocationContextKey(trace);
    if (!byKey.has(key)) byKey.set(key, { label: c.label, invocation: trace });
  }
  return { cases: count, contexts: [...byKey.values()] };
}

/** The task's verification set: its contexts, or a typed error when the task has none. */
// Recording a task's set is the fixed cost of a verification (49,184 teacher calls for recursive
// addition); verifying several models of one task records it once. Tasks are frozen objects.
const taskSets = new WeakMap<Task, { cases: number; contexts: VerificationContext[] }>();

export function taskVerificationContexts(task: Task): { cases: number; contexts: VerificationContext[] } {
  if (task.verificationSet === undefined) {
    throw new NpiError("INVALID_OPTIONS", `verify: task "${task.name}" has no verification set (only recursive tasks have one)`);
  }
  let set = taskSets.get(task);
  if (set === undefined) taskSets.set(task, (set = verificationContexts(task, task.verificationSet())));
  return set;
}

/**
 * Runs the model, teacher forced and call by call, on every context of `cases` (default: the task's
 * own verification set) and reports how many it gets exactly right: the called program (or "call
 * nothing"), the arguments of a program that takes them, and the end flag, at every step.
 */
export function verifyContexts<Env>(
  model: NpiStepModel,
  task: Task<Env>,
  cases?: Iterable<VerificationCase<Env>>,
  options: VerifyContextsOptions = {},
): VerificationResult {
  const started = performance.now();
  const batchSize = options.batchSize ?? 500;
  const maxFailures = options.maxFailures ?? 20;
  const threshold = options.endThreshold ?? 0.5;
  const set = cases === undefined ? taskVerificationContexts(task) : verificationContexts(task, cases);
  const rowOf = (program: string): number => {
    const row = model.programIndex(task.program(program).memoryName);
    if (row === undefined) throw new NpiError("UNKNOWN_PROGRAM", `verify: the model has no program "${task.program(program).memoryName}"`);
    return row;
  };
  const failures: VerificationFailure[] = [];
  const perProgram = new Map<string, { program: string; contexts: number; passed: number }>();
  let passed = 0;
  let modelSteps = 0;
  const describe = (call: { program: string; args: Arguments } | null, takesArguments: boolean, end: boolean) =>
    `${call === null ? "(nothing)" : call.program}${call !== null && takesArguments ? ` ${call.args.join(",")}` : ""}${end ? " end" : ""}`;

  for (let start = 0; start < set.contexts.length; start += batchSize) {
    const chunk = set.contexts.slice(start, start + batchSize);
    const rows = chunk.map((c) => rowOf(c.invocation.program));
    const states: unknown[] = chunk.map(() => undefined);
    const failed: (VerificationFailure | undefined)[] = chunk.map(() => undefined);
    const longest = Math.max(...chunk.map((c) => c.invocation.steps.length));
    for (let t = 0; t < longest; t++) {
      const live = chunk.flatMap((c, i) => (failed[i] === undefined && t < c.invocation.steps.length ? [i] : []));
      if (live.length === 0) break;
      const decisions = model.step(
        live.map((i) => ({
          environment: task.environment,
          observation: chunk[i]!.invocation.steps[t]!.observation!,
          program: rows[i]!,
          args: chunk[i]!.invocation.args,
          state: states[i],
        })),
      );
      modelSteps += live.length;
      live.forEach((i, k) => {
        const decision = decisions[k]!;
        states[i] = decision.state;
        const context = chunk[i]!;
        const want = context.invocation.steps[t]!;
        const end = decision.endProbability >= threshold;
        const callee = want.call === null ? undefined : task.program(want.call.program);
        const wantRow = callee === undefined ? null : rowOf(callee.name);
        let ok = end === want.end && decision.call === wantRow;
        if (ok && callee !== undefined && callee.takesArguments) ok = sameArguments(decision.args, want.call!.args);
        if (ok) return;
        const gotProgram =
          decision.call === null
            ? null
            : (task.programByMemoryName(model.programName(decision.call))?.name ?? model.programName(decision.call));
        const gotTakes = gotProgram !== null && task.programs.some((p) => p.name === gotProgram && p.takesArguments);
        failed[i] = {
          label: context.label,
          program: context.invocation.program,
          step: t + 1,
          expected: describe(want.call, callee?.takesArguments ?? false, want.end),
          got: describe(gotProgram === null ? null : { program: gotProgram, args: decision.args }, gotTakes, end),
        };
      });
    }
    chunk.forEach((c, i) => {
      let tally = perProgram.get(c.invocation.program);
      if (tally === undefined) perProgram.set(c.invocation.program, (tally = { program: c.invocation.program, contexts: 0, passed: 0 }));
      tally.contexts++;
      const failure = failed[i];
      if (failure === undefined) {
        tally.passed++;
        passed++;
      } else if (failures.length < maxFailures) failures.push(failure);
    });
    options.onChunk?.(Math.min(set.contexts.length, start + batchSize), set.contexts.length);
  }
  return {
    task: task.name,
    cases: set.cases,
    contexts: set.contexts.length,
    passed,
    proven: set.contexts.length > 0 && passed === set.contexts.length,
    perProgram: [...perProgram.values()],
    failures,
    modelSteps,
    wallSeconds: (performance.now() - started) / 1000,
  };
}
