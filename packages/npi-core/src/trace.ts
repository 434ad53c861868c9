import { DEFAULT_ARGUMENTS, argumentsInRange, assertArguments, type Arguments } from "./arguments.js";
import { NpiError } from "./errors.js";
import type { Task, TeacherContext } from "./task.js";

/** The call a step made: a program name of the task (ACT included) and its arguments. */
export interface Call {
  readonly program: string;
  readonly args: Arguments;
}

/**
 * One step of one program invocation: what the encoder saw before deciding, what it called (or
 * `null`: nothing) and whether the program ends with this step (after its call returns).
 */
export interface TraceStep {
  /** The observation at this step (teacher traces record it for training; model traces may not). */
  readonly observation?: Float32Array;
  readonly call: Call | null;
  readonly end: boolean;
  /** The callee's own invocation, when `call` is a non-ACT program that ran. */
  readonly invocation?: Invocation;
  /** Model traces: the end probability the model gave. */
  readonly endProbability?: number;
}

/** One run of one program: its arguments and its steps. Each invocation is its own LSTM sequence. */
export interface Invocation {
  readonly program: string;
  readonly args: Arguments;
  readonly steps: readonly TraceStep[];
}

/** A teacher's or a model's execution of one problem: the root invocation. */
export type Trace = Invocation;

interface MutableInvocation {
  program: string;
  args: Arguments;
  steps: TraceStep[];
}

export interface RecordTraceOptions {
  /** Program to run (default: the task's root program). */
  readonly program?: string;
  readonly args?: Arguments;
  /** Record observations at every step (needed for training; default true). */
  readonly observations?: boolean;
  /** Teacher steps allowed before giving up (protects against a looping teacher; default 10 million). */
  readonly maxSteps?: number;
}

/**
 * Runs the task's teacher on `env` (which it changes) and returns the trace: every invocation with
 * its steps. Throws TEACHER_ERROR when a teacher breaks the rules (steps after its end step, no end
 * step, unknown programs, arguments out of range).
 */
export function recordTrace<Env>(task: Task<Env>, env: Env, options: RecordTraceOptions = {}): Trace {
  const withObservations = options.observations ?? true;
  const maxSteps = options.maxSteps ?? 10_000_000;
  let totalSteps = 0;
  const fail = (message: string): never => {
    throw new NpiError("TEACHER_ERROR", `task "${task.name}" teacher: ${message}`);
  };
  // A call that carries the end flag is a tail call: the caller can take no step after it, so its
  // callee runs after the caller's teacher has returned, in the same loop (a trampoline). A tail
  // recursive teacher (recursive addition's ADD calls ADD last) then records a 10,000-digit trace
  // without 10,000 nested JavaScript frames; what it records is the same as running the callee at once.
  const run = (programName: string, args: Arguments): Invocation => {
    const root: MutableInvocation = { program: programName, args, steps: [] };
    let next: { invocation: MutableInvocation } | undefined = { invocation: root };
    while (next !== undefined) {
      const invocation: MutableInvocation = next.invocation;
      next = undefined;
      const program = task.program(invocation.program);
      if (program.act) fail("ACT has no teacher; use act() to call it");
      let ended = false;
      const record = (call: Call | null, end: boolean): { invocation?: Invocation } => {
        if (ended) fail(`${invocation.program} takes a step after its end step`);
        totalSteps++;
        if (totalSteps > maxSteps) fail(`more than ${maxSteps} steps; is a teacher looping?`);
        const observation = withObservations ? task.observe(env) : undefined;
        ended = end;
        const step: { observation?: Float32Array; call: Call | null; end: boolean; invocation?: Invocation } = { call, end };
        if (observation !== undefined) step.observation = observation;
        invocation.steps.push(step);
        return step;
      };
      const context: TeacherContext<Env> = {
        env,
        call(name, callOptions = {}) {
          const callee = task.program(name);
          if (callee.act) fail(`${invocation.program} calls ACT through call(); use act(args)`);
          const callArgs = callee.takesArguments ? (callOptions.args ?? DEFAULT_ARGUMENTS) : DEFAULT_ARGUMENTS;
          if (!callee.takesArguments && callOptions.args !== undefined)
            fail(`${invocation.program} passes arguments to ${name}, which takes none`);
          assertArguments(callArgs, task.argumentSizes, `${invocation.program} -> ${name}`);
          const step = record({ program: name, args: callArgs }, callOptions.end === true);
          if (callOptions.end === true) {
            const tail: MutableInvocation = { program: name, args: callArgs, steps: [] };
            step.invocation = tail;
            next = { invocation: tail };
          } else {
            step.invocation = run(name, callArgs);
          }
        },
        act(actArgs, actOptions = {}) {
          assertArguments(actArgs, task.argumentSizes, `${invocation.program} -> ACT`);
          record({ program: task.actProgram.name, args: actArgs }, actOptions.end === true);
          task.act(env, actArgs);
        },
        stop() {
          record(null, true);
        },
      };
      program.teach!(context, invocation.args);
      if (!ended) fail(`${invocation.program} returned without an end step (use end: true on its last call, or stop())`);
    }
    return root;
  };
  const root = options.program ?? task.rootProgram;
  return run(root, options.args ?? DEFAULT_ARGUMENTS);
}

