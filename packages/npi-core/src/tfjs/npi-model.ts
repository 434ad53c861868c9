import * as tf from "@tensorflow/tfjs-core";
import { Rng, WeightMap, tensor as hostTensor, type Seed, type WeightInfo } from "@dcnpi/tensor";
import { ARGUMENT_SLOTS, type Arguments } from "../arguments.js";
import type { Encoder, EncoderContext, ParameterInit } from "../encoder-spec.js";
import { NpiError } from "../errors.js";
import type { StepDecision, StepRequest, NpiStepModel } from "../run-loop.js";
import type { Task } from "../task.js";
import { initialValues } from "./initializers.js";
import { createMlpEncoder } from "./mlp-encoder.js";
import { linear, lstmSequence, lstmSequenceForward, lstmStepHost, type LstmHostState } from "./ops.js";

/**
 * Sizes of the model. The paper fixes only the core ("two layers of size 256", §4); everything else
 * is ours (see DEFAULT_MODEL_CONFIG).
 */
export interface NpiModelConfig {
  /** D: width of the state `s` every encoder produces. */
  readonly stateSize: number;
  /** P: width of a program embedding (a row of M_prog). */
  readonly programEmbeddingSize: number;
  /** K: width of a program key (a row of M_key). */
  readonly programKeySize: number;
  /** Hidden width of the fusion MLP (concat(s, p) → ReLU → linear). */
  readonly fusionHiddenSize: number;
  readonly lstmSize: number;
  readonly lstmLayers: number;
  /** Values per argument slot (each argument head is a softmax of this width). */
  readonly argumentDepth: number;
  /**
   * Scale of the LSTM input kernels' initial values relative to LeCun-uniform (ours: 4). A first step
   * from a zero state multiplies its input by about σ(i)·σ(o) ≈ 1/4; at gain 1 the observation's
   * influence on the decoders shrank ~50-fold through the two layers and training collapsed to
   * observation-independent outputs (the digit a program writes could not be learned).
   */
  readonly lstmInputGain: number;
  /**
   * What the encoders are given of the three arguments (eq. 9-10): `one-hot` (3 × argumentDepth
   * values), or `none` (zeros). `none` is what every model trained on the wasm backend before
   * 2026-12-06 saw: stock tfjs-backend-wasm 4.22's float32 OneHot writes int32 bits (1 → 1.4e-45), so
   * its arguments never reached the encoder; such models are read as `none` (a description without
   * this field) and run as they were trained. New models default to `one-hot`, built with Equal and
   * Cast, which every backend computes right.
   */
  readonly argumentEncoding?: ArgumentEncoding;
}

/** See `NpiModelConfig.argumentEncoding`. */
export type ArgumentEncoding = "one-hot" | "none";

/** Ours except the core: LSTM 2×256 is the paper's (§4). */
export const DEFAULT_MODEL_CONFIG: Required<NpiModelConfig> = Object.freeze({
  stateSize: 128,
  programEmbeddingSize: 64,
  programKeySize: 32,
  fusionHiddenSize: 256,
  lstmSize: 256,
  lstmLayers: 2,
  argumentDepth: 10,
  lstmInputGain: 4,
  argumentEncoding: "one-hot",
});

/** Parameters come in groups a trainer can freeze or train separately. */
export type ParameterGroup = "encoder" | "fusion" | "core" | "decoder" | "memory";

/** One trainable tensor of the model. Program-memory rows are separate parameters (one per program). */
export interface ModelParameter {
  /** Unique; memory rows are `memory/programKeys/<program>` and `memory/programEmbeddings/<program>`. */
  readonly name: string;
  readonly variable: tf.Variable;
  readonly group: ParameterGroup;
  readonly info: WeightInfo;
  /** For encoder parameters: the environment. */
  readonly environment?: string;
  /** For memory rows: the program's memory name. */
  readonly program?: string;
}

/**
 * Which parameters train. Omitted: all. Otherwise the union of the groups, encoders, program rows and
 * names listed: e.g. `{ programs: ["sorting/MAX", "sorting/RJMP"] }` trains only those two memory rows.
 */
export interface TrainableSelection {
  readonly groups?: readonly ParameterGroup[];
  readonly encoders?: readonly string[];
  /** Memory rows (key and embedding) of these programs, by memory name. */
  readonly programs?: readonly string[];
  readonly names?: readonly string[];
}

/** What a model is made of, without its values: enough to check a checkpoint fits. */
export interface NpiModelDescription {
  /** Every field set (`argumentEncoding` too). */
  readonly config: Required<NpiModelConfig>;
  readonly programs: readonly string[];
  readonly encoders: readonly { readonly environment: string; readonly observationShape: readonly number[] }[];
}

/** Training sequences of equal length, time-major (row `t·size + b`), rows grouped by environment. */
export interface SequenceBatch {
  readonly steps: number;
  readonly size: number;
  /** Batch rows `[start, start + count)` use `environment`; `observations` is `[steps, count, observationSize]`. */
  readonly groups: readonly {
    readonly environment: string;
    readonly start: number;
    readonly count: number;
    readonly observations: Float32Array;
  }[];
  /** Per row: memory row of the invocation's program. */
  readonly programs: Int32Array;
  /** Per row × 3: the invocation's arguments. */
  readonly args: Int32Array;
  /** Per step-row: end target. */
  readonly ends: Float32Array;
  /** Per step-row: memory row called, -1 for nothing. */
  readonly calls: Int32Array;
  /** Per step-row × 3. */
  readonly callArgs: Int32Array;
  /** Per step-row: 1 where the argument loss counts. */
  readonly argumentMask: Float32Array;
  /** Per step-row: 1 for real steps, 0 for padding. */
  readonly stepMask: Float32Array;
}

