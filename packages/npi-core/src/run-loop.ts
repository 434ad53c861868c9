import { DEFAULT_ARGUMENTS, argumentsInRange, type Arguments } from "./arguments.js";
import { NpiError } from "./errors.js";
import type { Task, TaskProgram } from "./task.js";
import type { Call, Invocation, TraceStep } from "./trace.js";

/** One row of a batched model step: the top frame of one problem's call stack. */
export interface StepRequest {
  /** Which encoder reads the observation. */
  readonly environment: string;
  readonly observation: Float32Array;
  /** Row of the running program in the model's program memory. */
  readonly program: number;
  /** The running program's arguments (fed to the encoder with the observation). */
  readonly args: Arguments;
  /** The frame's recurrent state from its previous step; `undefined` for a frame's first step (zero state). */
  readonly state: unknown;
}

/** The model's decision for one row. */
export interface StepDecision {
  readonly endProbability: number;
  /** Memory row of the program to call (argmax of key scores), or `null` for "call nothing". */
  readonly call: number | null;
  /** Arguments for the call (argmax per slot); ignored when the callee takes none. */
  readonly args: Arguments;
  /** The frame's new recurrent state (opaque to the loop). */
  readonly state: unknown;
}

/**
 * What the RUN loop needs from a model: its program memory's row names and a batched step. The
 * tfjs `NpiModel` implements it; tests use hand-written ones.
 */
export interface NpiStepModel {
  /** Row index of a program-memory name ("ACT", "addition/ADD1", ...), or undefined. */
  programIndex(memoryName: string): number | undefined;
  /** Name of a memory row. */
  programName(index: number): string;
  /** One step for each request (all rows at once). */
  step(requests: readonly StepRequest[]): StepDecision[];
}

export interface RunProblem<Env = unknown> {
  readonly task: Task<Env>;
  /** The environment the program acts on (changed in place). */
  readonly env: Env;
  /** Program to run (default: the task's root). */
  readonly program?: string;
  readonly args?: Arguments;
  /** Model steps allowed for this problem (overrides the run option). */
  readonly maxSteps?: number;
  /** Deepest call stack allowed for this problem (overrides the run option; a recursive program needs one per level). */
  readonly maxDepth?: number;
}

/** One model step as a viewer sees it (an execution log is one of these per step). */
export interface ExecutionLogEntry {
  /** Step number within the problem, from 0. */
  readonly step: number;
  /** Call depth of the running program (root = 1). */
  readonly depth: number;
  /** Programs on the call stack, root first (the last is the one that stepped). */
  readonly stack: readonly string[];
  readonly program: string;
  readonly args: Arguments;
  readonly endProbability: number;
  readonly end: boolean;
  readonly call: Call | null;
  /** Text of ACT's action, when the task can describe it. */
  readonly action?: string;
  /** The environment after the step (only with `snapshots: true` and a task `snapshot`). */
  readonly snapshot?: unknown;
}

export type RunStatus = "returned" | "step-limit" | "depth-limit" | "invalid-call";

export interface RunResult {
  /** `returned`: the root program ended. Otherwise why the run was stopped. */
  readonly status: RunStatus;
  /** Model (LSTM) steps taken. */
  readonly steps: number;
  /** Deepest call stack reached. */
  readonly maxDepth: number;
  /** The execution as a trace (no observations): `verifyTrace` can replay it. */
  readonly trace: Invocation;
  readonly log?: readonly ExecutionLogEntry[];
  readonly message?: string;
}

export interface RunOptions {
  /** Model steps allowed per problem (default 100,000); RunProblem.maxSteps overrides. */
  readonly maxSteps?: number;
  /**
   * Deepest call stack allowed, root = 1 (default 10, as keras_npi and pytorch-npi use);
   * RunProblem.maxDepth overrides it per problem (recursive programs need a level per call).
   */
  readonly maxDepth?: number;
  /** End threshold α (paper: 0.5). */
  readonly endThreshold?: number;
  /** Keep an execution log of every step (default false: long evaluations only need the trace). */
  readonly log?: boolean;
  /** Put `task.snapshot(env)` after each step into the log (implies log). */
  readonly snapshots?: boolean;
  /** Called after every step of every problem (live display). */
  readonly onStep?: (problemIndex: number, entry: ExecutionLogEntry) => void;
}

interface Frame {
  readonly program: TaskProgram<unknown>;
  readonly row: number;
  readonly args: Arguments;
  state: unknown;
  readonly invocation: { program: string; args: Arguments; steps: TraceStep[] };
  /** The step that made the current call had its end flag set: return when the callee returns. */
  returnAfterCallee: boolean;
}

interface ProblemState {
  readonly index: number;
  readonly problem: RunProblem<unknown>;
  readonly stack: Frame[];
  readonly root: Invocation;
  readonly maxSteps: number;
  readonly depthLimit: number;
  steps: number;
  maxDepth: number;
  status: RunStatus | undefined;
  message?: string;
  readonly log: ExecutionLogEntry[] | undefined;
}