/** Visits every invocation of a trace, callers before callees, with its depth (root = 1). */
export function forEachInvocation(trace: Trace, visit: (invocation: Invocation, depth: number) => void): void {
  const stack: [Invocation, number][] = [[trace, 1]];
  while (stack.length > 0) {
    const [invocation, depth] = stack.pop()!;
    visit(invocation, depth);
    for (let i = invocation.steps.length - 1; i >= 0; i--) {
      const child = invocation.steps[i]!.invocation;
      if (child !== undefined) stack.push([child, depth + 1]);
    }
  }
}

/** Number of steps (LSTM steps for a model) over all invocations of a trace. */
export function countTraceSteps(trace: Trace): number {
  let total = 0;
  forEachInvocation(trace, (invocation) => {
    total += invocation.steps.length;
  });
  return total;
}

/** ACT's arguments in execution order: replaying them on a fresh environment redoes the run. */
export function traceActions(task: Task, trace: Trace): Arguments[] {
  const actions: Arguments[] = [];
  // An explicit stack of (invocation, next step): a recursive program's traces nest thousands deep.
  const stack: [Invocation, number][] = [[trace, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [invocation, at] = top;
    if (at >= invocation.steps.length) {
      stack.pop();
      continue;
    }
    top[1] = at + 1;
    const step = invocation.steps[at]!;
    if (step.call === null) continue;
    if (step.call.program === task.actProgram.name) actions.push(step.call.args);
    else if (step.invocation !== undefined) stack.push([step.invocation, 0]);
  }
  return actions;
}

/** The trace as indented lines, like the paper's Fig. 3b ("ADD1", "  ACT WRITE OUT 1", ...). */
export function formatTrace(task: Task, trace: Trace, options: { readonly maxLines?: number } = {}): string {
  const lines: string[] = [trace.program];
  const limit = options.maxLines ?? Number.POSITIVE_INFINITY;
  const stack: [Invocation, number][] = [[trace, 0]];
  while (stack.length > 0 && lines.length < limit) {
    const top = stack[stack.length - 1]!;
    const [invocation, at] = top;
    if (at >= invocation.steps.length) {
      stack.pop();
      continue;
    }
    top[1] = at + 1;
    const step = invocation.steps[at]!;
    const pad = "  ".repeat(stack.length);
    const endMark = step.end ? "  [end]" : "";
    if (step.call === null) lines.push(`${pad}(return)${endMark}`);
    else if (step.call.program === task.actProgram.name) {
      const text = task.describeAction?.(step.call.args) ?? step.call.args.join(" ");
      lines.push(`${pad}${task.actProgram.name} ${text}${endMark}`);
    } else {
      lines.push(`${pad}${step.call.program}${endMark}`);
      if (step.invocation !== undefined) stack.push([step.invocation, 0]);
    }
  }
  return lines.join("\n");
}

/** What `verifyTrace` found. */
export interface TraceVerdict {
  /** The trace is well formed, every action was legal and the final environment holds the answer. */
  readonly correct: boolean;
  /** Why not, when not correct. */
  readonly reason?: string;
  readonly actions: number;
}

/**
 * The verifier: executes a trace (the teacher's or a model's) on a fresh environment for `input`,
 * action by action, and checks the final answer. It also checks the trace's structure: known
 * programs, legal arguments, nothing after an end step, every program ending, every call completed.
 */
export function verifyTrace<Env, Input>(task: Task<Env, Input>, input: Input, trace: Trace): TraceVerdict {
  const env = task.createEnvironment(input);
  const programs = new Map(task.programs.map((p) => [p.name, p]));
  let actions = 0;
  // Depth-first with an explicit stack (a recursive program's traces nest thousands deep): each frame
  // is an invocation, its path for messages and the next step to check.
  const check = (root: Invocation): string | undefined => {
    const rootProgram = programs.get(root.program);
    if (rootProgram === undefined || rootProgram.act) return `${root.program}: "${root.program}" is not a program of ${task.name}`;
    const stack: { invocation: Invocation; path: string; at: number }[] = [{ invocation: root, path: root.program, at: 0 }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const { invocation, path } = frame;
      if (frame.at >= invocation.steps.length) {
        const last = invocation.steps[invocation.steps.length - 1];
        if (last === undefined || !last.end) return `${path}: never ended`;
        stack.pop();
        continue;
      }
      const i = frame.at++;
      const step = invocation.steps[i]!;
      const where = `${path} step ${i + 1}`;
      if (step.end && i !== invocation.steps.length - 1) return `${where}: steps after the end step`;
      if (step.call === null) continue;
      const callee = programs.get(step.call.program);
      if (callee === undefined) return `${where}: calls unknown program "${step.call.program}"`;
      if (callee.act) {
        if (!argumentsInRange(step.call.args, task.argumentSizes))
          return `${where}: ACT arguments ${step.call.args.join(",")} out of range`;
        task.act(env, step.call.args);
        actions++;
        continue;
      }
      if (step.invocation === undefined) return `${where}: call to ${callee.name} never ran`;
      if (step.invocation.program !== callee.name) return `${where}: calls ${callee.name} but its invocation is ${step.invocation.program}`;
      // Paths name the callers; past a few hundred levels only the depth is worth printing.
      const childPath =
        stack.length < 200 ? `${path} > ${callee.name}` : `${root.program} > ... (depth ${stack.length + 1}) > ${callee.name}`;
      stack.push({ invocation: step.invocation, path: childPath, at: 0 });
    }
    return undefined;
  };
  const problem = check(trace);
  if (problem !== undefined) return { correct: false, reason: problem, actions };
  if (!task.isSolved(input, env)) return { correct: false, reason: "wrong final answer", actions };
  return { correct: true, actions };
}
