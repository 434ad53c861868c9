import type { Arguments } from "./arguments.js";
import { NpiError } from "./errors.js";
import { ObservationPool } from "./observation-pool.js";
import type { Task } from "./task.js";
import { forEachInvocation, recordTrace, type Trace } from "./trace.js";

/** The part of a model the dataset needs: program-memory rows by name. */
export interface ProgramTable {
  programIndex(memoryName: string): number | undefined;
  programName(index: number): string;
}

/**
 * One training sequence: a single program invocation, cut out of a trace. Because every call starts
 * from a zero LSTM state, each invocation is an independent sequence (the paper's §3.2); identical
 * invocations are stored once with a `count`.
 */
export interface InvocationSample {
  readonly environment: string;
  /** Program-memory row of the invocation's program. */
  readonly program: number;
  readonly args: Arguments;
  /** Number of steps. */
  readonly length: number;
  /** Per step: index of the observation in the environment's pool. */
  readonly observations: Int32Array;
  /** Per step: the end flag (target of f_end). */
  readonly ends: Uint8Array;
  /** Per step: memory row of the called program, or -1 for "call nothing" (target of the key scores). */
  readonly calls: Int32Array;
  /** Per step × 3: the call's arguments (target of the argument heads). */
  readonly callArgs: Int32Array;
  /** Per step: 1 when the called program takes arguments (only then the argument loss counts). */
  readonly argumentMask: Uint8Array;
  /** How many times this exact invocation occurs in the traces added. */
  count: number;
}

export interface DatasetStats {
  readonly traces: number;
  /** Invocations counted with multiplicity. */
  readonly invocations: number;
  readonly uniqueInvocations: number;
  /** Steps counted with multiplicity. */
  readonly steps: number;
  readonly observations: number;
  readonly perProgram: readonly {
    readonly program: string;
    readonly invocations: number;
    readonly unique: number;
    readonly maxLength: number;
  }[];
}

/** Training sequences from teacher traces, grouped by program, with pooled observations. */
export class InvocationDataset {
  readonly #table: ProgramTable;
  readonly #pools = new Map<string, ObservationPool>();
  readonly #byKey = new Map<string, InvocationSample>();
  readonly #byProgram = new Map<number, InvocationSample[]>();
  #traces = 0;

  constructor(table: ProgramTable) {
    this.#table = table;
  }

  /**
   * Records the teacher's trace of every input and adds its invocations; each name in
   * `extraPrograms` is also recorded as its own trace on the environment the root trace left (a
   * program the root never calls, such as addition's RSHIFT, still gets examples).
   */
  addTeacherTraces<Input>(task: Task<any, Input>, inputs: readonly Input[], extraPrograms: readonly string[] = []): this {
    for (const input of inputs) {
      const env = task.createEnvironment(input);
      this.addTrace(task, recordTrace(task, env));
      for (const program of extraPrograms) this.addTrace(task, recordTrace(task, env, { program }));
    }
    return this;
  }

  /** Adds every invocation of a teacher trace (recorded with observations) of `task`. */
  addTrace(task: Task, trace: Trace): void {
    let pool = this.#pools.get(task.environment);
    if (pool === undefined) {
      pool = new ObservationPool(task.observationSize);
      this.#pools.set(task.environment, pool);
    } else if (pool.size !== task.observationSize) {
      throw new NpiError(
        "INVALID_DATASET",
        `dataset: environment "${task.environment}" has observations of ${pool.size} elements, task ${task.name} has ${task.observationSize}`,
      );
    }
    const row = (name: string): number => {
      const program = task.program(name);
      const index = this.#table.programIndex(program.memoryName);
      if (index === undefined) throw new NpiError("UNKNOWN_PROGRAM", `dataset: the model has no program "${program.memoryName}"`);
      return index;
    };
    forEachInvocation(trace, (invocation) => {
      const length = invocation.steps.length;
      const observations = new Int32Array(length);
      const ends = new Uint8Array(length);
      const calls = new Int32Array(length);
      const callArgs = new Int32Array(length * 3);
      const argumentMask = new Uint8Array(length);
      invocation.steps.forEach((step, t) => {
        if (step.observation === undefined)
          throw new NpiError("INVALID_DATASET", `dataset: trace of ${task.name} was recorded without observations`);
        observations[t] = pool.add(step.observation);
        ends[t] = step.end ? 1 : 0;
        if (step.call === null) {
          calls[t] = -1;
        } else {
          calls[t] = row(step.call.program);
          callArgs.set(step.call.args, t * 3);
          argumentMask[t] = task.program(step.call.program).takesArguments ? 1 : 0;
        }
      });
      const program = row(invocation.program);
      const key =
        `${task.environment}|${program}|${invocation.args.join(",")}|` +
        `${observations.join(",")}|${ends.join("")}|${calls.join(",")}|${callArgs.join(",")}`;
      const existing = this.#byKey.get(key);
      if (existing !== undefined) {
        existing.count++;
        return;
      }
      const sample: InvocationSample = {
        environment: task.environment,
        program,
        args: invocation.args,
        length,
        observations,
        ends,
        calls,
        callArgs,
        argumentMask,
        count: 1,
      };
      this.#byKey.set(key, sample);
      let list = this.#byProgram.get(program);
      if (list === undefined) this.#byProgram.set(program, (list = []));
      list.push(sample);
    });
    this.#traces++;
  }

  /** Memory rows that have training sequences, ascending. */
  programs(): number[] {
    return [...this.#byProgram.keys()].sort((a, b) => a - b);
  }

  samplesOf(program: number): readonly InvocationSample[] {
    return this.#byProgram.get(program) ?? [];
  }

  pool(environment: string): ObservationPool {
    const pool = this.#pools.get(environment);
    if (pool === undefined) throw new NpiError("INVALID_DATASET", `dataset: no observations of environment "${environment}"`);
    return pool;
  }

  stats(): DatasetStats {
    let invocations = 0;
    let steps = 0;
    let observations = 0;
    for (const pool of this.#pools.values()) observations += pool.count;
    const perProgram = this.programs().map((program) => {
      const samples = this.samplesOf(program);
      let count = 0;
      let maxLength = 0;
      for (const s of samples) {
        count += s.count;
        steps += s.count * s.length;
        maxLength = Math.max(maxLength, s.length);
      }
      invocations += count;
      return { program: this.#table.programName(program), invocations: count, unique: samples.length, maxLength };
    });
    return { traces: this.#traces, invocations, uniqueInvocations: this.#byKey.size, steps, observations, perProgram };
  }
}