function resolveRow(model: NpiStepModel, program: TaskProgram<unknown>, task: Task): number {
  const row = model.programIndex(program.memoryName);
  if (row === undefined) {
    throw new NpiError("UNKNOWN_PROGRAM", `run: the model's program memory has no row "${program.memoryName}" (task ${task.name})`);
  }
  return row;
}

/**
 * The RUN loop of the paper's Algorithm 1, for many problems at once.
 *
 * - Every program invocation starts from a zero LSTM state; the caller's state and program wait on
 *   an explicit stack and resume when the callee returns.
 * - When the model picks ACT, the loop acts on the environment with the predicted arguments and
 *   does not run the LSTM for ACT (the "intended" reading of Algorithm 1, line 8).
 * - The end flag belongs to the step that may also call (footnote 1): the step's call runs first,
 *   then the program returns. A step that picks "call nothing" with the end flag simply returns.
 * - Step and depth limits stop a wrong model; the status says which.
 *
 * All problems advance together: each round makes one batched model step over the top frame of
 * every unfinished problem, which is what makes 3000-digit evaluations affordable.
 */
export function runPrograms(model: NpiStepModel, problems: readonly RunProblem<any>[], options: RunOptions = {}): RunResult[] {
  const maxDepth = options.maxDepth ?? 10;
  const threshold = options.endThreshold ?? 0.5;
  const keepLog = options.log === true || options.snapshots === true;
  if (!Number.isInteger(maxDepth) || maxDepth < 1)
    throw new NpiError("INVALID_OPTIONS", `run: maxDepth must be a positive integer, got ${maxDepth}`);
  const states: ProblemState[] = problems.map((problem, index) => {
    const task = problem.task as Task;
    const program = task.program(problem.program ?? task.rootProgram);
    if (program.act) throw new NpiError("INVALID_OPTIONS", `run: cannot run ACT as a program`);
    const args = problem.args ?? DEFAULT_ARGUMENTS;
    const root = { program: program.name, args, steps: [] as TraceStep[] };
    const maxSteps = problem.maxSteps ?? options.maxSteps ?? 100_000;
    if (!Number.isInteger(maxSteps) || maxSteps < 1)
      throw new NpiError("INVALID_OPTIONS", `run: maxSteps must be a positive integer, got ${maxSteps}`);
    const depthLimit = problem.maxDepth ?? maxDepth;
    if (!Number.isInteger(depthLimit) || depthLimit < 1)
      throw new NpiError("INVALID_OPTIONS", `run: maxDepth must be a positive integer, got ${depthLimit}`);
    return {
      index,
      problem,
      stack: [{ program, row: resolveRow(model, program, task), args, state: undefined, invocation: root, returnAfterCallee: false }],
      root,
      maxSteps,
      depthLimit,
      steps: 0,
      maxDepth: 1,
      status: undefined,
      log: keepLog ? [] : undefined,
    };
  });

  let active = states.slice();
  while (active.length > 0) {
    const requests: StepRequest[] = active.map((s) => {
      const frame = s.stack[s.stack.length - 1]!;
      const task = s.problem.task as Task;
      return {
        environment: task.environment,
        observation: task.observe(s.problem.env),
        program: frame.row,
        args: frame.args,
        state: frame.state,
      };
    });
    const decisions = model.step(requests);
    if (decisions.length !== active.length) {
      throw new NpiError("INVALID_OPTIONS", `run: model returned ${decisions.length} decisions for ${active.length} requests`);
    }
    for (let k = 0; k < active.length; k++) applyDecision(model, active[k]!, decisions[k]!, threshold, options);
    active = active.filter((s) => s.status === undefined);
  }
  return states.map((s) => {
    const result: { -readonly [K in keyof RunResult]: RunResult[K] } = {
      status: s.status!,
      steps: s.steps,
      maxDepth: s.maxDepth,
      trace: s.root,
    };
    if (s.log !== undefined) result.log = s.log;
    if (s.message !== undefined) result.message = s.message;
    return result;
  });
}

/** What `logStep` records about one step. */
interface LoggedStep {
  readonly frame: ProblemState["stack"][number];
  readonly index: number;
  readonly decision: StepDecision;
  readonly end: boolean;
  readonly call: Call | null;
  /** The call stack when the step was taken (default: as it is now, the same for a step that changed nothing). */
  readonly stack?: string[];
  /** The step called ACT (the log then says what the action was). */
  readonly acted?: boolean;
}

/**
 * Puts one step into the execution log and tells `onStep`, also for the step that stopped the run
 * (an invalid call is what a viewer most needs to see).
 */