/** Loss terms of a batch (mean per real step) and which steps the model gets wrong. */
export interface BatchEvaluation {
  readonly loss: number;
  readonly endLoss: number;
  readonly programLoss: number;
  readonly argumentLoss: number;
  /** Per step-row: 1 when any decision (end, program, arguments where they count) is wrong. */
  readonly stepErrors: Uint8Array;
}

export interface CreateNpiModelOptions {
  /** Tasks whose encoders and programs the model holds (more can be added with `addTask`). */
  readonly tasks: readonly Task[];
  readonly config?: Partial<NpiModelConfig>;
  /** Seed of the initial weights. */
  readonly seed: Seed;
}

interface EncoderEntry {
  readonly environment: string;
  readonly observationShape: readonly number[];
  readonly encoder: Encoder;
}

interface DenseLayer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

function checkConfig(config: NpiModelConfig): void {
  for (const [key, value] of Object.entries(config)) {
    if (key === "argumentEncoding") {
      if (value !== "one-hot" && value !== "none")
        throw new NpiError("INVALID_CONFIG", `model config: argumentEncoding must be "one-hot" or "none", got ${String(value)}`);
    } else if (key === "lstmInputGain") {
      if (!(typeof value === "number" && value > 0 && Number.isFinite(value)))
        throw new NpiError("INVALID_CONFIG", `model config: lstmInputGain must be a positive number, got ${value}`);
    } else if (!Number.isInteger(value) || (value as number) < 1) {
      throw new NpiError("INVALID_CONFIG", `model config: ${key} must be a positive integer, got ${value}`);
    }
  }
}

/**
 * The Neural Programmer-Interpreter (paper §3): per-environment encoders, a fusion MLP joining the
 * state with the program embedding, an LSTM core, decoders for the end probability, the program key
 * and three arguments, and a key-value program memory. Implements `NpiStepModel` for the RUN loop.
 */
export class NpiModel implements NpiStepModel {
  readonly config: Required<NpiModelConfig>;
  readonly #rng: Rng;
  readonly #parameters: ModelParameter[] = [];
  readonly #encoders = new Map<string, EncoderEntry>();
  readonly #programs: string[] = [];
  readonly #programRows = new Map<string, number>();
  readonly #keyRows: tf.Variable[] = [];
  readonly #embeddingRows: tf.Variable[] = [];
  #fusion!: { hidden: DenseLayer; output: DenseLayer };
  #lstm!: { kernel: tf.Variable; recurrentKernel: tf.Variable; bias: tf.Variable }[];
  #decoders!: { end: DenseLayer; key: DenseLayer; args: DenseLayer[] };
  #noCallKey!: tf.Variable;
  #disposed = false;

