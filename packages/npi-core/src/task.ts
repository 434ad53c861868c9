import type { Rng } from "@dcnpi/tensor";
import { ARGUMENT_SLOTS, type Arguments } from "./arguments.js";
import type { EncoderSpec } from "./encoder-spec.js";
import { NpiError } from "./errors.js";

/**
 * What a teacher program may do at each of its steps. Every call records one step of the calling
 * program (the observation the model would see, then the call and the end flag) and, for a
 * non-ACT callee, runs the callee's teacher as a nested invocation.
 *
 * The end flag belongs to the step that may also call (footnote 1 of the paper): `end: true` on a
 * call means "this is my last step; I return as soon as this call has returned". `stop()` is a last
 * step that calls nothing.
 */
export interface TeacherContext<Env> {
  readonly env: Env;
  /** Calls a non-ACT program (with default arguments unless it takes arguments). */
  call(program: string, options?: { readonly args?: Arguments; readonly end?: boolean }): void;
  /** Calls ACT: the environment changes, no invocation is created. */
  act(args: Arguments, options?: { readonly end?: boolean }): void;
  /** A last step that calls nothing (end flag set). */
  stop(): void;
}

/** One entry of a task's program table. */
export interface ProgramDefinition<Env> {
  /** Unique within the task, e.g. "ADD1". */
  readonly name: string;
  /** The primitive (ACT): acts on the environment, never calls, never runs the LSTM. Exactly one per task. */
  readonly act?: boolean;
  /** Whether callers pass arguments; default true for ACT, false otherwise. */
  readonly takesArguments?: boolean;
  /** The teacher: how the program runs, written against the environment (required unless `act`). */
  readonly teach?: (teacher: TeacherContext<Env>, args: Arguments) => void;
  /** One line for documentation and logs. */
  readonly description?: string;
}

/**
 * Everything that makes a task: an environment, its observation and its ACT, the program table with
 * a teacher per program, the encoder, and how to draw and check problems. Pass it to `defineTask`.
 */
export interface TaskDefinition<Env, Input> {
  /** e.g. "addition". */
  readonly name: string;
  /**
   * The environment's name: tasks on the same environment share an encoder and program-memory
   * namespace. Default: the task name.
   */
  readonly environment?: string;
  readonly programs: readonly ProgramDefinition<Env>[];
  /** The program a problem starts with, e.g. "ADD". */
  readonly rootProgram: string;
  /** Shape of one observation as `observe` returns it (row-major). */
  readonly observationShape: readonly number[];
  /** How many values each ACT argument slot takes in this task (each at most the model's `argumentDepth`). */
  readonly argumentSizes: Arguments;
  readonly encoder: EncoderSpec;
  /** A fresh environment holding a problem. */
  createEnvironment(input: Input): Env;
  /** What the encoder sees now: a new array of `observationShape` elements. */
  observe(env: Env): Float32Array;
  /** ACT with `args` (already checked against `argumentSizes`). */
  act(env: Env, args: Arguments): void;
  /** Whether the environment holds the right answer to `input`. */
  isSolved(input: Input, env: Env): boolean;
  /** A random problem of the given size (digits, array length, ...). */
  randomInput(rng: Rng, size: number): Input;
  /** Optional: text for a problem (reports, errors). */
  formatInput?(input: Input): string;
  /** Optional: text for ACT's arguments in logs, e.g. "MOVE OUT LEFT". */
  describeAction?(args: Arguments): string;
  /** Optional: a copy of whatever a viewer needs to draw the environment (execution logs). */
  snapshot?(env: Env): unknown;
  /**
   * Optional, recursive tasks: every context a call can meet on any input, as (program, environment)
   * cases (Cai, Shin & Song, ICLR 2017, §5). `verifyContexts` checks a model on all of them; passing
   * proves it correct at every size, provided the list is complete (the task argues and tests that).
   */
  verificationSet?(): Iterable<VerificationCase<Env>>;
}

/** One context of a verification set: a program called on an environment (which the check changes). */
export interface VerificationCase<Env> {
  readonly program: string;
  readonly args?: Arguments;
  readonly env: Env;
  /** What the case is, for failure reports (e.g. "ADD 9+9 carry, next 1+blank"). */
  readonly label: string;
}

export interface TaskProgram<Env> extends ProgramDefinition<Env> {
  readonly act: boolean;
  readonly takesArguments: boolean;
  /** Its row name in a model's program memory: "ACT" for the primitive, "<environment>/<name>" otherwise. */
  readonly memoryName: string;
}