function logStep(s: ProblemState, options: RunOptions, step: LoggedStep): void {
  if (s.log === undefined && options.onStep === undefined) return;
  const task = s.problem.task as Task;
  const stack = step.stack ?? s.stack.map((f) => f.program.name);
  const entry: { -readonly [K in keyof ExecutionLogEntry]: ExecutionLogEntry[K] } = {
    step: step.index,
    depth: stack.length,
    stack,
    program: step.frame.program.name,
    args: step.frame.args,
    endProbability: step.decision.endProbability,
    end: step.end,
    call: step.call,
  };
  if (step.acted === true && task.describeAction !== undefined) entry.action = task.describeAction(step.call!.args);
  if (options.snapshots === true && task.snapshot !== undefined) entry.snapshot = task.snapshot(s.problem.env);
  s.log?.push(entry);
  options.onStep?.(s.index, entry);
}

/** `runPrograms` for a single problem. */
export function runProgram(model: NpiStepModel, problem: RunProblem<any>, options: RunOptions = {}): RunResult {
  return runPrograms(model, [problem], options)[0]!;
}

function applyDecision(model: NpiStepModel, s: ProblemState, decision: StepDecision, threshold: number, options: RunOptions): void {
  const task = s.problem.task as Task;
  const env = s.problem.env;
  const frame = s.stack[s.stack.length - 1]!;
  frame.state = decision.state;
  const end = decision.endProbability >= threshold;
  const stepIndex = s.steps;
  s.steps++;

  let callee: TaskProgram<unknown> | undefined;
  let call: Call | null = null;
  if (decision.call !== null) {
    const memoryName = model.programName(decision.call);
    callee = task.programByMemoryName(memoryName);
    // An invalid call stops the run, and the step is recorded as never ending its invocation: were it
    // recorded with the model's end flag, the trace of a stopped run could read as a finished one (a
    // "no call, end" step) and pass the verifier.
    if (callee === undefined) {
      s.status = "invalid-call";
      s.message = `${frame.program.name} called "${memoryName}", which is not a program of ${task.name}`;
      frame.invocation.steps.push({ call: null, end: false, endProbability: decision.endProbability });
      logStep(s, options, { frame, index: stepIndex, decision, end: false, call: null });
      return;
    }
    const args = callee.takesArguments ? decision.args : DEFAULT_ARGUMENTS;
    call = { program: callee.name, args };
    if (callee.act && !argumentsInRange(args, task.argumentSizes)) {
      s.status = "invalid-call";
      s.message = `${frame.program.name} called ACT with arguments ${args.join(",")} outside ${task.name}'s ranges`;
      frame.invocation.steps.push({ call, end: false, endProbability: decision.endProbability });
      logStep(s, options, { frame, index: stepIndex, decision, end: false, call });
      return;
    }
  }

  const step: { call: Call | null; end: boolean; endProbability: number; invocation?: Invocation } = {
    call,
    end,
    endProbability: decision.endProbability,
  };
  frame.invocation.steps.push(step);
  // The stack as it was when the step was taken (the step below may push or pop frames).
  const stackNames = s.log !== undefined || options.onStep !== undefined ? s.stack.map((f) => f.program.name) : [];

  if (callee !== undefined && callee.act) {
    task.act(env, call!.args);
  } else if (callee !== undefined) {
    if (s.stack.length >= s.depthLimit) {
      // A stack overflow (a model recursing without end, or deeper than the problem needs) is a
      // failed run with its own status, never an exception.
      s.status = "depth-limit";
      s.message = `${frame.program.name} called ${callee.name} at depth ${s.stack.length} (limit ${s.depthLimit})`;
    } else {
      const child = { program: callee.name, args: call!.args, steps: [] as TraceStep[] };
      step.invocation = child;
      frame.returnAfterCallee = end;
      // A frame that called with the end flag never steps again (it returns when its callee does):
      // its LSTM state is dropped, so a tail-recursive program 5,000 calls deep holds one state, not 5,000.
      if (end) frame.state = undefined;
      s.stack.push({
        program: callee,
        row: resolveRow(model, callee, task),
        args: call!.args,
        state: undefined,
        invocation: child,
        returnAfterCallee: false,
      });
      s.maxDepth = Math.max(s.maxDepth, s.stack.length);
    }
  }
  if (end && (callee === undefined || callee.act)) {
    // Return, then let every caller whose calling step carried the end flag return as well.
    s.stack.pop();
    while (s.stack.length > 0 && s.stack[s.stack.length - 1]!.returnAfterCallee) s.stack.pop();
    if (s.stack.length === 0) s.status = "returned";
  }

  logStep(s, options, { frame, index: stepIndex, decision, end, call, stack: stackNames, acted: callee?.act === true });
  if (s.status === undefined && s.steps >= s.maxSteps) {
    s.status = "step-limit";
    s.message = `stopped after ${s.steps} steps`;
  }
}