  constructor(options: CreateNpiModelOptions) {
    const config = { ...DEFAULT_MODEL_CONFIG, ...options.config };
    this.config = Object.freeze({ ...config, argumentEncoding: config.argumentEncoding ?? DEFAULT_MODEL_CONFIG.argumentEncoding });
    checkConfig(this.config);
    this.#rng = Rng.fromSeed(options.seed).fork("npi-model");
    if (options.tasks.length === 0) throw new NpiError("INVALID_CONFIG", "model: needs at least one task");
    // Declaration order is the weight-map order: encoders, fusion, core, decoders, memory.
    for (const task of options.tasks) this.#addEncoderFor(task);
    this.#buildShared();
    // Tasks share one ACT row (and programs of one environment), so a name already in memory is skipped.
    for (const task of options.tasks)
      for (const program of task.programs) if (!this.#programRows.has(program.memoryName)) this.addProgram(program.memoryName);
  }

  /** Adds the task's encoder (if its environment is new) and its programs' memory rows (if new). */
  addTask(task: Task): void {
    this.#addEncoderFor(task);
    for (const program of task.programs) if (!this.#programRows.has(program.memoryName)) this.addProgram(program.memoryName);
  }

  /** Adds a row to the program memory: a key and an embedding (adding a program = adding a row, §3.1). */
  addProgram(memoryName: string, init: { readonly key?: ParameterInit; readonly embedding?: ParameterInit } = {}): number {
    if (this.#programRows.has(memoryName)) throw new NpiError("INVALID_CONFIG", `model: program "${memoryName}" is already in memory`);
    const row = this.#programs.length;
    const key = this.#createParameter(
      `memory/programKeys/${memoryName}`,
      [1, this.config.programKeySize],
      init.key ?? { normal: 1 / Math.sqrt(this.config.programKeySize) },
      "memory",
      { layer: "memory", layerClass: "ProgramMemory", role: "keys" },
      { program: memoryName },
    );
    const embedding = this.#createParameter(
      `memory/programEmbeddings/${memoryName}`,
      [1, this.config.programEmbeddingSize],
      init.embedding ?? { normal: 0.5 },
      "memory",
      { layer: "memory", layerClass: "ProgramMemory", role: "embeddings" },
      { program: memoryName },
    );
    this.#programs.push(memoryName);
    this.#programRows.set(memoryName, row);
    this.#keyRows.push(key);
    this.#embeddingRows.push(embedding);
    return row;
  }

  programIndex(memoryName: string): number | undefined {
    return this.#programRows.get(memoryName);
  }

  programName(index: number): string {
    const name = this.#programs[index];
    if (name === undefined) throw new NpiError("UNKNOWN_PROGRAM", `model: no program-memory row ${index} (has ${this.#programs.length})`);
    return name;
  }

  /** Program-memory row names in row order. */
  programNames(): string[] {
    return [...this.#programs];
  }

  describe(): NpiModelDescription {
    return {
      config: this.config,
      programs: this.programNames(),
      encoders: [...this.#encoders.values()].map((e) => ({ environment: e.environment, observationShape: [...e.observationShape] })),
    };
  }

  /**
   * Every trainable parameter in declaration order, optionally only those a selection names. Memory
   * rows come one per program here; `weights()` shows them as two tables.
   */
  parameters(selection?: TrainableSelection): ModelParameter[] {
    this.#assertAlive();
    if (selection === undefined) return [...this.#parameters];
    const groups = new Set(selection.groups ?? []);
    const encoders = new Set(selection.encoders ?? []);
    const programs = new Set(selection.programs ?? []);
    const names = new Set(selection.names ?? []);
    for (const program of programs)
      if (!this.#programRows.has(program)) throw new NpiError("UNKNOWN_PROGRAM", `trainable selection: no program "${program}" in memory`);
    for (const env of encoders)
      if (!this.#encoders.has(env)) throw new NpiError("INVALID_CONFIG", `trainable selection: no encoder "${env}"`);
    const known = new Set(this.#parameters.map((p) => p.name));
    for (const name of names) if (!known.has(name)) throw new NpiError("INVALID_CONFIG", `trainable selection: no parameter "${name}"`);
    return this.#parameters.filter(
      (p) =>
        groups.has(p.group) ||
        (p.environment !== undefined && encoders.has(p.environment)) ||
        (p.program !== undefined && programs.has(p.program)) ||
        names.has(p.name),
    );
  }

  /**
   * All weights as a named, ordered host copy: encoders, fusion, core, decoders, then the program
   * memory as `memory/programKeys` [N, K], `memory/programEmbeddings` [N, P] and `memory/noCallKey` [1, K].
   */
  weights(): WeightMap {
    this.#assertAlive();
    const map = new WeightMap();
    for (const p of this.#parameters) {
      if (p.group === "memory") continue;
      map.add(p.name, hostTensor([...p.variable.shape], Float32Array.from(p.variable.dataSync() as Float32Array), p.name), p.info);
    }
    const table = (rows: tf.Variable[], width: number) => {
      const data = new Float32Array(rows.length * width);
      rows.forEach((row, i) => data.set(row.dataSync() as Float32Array, i * width));
      return hostTensor([rows.length, width], data);
    };
    map.add("memory/programKeys", table(this.#keyRows, this.config.programKeySize), {
      layer: "memory",
      layerClass: "ProgramMemory",
      role: "keys",
    });
    map.add("memory/programEmbeddings", table(this.#embeddingRows, this.config.programEmbeddingSize), {
      layer: "memory",
      layerClass: "ProgramMemory",
      role: "embeddings",
    });
    map.add(
      "memory/noCallKey",
      hostTensor([1, this.config.programKeySize], Float32Array.from(this.#noCallKey.dataSync() as Float32Array)),
      { layer: "memory", layerClass: "ProgramMemory", role: "no_call_key" },
    );
    return map;
  }

  /**
   * Writes weights back (names and shapes as `weights()` gives them). With `complete`, every weight
   * must be present. Throws INVALID_WEIGHTS naming the first bad entry; nothing is written then.
   */
  setWeights(weights: WeightMap, options: { readonly complete?: boolean } = {}): void {
    this.#assertAlive();
    const expected = this.weights();
    for (const { name, tensor } of weights) {
      if (!expected.has(name)) throw new NpiError("INVALID_WEIGHTS", `setWeights: the model has no weight "${name}"`);
      const shape = expected.get(name).shape;
      if (shape.length !== tensor.shape.length || shape.some((d, i) => d !== tensor.shape[i])) {
        throw new NpiError(
          "INVALID_WEIGHTS",
          `setWeights: "${name}" is [${shape.join(",")}] in the model, [${tensor.shape.join(",")}] given`,
        );
      }
      if (tensor.dtype !== "float32") throw new NpiError("INVALID_WEIGHTS", `setWeights: "${name}" must be float32, got ${tensor.dtype}`);
    }
    if (options.complete === true) {
      for (const name of expected.names())
        if (!weights.has(name)) throw new NpiError("INVALID_WEIGHTS", `setWeights: missing weight "${name}"`);
    }
    const byName = new Map(this.#parameters.map((p) => [p.name, p.variable]));
    for (const { name, tensor } of weights) {
      const data = tensor.data as Float32Array;
      if (name === "memory/programKeys" || name === "memory/programEmbeddings") {
        const rows = name === "memory/programKeys" ? this.#keyRows : this.#embeddingRows;
        const width = tensor.shape[1]!;
        rows.forEach((row, i) => tf.tidy(() => row.assign(tf.tensor2d(data.slice(i * width, (i + 1) * width), [1, width]))));
      } else if (name === "memory/noCallKey") {
        tf.tidy(() => this.#noCallKey.assign(tf.tensor2d(Float32Array.from(data), [1, this.config.programKeySize])));
      } else {
        const variable = byName.get(name)!;
        tf.tidy(() => variable.assign(tf.tensor(Float32Array.from(data), [...tensor.shape])));
      }
    }
  }

  /** One batched RUN step (see `NpiStepModel`); states are host arrays per LSTM layer. */
  step(requests: readonly StepRequest[]): StepDecision[] {
    this.#assertAlive();
    const n = requests.length;
    if (n === 0) return [];
    const { lstmSize: units, argumentDepth: depth } = this.config;
    // Rows grouped by environment (stable), so each encoder sees one contiguous block.
    const order = [...requests.keys()].sort((a, b) =>
      requests[a]!.environment < requests[b]!.environment ? -1 : requests[a]!.environment > requests[b]!.environment ? 1 : a - b,
    );
    const sorted = order.map((i) => requests[i]!);
    const groups: { environment: string; start: number; count: number }[] = [];
    for (let i = 0; i < n; i++) {
      const env = sorted[i]!.environment;
      const last = groups[groups.length - 1];
      if (last !== undefined && last.environment === env) last.count++;
      else groups.push({ environment: env, start: i, count: 1 });
    }
    const programs = Int32Array.from(sorted, (r) => r.program);
    const args = new Int32Array(n * 3);
    sorted.forEach((r, i) => args.set(r.args, i * 3));
    const states = sorted.map((r) => r.state as LstmHostState[] | undefined);

    let result!: { end: Float32Array; scores: Float32Array; argLogits: Float32Array[]; newStates: LstmHostState[][] };
    tf.tidy(() => {
      const encoded = groups.map((g) => {
        const entry = this.#encoder(g.environment);
        const size = entry.observationShape.reduce((a, b) => a * b, 1);
        const data = new Float32Array(g.count * size);
        for (let k = 0; k < g.count; k++) {
          const obs = sorted[g.start + k]!.observation;
          if (obs.length !== size)
            throw new NpiError("INVALID_OPTIONS", `step: observation for "${g.environment}" has ${obs.length} elements, expected ${size}`);
          data.set(obs, k * size);
        }
        const observations = tf.tensor(data, [g.count, ...entry.observationShape]);
        return entry.encoder.encode(observations, tf.tensor2d(args.subarray(g.start * 3, (g.start + g.count) * 3), [g.count, 3], "int32"));
      });
      const s = encoded.length === 1 ? encoded[0]! : (tf.concat(encoded, 0) as tf.Tensor2D);
      let x = this.#fuse(s, programs);
      const newStates: LstmHostState[][] = sorted.map(() => []);
      this.#lstm.forEach((layer, l) => {
        const xp = (linear(x, layer.kernel, layer.bias).dataSync() as Float32Array).slice();
        // Rows whose frame has no state yet start from zeros.
        const h = new Float32Array(n * units);
        const c = new Float32Array(n * units);
        let anyState = false;
        states.forEach((st, i) => {
          if (st !== undefined) {
            h.set(st[l]!.h, i * units);
            c.set(st[l]!.c, i * units);
            anyState = true;
          }
        });
        const next = lstmStepHost(xp, layer.recurrentKernel as tf.Tensor2D, anyState ? { h, c } : null, n, units);
        for (let i = 0; i < n; i++)
          newStates[i]!.push({ h: next.h.slice(i * units, (i + 1) * units), c: next.c.slice(i * units, (i + 1) * units) });
        x = tf.tensor2d(next.h, [n, units]);
      });
      const heads = this.#decode(x);
      result = {
        end: heads.endLogits.dataSync() as Float32Array,
        scores: heads.scores.dataSync() as Float32Array,
        argLogits: heads.argLogits.map((a) => a.dataSync() as Float32Array),
        newStates,
      };
    });

    const programCount = this.#programs.length;
    const decisions: StepDecision[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const best = argmax(result.scores, i * (programCount + 1), programCount + 1);
      const chosen: number[] = [];
      for (let slot = 0; slot < ARGUMENT_SLOTS; slot++) chosen.push(argmax(result.argLogits[slot]!, i * depth, depth));
      decisions[order[i]!] = {
        endProbability: 1 / (1 + Math.exp(-result.end[i]!)),
        call: best === 0 ? null : best - 1,
        args: chosen as unknown as Arguments,
        state: result.newStates[i],
      };
    }
    return decisions;
  }

  /**
   * Mean training loss of a batch (end + program + argument terms, equal weights as in eq. 8), for
   * use inside `tf.variableGrads`. The returned parts are kept tensors the caller disposes.
   */
  trainingLoss(batch: SequenceBatch): { total: tf.Scalar; end: tf.Scalar; program: tf.Scalar; argument: tf.Scalar } {
    this.#assertAlive();
    const heads = this.#forward(batch, true);
    return this.#losses(batch, heads);
  }

  /** Teacher-forced loss and per-step errors, without gradients. */
  evaluateBatch(batch: SequenceBatch): BatchEvaluation {
    this.#assertAlive();
    let evaluation!: BatchEvaluation;
    tf.tidy(() => {
      const heads = this.#forward(batch, false);
      const losses = this.#losses(batch, heads);
      const end = heads.endLogits.dataSync() as Float32Array;
      const scores = heads.scores.dataSync() as Float32Array;
      const argLogits = heads.argLogits.map((a) => a.dataSync() as Float32Array);
      const rows = batch.steps * batch.size;
      const width = this.#programs.length + 1;
      const depth = this.config.argumentDepth;
      const stepErrors = new Uint8Array(rows);
      for (let r = 0; r < rows; r++) {
        if (batch.stepMask[r] === 0) continue;
        let wrong = end[r]! >= 0 !== batch.ends[r]! >= 0.5;
        wrong ||= argmax(scores, r * width, width) !== batch.calls[r]! + 1;
        if (batch.argumentMask[r] === 1) {
          for (let slot = 0; slot < ARGUMENT_SLOTS; slot++)
            wrong ||= argmax(argLogits[slot]!, r * depth, depth) !== batch.callArgs[r * 3 + slot];
        }
        stepErrors[r] = wrong ? 1 : 0;
      }
      const value = (t: tf.Scalar) => (t.dataSync() as Float32Array)[0]!;
      evaluation = {
        loss: value(losses.total),
        endLoss: value(losses.end),
        programLoss: value(losses.program),
        argumentLoss: value(losses.argument),
        stepErrors,
      };
    });
    return evaluation;
  }

  dispose(): void {
    if (this.#disposed) return;
    for (const p of this.#parameters) p.variable.dispose();
    this.#disposed = true;
  }

  #assertAlive(): void {
    if (this.#disposed) throw new NpiError("INVALID_CONFIG", "model: used after dispose()");
  }

  #encoder(environment: string): EncoderEntry {
    const entry = this.#encoders.get(environment);
    if (entry === undefined) throw new NpiError("INVALID_CONFIG", `model: no encoder for environment "${environment}"`);
    return entry;
  }

  #createParameter(
    name: string,
    shape: readonly number[],
    init: ParameterInit,
    group: ParameterGroup,
    info: WeightInfo,
    extra: { environment?: string; program?: string } = {},
  ): tf.Variable {
    if (this.#parameters.some((p) => p.name === name)) throw new NpiError("INVALID_CONFIG", `model: parameter "${name}" declared twice`);
    const values = initialValues(init, shape, this.#rng.fork(`init/${name}`), name);
    // tfjs variable names are global: a process-wide counter keeps them unique across models.
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, [...shape]), true, `npi/${name}#${nextVariableId++}`));
    const layer = info.layer ?? name.slice(0, name.lastIndexOf("/"));
    const role = info.role ?? name.slice(name.lastIndexOf("/") + 1);
    this.#parameters.push({ name, variable, group, info: { layer, layerClass: info.layerClass ?? "Dense", role }, ...extra });
    return variable;
  }

  /** A dense layer; kernels start He-uniform before a ReLU, LeCun-uniform otherwise (ours). */
  #dense(name: string, inputs: number, units: number, relu = false): DenseLayer {
    const kernelInit: ParameterInit = { uniform: Math.sqrt((relu ? 6 : 3) / inputs) };
    return {
      kernel: this.#createParameter(`${name}/kernel`, [inputs, units], kernelInit, groupOf(name), {
        layer: name,
        layerClass: "Dense",
        role: "kernel",
      }),
      bias: this.#createParameter(`${name}/bias`, [units], "zeros", groupOf(name), { layer: name, layerClass: "Dense", role: "bias" }),
    };
  }

  #addEncoderFor(task: Task): void {
    const existing = this.#encoders.get(task.environment);
    if (existing !== undefined) {
      const same =
        existing.observationShape.length === task.observationShape.length &&
        existing.observationShape.every((d, i) => d === task.observationShape[i]);
      if (!same)
        throw new NpiError(
          "INVALID_CONFIG",
          `model: environment "${task.environment}" already has observations of shape [${existing.observationShape.join(",")}], ` +
            `task ${task.name} has [${task.observationShape.join(",")}]`,
        );
      return;
    }
    const environment = task.environment;
    const context: EncoderContext = {
      environment,
      observationShape: [...task.observationShape],
      argumentDepth: this.config.argumentDepth,
      encodeArguments: (args) => encodeArguments(args, this.config.argumentDepth, this.config.argumentEncoding),
      outputSize: this.config.stateSize,
      parameter: (name, shape, init, info = {}) =>
        this.#createParameter(
          `encoder/${environment}/${name}`,
          shape,
          init,
          "encoder",
          {
            layer: info.layer ?? `encoder/${environment}/${name.slice(0, Math.max(0, name.lastIndexOf("/")))}`.replace(/\/$/, ""),
            ...(info.layerClass ? { layerClass: info.layerClass } : {}),
            ...(info.role ? { role: info.role } : {}),
          },
          { environment },
        ),
      linear,
    };
    for (const size of task.argumentSizes) {
      if (size > this.config.argumentDepth)
        throw new NpiError(
          "INVALID_CONFIG",
          `model: task ${task.name} needs ${size} values in an argument slot, argumentDepth is ${this.config.argumentDepth}`,
        );
    }
    const spec = task.encoder;
    const encoder = spec.kind === "mlp" ? createMlpEncoder(context, spec.hiddenSizes) : spec.create(context);
    this.#encoders.set(environment, { environment, observationShape: [...task.observationShape], encoder });
  }

  #buildShared(): void {
    const c = this.config;
    this.#fusion = {
      hidden: this.#dense("fusion/hidden", c.stateSize + c.programEmbeddingSize, c.fusionHiddenSize, true),
      output: this.#dense("fusion/output", c.fusionHiddenSize, c.lstmSize),
    };
    this.#lstm = [];
    for (let l = 0; l < c.lstmLayers; l++) {
      const layer = `core/lstm${l}`;
      // Forget-gate bias starts at 1 (ours, the usual LSTM practice); gate order i, f, g, o.
      const bias = new Float32Array(4 * c.lstmSize);
      bias.fill(1, c.lstmSize, 2 * c.lstmSize);
      this.#lstm.push({
        kernel: this.#createParameter(
          `${layer}/kernel`,
          [c.lstmSize, 4 * c.lstmSize],
          { uniform: c.lstmInputGain * Math.sqrt(3 / c.lstmSize) },
          "core",
          { layer, layerClass: "LSTM", role: "kernel" },
        ),
        recurrentKernel: this.#createParameter(`${layer}/recurrent_kernel`, [c.lstmSize, 4 * c.lstmSize], "orthogonal", "core", {
          layer,
          layerClass: "LSTM",
          role: "recurrent_kernel",
        }),
        bias: this.#createParameter(`${layer}/bias`, [4 * c.lstmSize], { values: bias }, "core", {
          layer,
          layerClass: "LSTM",
          role: "bias",
        }),
      });
    }
    this.#decoders = {
      end: this.#dense("decoder/end", c.lstmSize, 1),
      key: this.#dense("decoder/programKey", c.lstmSize, c.programKeySize),
      args: [0, 1, 2].map((i) => this.#dense(`decoder/argument${i}`, c.lstmSize, c.argumentDepth)),
    };
    this.#noCallKey = this.#createParameter(
      "memory/noCallKey",
      [1, c.programKeySize],
      { normal: 1 / Math.sqrt(c.programKeySize) },
      "memory",
      { layer: "memory", layerClass: "ProgramMemory", role: "no_call_key" },
    );
  }

  /** Fusion MLP: concat(s, M_prog[program]) → ReLU → linear (§3.1). */
  #fuse(s: tf.Tensor2D, programs: Int32Array): tf.Tensor2D {
    const rows = programs.length;
    const count = this.#programs.length;
    const oneHot = new Float32Array(rows * count);
    for (let r = 0; r < rows; r++) oneHot[r * count + programs[r]!] = 1;
    const table = tf.concat(this.#embeddingRows, 0) as tf.Tensor2D;
    // A one-hot matmul instead of gather: gather's gradient needs a kernel stock wasm lacks.
    const p = linear(tf.tensor2d(oneHot, [rows, count]), table);
    const hidden = tf.relu(linear(tf.concat([s, p], 1) as tf.Tensor2D, this.#fusion.hidden.kernel, this.#fusion.hidden.bias));
    return linear(hidden, this.#fusion.output.kernel, this.#fusion.output.bias);
  }

  /** Decoders on the top LSTM layer: end logit, key scores against [noCallKey; M_key], argument logits. */
  #decode(h: tf.Tensor2D): { endLogits: tf.Tensor; scores: tf.Tensor2D; argLogits: tf.Tensor2D[] } {
    const endLogits = tf.reshape(linear(h, this.#decoders.end.kernel, this.#decoders.end.bias), [-1]);
    const key = linear(h, this.#decoders.key.kernel, this.#decoders.key.bias);
    const keys = tf.transpose(tf.concat([this.#noCallKey, ...this.#keyRows], 0));
    // Plain dot products with every key (eq. 4); column 0 is "call nothing".
    const scores = linear(key, keys);
    const argLogits = this.#decoders.args.map((layer) => linear(h, layer.kernel, layer.bias));
    return { endLogits, scores, argLogits };
  }

  #forward(batch: SequenceBatch, training: boolean): { endLogits: tf.Tensor; scores: tf.Tensor2D; argLogits: tf.Tensor2D[] } {
    const { steps, size } = batch;
    const rows = steps * size;
    const units = this.config.lstmSize;
    const encoded = batch.groups.map((g) => {
      const entry = this.#encoder(g.environment);
      const args = new Int32Array(steps * g.count * 3);
      for (let t = 0; t < steps; t++) args.set(batch.args.subarray(g.start * 3, (g.start + g.count) * 3), t * g.count * 3);
      const observations = tf.tensor(g.observations, [steps * g.count, ...entry.observationShape]);
      const s = entry.encoder.encode(observations, tf.tensor2d(args, [steps * g.count, 3], "int32"));
      return tf.reshape(s, [steps, g.count, this.config.stateSize]);
    });
    const s = tf.reshape(encoded.length === 1 ? encoded[0]! : tf.concat(encoded, 1), [rows, this.config.stateSize]) as tf.Tensor2D;
    const programs = new Int32Array(rows);
    for (let t = 0; t < steps; t++) programs.set(batch.programs, t * size);
    let x = this.#fuse(s, programs);
    for (const layer of this.#lstm) {
      const xp = linear(x, layer.kernel, layer.bias);
      x = training
        ? lstmSequence(xp, layer.recurrentKernel, steps, size)
        : lstmSequenceForward(xp, layer.recurrentKernel as tf.Tensor2D, steps, size);
      if (x.shape[1] !== units) throw new NpiError("INVALID_CONFIG", "model: LSTM width mismatch");
    }
    return this.#decode(x);
  }

  #losses(batch: SequenceBatch, heads: { endLogits: tf.Tensor; scores: tf.Tensor2D; argLogits: tf.Tensor2D[] }) {
    const rows = batch.steps * batch.size;
    const width = this.#programs.length + 1;
    const depth = this.config.argumentDepth;
    const callTargets = new Float32Array(rows * width);
    const argTargets = [0, 1, 2].map(() => new Float32Array(rows * depth));
    let realSteps = 0;
    for (let r = 0; r < rows; r++) {
      if (batch.stepMask[r] === 0) continue;
      realSteps++;
      callTargets[r * width + batch.calls[r]! + 1] = 1;
      if (batch.argumentMask[r] === 1)
        for (let slot = 0; slot < 3; slot++) argTargets[slot]![r * depth + batch.callArgs[r * 3 + slot]!] = 1;
    }
    const mask = tf.tensor1d(batch.stepMask);
    const argMask = tf.tensor1d(batch.argumentMask);
    const z = tf.tensor1d(batch.ends);
    const x = heads.endLogits;
    // Binary cross-entropy on logits, the stable form: max(x,0) − x·z + log(1 + e^−|x|).
    const endTerms = tf.add(tf.sub(tf.relu(x), tf.mul(x, z)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
    const programTerms = tf.neg(tf.sum(tf.mul(tf.tensor2d(callTargets, [rows, width]), tf.logSoftmax(heads.scores)), 1));
    let argumentTerms: tf.Tensor = tf.zeros([rows]);
    heads.argLogits.forEach((logits, slot) => {
      argumentTerms = tf.add(
        argumentTerms,
        tf.neg(tf.sum(tf.mul(tf.tensor2d(argTargets[slot]!, [rows, depth]), tf.logSoftmax(logits)), 1)),
      );
    });
    const scale = 1 / Math.max(1, realSteps);
    const end = tf.mul(tf.sum(tf.mul(endTerms, mask)), scale) as tf.Scalar;
    const program = tf.mul(tf.sum(tf.mul(programTerms, mask)), scale) as tf.Scalar;
    const argument = tf.mul(tf.sum(tf.mul(tf.mul(argumentTerms, argMask), mask)), scale) as tf.Scalar;
    const total = tf.add(tf.add(end, program), argument) as tf.Scalar;
    return { total, end, program, argument };
  }
}

let nextVariableId = 0;

function groupOf(name: string): ParameterGroup {
  const head = name.slice(0, name.indexOf("/"));
  if (head === "fusion" || head === "core" || head === "decoder" || head === "memory" || head === "encoder") return head;
  throw new NpiError("INVALID_CONFIG", `model: parameter "${name}" has no group`);
}

function argmax(values: Float32Array, offset: number, length: number): number {
  let best = 0;
  let bestValue = values[offset]!;
  for (let i = 1; i < length; i++) {
    const v = values[offset + i]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/**
 * The encoders' view of the arguments `[n, 3]` (int32): one-hot rows `[n, 3 × depth]` from Equal and
 * Cast (not `tf.oneHot`, whose float32 kernel is wrong on stock wasm), or zeros for `none`.
 */
function encodeArguments(args: tf.Tensor2D, depth: number, encoding: ArgumentEncoding): tf.Tensor2D {
  const rows = args.shape[0];
  if (encoding === "none") return tf.zeros([rows, 3 * depth]);
  const values = tf.range(0, depth, 1, "int32");
  return tf.reshape(tf.cast(tf.equal(tf.expandDims(args, 2), values), "float32"), [rows, 3 * depth]);
}

/** A new model for `tasks` (see `CreateNpiModelOptions`). */
export function createNpiModel(options: CreateNpiModelOptions): NpiModel {
  return new NpiModel(options);
}

/** One weight's name and shape, as a built model would have it. */
export interface ExpectedWeightShape {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * The names and shapes of every weight `createNpiModel({ tasks, config })` would create, computed
 * without creating a tfjs variable or running an initialiser, so a file's weights can be compared with
 * its config before anything is built (issue 16). `memory: "rows"` (default) lists parameters as
 * `parameters()` does (one key and one embedding row per program); `"tables"` as `weights()` does
 * (`memory/programKeys` [N, K], `memory/programEmbeddings` [N, P], `memory/noCallKey` [1, K]).
 * Custom encoders are asked for their parameters through a recording context (no variable is made);
 * a test asserts this equals a built model's shapes for every task.
 */
export function expectedNpiWeightShapes(
  tasks: readonly Task[],
  configOverrides: Partial<NpiModelConfig> = {},
  options: { readonly memory?: "rows" | "tables" } = {},
): ExpectedWeightShape[] {
  const c: NpiModelConfig = { ...DEFAULT_MODEL_CONFIG, ...configOverrides };
  checkConfig(c);
  if (tasks.length === 0) throw new NpiError("INVALID_CONFIG", "model: needs at least one task");
  const out: ExpectedWeightShape[] = [];
  const dense = (name: string, inputs: number, units: number) => {
    out.push({ name: `${name}/kernel`, shape: [inputs, units] }, { name: `${name}/bias`, shape: [units] });
  };
  const environments = new Set<string>();
  for (const task of tasks) {
    if (environments.has(task.environment)) continue;
    environments.add(task.environment);
    const environment = task.environment;
    for (const size of task.argumentSizes)
      if (size > c.argumentDepth)
        throw new NpiError(
          "INVALID_CONFIG",
          `model: task ${task.name} needs ${size} values in an argument slot, argumentDepth is ${c.argumentDepth}`,
        );
    const context: EncoderContext = {
      environment,
      observationShape: [...task.observationShape],
      argumentDepth: c.argumentDepth,
      encodeArguments: (args) => encodeArguments(args, c.argumentDepth, c.argumentEncoding ?? "one-hot"),
      outputSize: c.stateSize,
      parameter: (name, shape) => {
        out.push({ name: `encoder/${environment}/${name}`, shape: [...shape] });
        // Never used: the recorded encoder's encode() is not called.
        return undefined as unknown as tf.Variable;
      },
      linear,
    };
    const spec = task.encoder;
    if (spec.kind === "mlp") createMlpEncoder(context, spec.hiddenSizes);
    else spec.create(context);
  }
  dense("fusion/hidden", c.stateSize + c.programEmbeddingSize, c.fusionHiddenSize);
  dense("fusion/output", c.fusionHiddenSize, c.lstmSize);
  for (let l = 0; l < c.lstmLayers; l++) {
    const layer = `core/lstm${l}`;
    out.push(
      { name: `${layer}/kernel`, shape: [c.lstmSize, 4 * c.lstmSize] },
      { name: `${layer}/recurrent_kernel`, shape: [c.lstmSize, 4 * c.lstmSize] },
      { name: `${layer}/bias`, shape: [4 * c.lstmSize] },
    );
  }
  dense("decoder/end", c.lstmSize, 1);
  dense("decoder/programKey", c.lstmSize, c.programKeySize);
  for (const i of [0, 1, 2]) dense(`decoder/argument${i}`, c.lstmSize, c.argumentDepth);
  const programs: string[] = [];
  for (const task of tasks)
    for (const program of task.programs) if (!programs.includes(program.memoryName)) programs.push(program.memoryName);
  if (options.memory === "tables") {
    out.push(
      { name: "memory/programKeys", shape: [programs.length, c.programKeySize] },
      { name: "memory/programEmbeddings", shape: [programs.length, c.programEmbeddingSize] },
      { name: "memory/noCallKey", shape: [1, c.programKeySize] },
    );
  } else {
    out.push({ name: "memory/noCallKey", shape: [1, c.programKeySize] });
    for (const program of programs)
      out.push(
        { name: `memory/programKeys/${program}`, shape: [1, c.programKeySize] },
        { name: `memory/programEmbeddings/${program}`, shape: [1, c.programEmbeddingSize] },
      );
  }
  return out;
}

/**
 * Compares weights found in a file (`name` and `shape`, in any order) with the expected list: throws
 * INVALID_WEIGHTS naming the first missing, extra or wrongly shaped weight, or the wrong total, before
 * any model is built. `source` prefixes the message.
 */
export function checkWeightShapes(
  expected: readonly ExpectedWeightShape[],
  found: Iterable<{ readonly name: string; readonly shape: readonly number[] }>,
  source: string,
): void {
  const wanted = new Map(expected.map((w) => [w.name, w.shape]));
  const seen = new Set<string>();
  let total = 0;
  for (const { name, shape } of found) {
    const want = wanted.get(name);
    if (want === undefined) throw new NpiError("INVALID_WEIGHTS", `${source}: has a weight "${name}" the model config does not imply`);
    if (seen.has(name)) throw new NpiError("INVALID_WEIGHTS", `${source}: weight "${name}" appears twice`);
    seen.add(name);
    if (want.length !== shape.length || want.some((d, i) => d !== shape[i]))
      throw new NpiError(
        "INVALID_WEIGHTS",
        `${source}: weight "${name}" is [${shape.join(",")}], the model config implies [${want.join(",")}]`,
      );
    total += shape.reduce((a, b) => a * b, 1);
  }
  for (const { name } of expected) if (!seen.has(name)) throw new NpiError("INVALID_WEIGHTS", `${source}: missing weight "${name}"`);
  const wantTotal = expected.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
  if (total !== wantTotal)
    throw new NpiError("INVALID_WEIGHTS", `${source}: weights hold ${total} values, the model config implies ${wantTotal}`);
}