/** A checked task definition with lookups; made by `defineTask`. */
export interface Task<Env = any, Input = any> extends TaskDefinition<Env, Input> {
  readonly environment: string;
  readonly programs: readonly TaskProgram<Env>[];
  readonly actProgram: TaskProgram<Env>;
  /** Number of elements of one observation. */
  readonly observationSize: number;
  program(name: string): TaskProgram<Env>;
  /** The program whose memory row is `memoryName`, if this task has it. */
  programByMemoryName(memoryName: string): TaskProgram<Env> | undefined;
}

/** Name of the shared primitive's row in program memory (one ACT for all environments, as in the paper). */
export const ACT_MEMORY_NAME = "ACT";

const namePattern = /^[A-Za-z][A-Za-z0-9_]*$/;
const environmentPattern = /^[a-z][a-z0-9-]*$/;

/**
 * Checks a task definition (names, one ACT, a teacher for every other program, shapes) and returns
 * the task with lookups. Throws NpiError INVALID_TASK naming the offending field.
 */
export function defineTask<Env, Input>(definition: TaskDefinition<Env, Input>): Task<Env, Input> {
  const fail = (message: string): never => {
    throw new NpiError("INVALID_TASK", `task "${definition.name}": ${message}`);
  };
  if (typeof definition.name !== "string" || definition.name.length === 0) fail("name must be a non-empty string");
  const environment = definition.environment ?? definition.name;
  if (!environmentPattern.test(environment)) fail(`environment "${environment}" must be lower-case letters, digits and "-"`);
  if (!Array.isArray(definition.programs) || definition.programs.length < 2) fail("needs ACT and at least one other program");
  const seen = new Set<string>();
  const programs: TaskProgram<Env>[] = [];
  for (const program of definition.programs) {
    if (!namePattern.test(program.name)) fail(`program name "${program.name}" must be a letter then letters, digits or "_"`);
    if (seen.has(program.name)) fail(`program "${program.name}" is listed twice`);
    seen.add(program.name);
    const act = program.act === true;
    if (!act && typeof program.teach !== "function") fail(`program "${program.name}" has no teacher (teach)`);
    if (act && program.teach !== undefined) fail(`ACT program "${program.name}" cannot have a teacher: it never runs steps`);
    programs.push(
      Object.freeze({
        ...program,
        act,
        takesArguments: program.takesArguments ?? act,
        memoryName: act ? ACT_MEMORY_NAME : `${environment}/${program.name}`,
      }),
    );
  }
  const acts = programs.filter((p) => p.act);
  if (acts.length !== 1) fail(`needs exactly one ACT program (act: true), found ${acts.length}`);
  const byName = new Map(programs.map((p) => [p.name, p]));
  const byMemoryName = new Map(programs.map((p) => [p.memoryName, p]));
  const root = byName.get(definition.rootProgram);
  if (root === undefined) fail(`root program "${definition.rootProgram}" is not in the program table`);
  if (root!.act) fail("the root program cannot be ACT");
  const shape = definition.observationShape;
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    fail(`observationShape must be positive integers, got ${JSON.stringify(shape)}`);
  }
  const sizes = definition.argumentSizes;
  if (!Array.isArray(sizes) || sizes.length !== ARGUMENT_SLOTS || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
    fail(`argumentSizes must be three positive integers, got ${JSON.stringify(sizes)}`);
  }
  for (const method of ["createEnvironment", "observe", "act", "isSolved", "randomInput"] as const) {
    if (typeof definition[method] !== "function") fail(`${method} must be a function`);
  }
  const spec = definition.encoder;
  if (spec === undefined || (spec.kind !== "mlp" && spec.kind !== "custom"))
    fail('encoder must be { kind: "mlp", hiddenSizes } or { kind: "custom", create }');
  if (spec.kind === "mlp" && (!Array.isArray(spec.hiddenSizes) || spec.hiddenSizes.some((n) => !Number.isInteger(n) || n <= 0))) {
    fail("encoder.hiddenSizes must be positive integers");
  }
  const observationSize = shape.reduce((a, b) => a * b, 1);
  return Object.freeze({
    ...definition,
    environment,
    programs: Object.freeze(programs),
    actProgram: acts[0]!,
    observationSize,
    program(name: string): TaskProgram<Env> {
      const found = byName.get(name);
      if (found === undefined) {
        throw new NpiError("UNKNOWN_PROGRAM", `task "${definition.name}": no program "${name}" (has ${[...byName.keys()].join(", ")})`);
      }
      return found;
    },
    programByMemoryName(memoryName: string) {
      return byMemoryName.get(memoryName);
    },
  });
}
