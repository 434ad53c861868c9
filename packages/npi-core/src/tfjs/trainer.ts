import * as tf from "@tensorflow/tfjs-core";
import { Rng, cumulativeSums, indexAtFraction, type Seed } from "@dcnpi/tensor";
import { curriculumProbabilities, drawIndex } from "../curriculum.js";
import { NpiError } from "../errors.js";
import type { InvocationDataset, InvocationSample } from "../invocation-dataset.js";
import { learningRateAt, type StepDecaySchedule } from "../learning-rate.js";
import { Adam, type AdamOptions } from "./adam.js";
// A type only: the checkpoint files themselves are read and written by `./node` (node:fs).
import type { Checkpoint } from "../node/checkpoint.js";
import type { ModelParameter, NpiModel, TrainableSelection } from "./npi-model.js";
import { buildSequenceBatch } from "./sequence-batch.js";
import { serialStepLoss, type StepLossFunction } from "./step-loss.js";

/** The paper's adaptive curriculum (§3.2), with our defaults. */
export interface CurriculumOptions {
  /** Softmax temperature over per-program step error rates (ours: 0.5). */
  readonly temperature?: number;
  /**
   * Re-estimate every this many training steps (ours: 20). The paper re-estimates every 1,000 steps
   * of batch 1; one of our steps sees hundreds of sequences, so 20 steps is already more data.
   */
  readonly everySteps?: number;
  /**
   * The error is measured on a fixed sample per program, drawn once: distinct invocations, at least
   * `samplesPerProgram` of them (ours: 32) and more for short programs, up to about
   * `stepsPerProgram` steps (ours: 512), so a short program with a table to learn (COMPSWAP's 110
   * value pairs, ADD1's 242 digit sums) is checked on all or most of its cases.
   */
  readonly samplesPerProgram?: number;
  readonly stepsPerProgram?: number;
}

export interface TrainerOptions {
  /** Seed of batch sampling (a fork of it; the model's initial weights have their own seed). */
  readonly seed: Seed;
  /** Invocations per sub-batch, all of one program and one length (ours: 16; the paper used batch 1). */
  readonly batchSize?: number;
  /**
   * Short invocations come in bigger sub-batches: a sub-batch of length-T invocations holds
   * max(batchSize, floor(stepsPerBatch / T)) of them, so every sub-batch costs about the same
   * (ours: 320; 0 turns it off).
   */
  readonly stepsPerBatch?: number;
  /**
   * Sub-batches per step (ours: 4): each draws its program from the curriculum, and one Adam step
   * follows their averaged loss, so no step trains a single program alone (which made programs
   * that differ only slightly, such as LSHIFT and RSHIFT, forget each other in turn).
   */
  readonly programsPerStep?: number;
  /** Default: ours, 1e-3 × 0.95 every 1,000 steps; the paper's is PAPER_LEARNING_RATE. */
  readonly learningRate?: StepDecaySchedule;
  /** Global gradient-norm clip (ours: 1); null for none. */
  readonly gradientClipNorm?: number | null;
  /** The adaptive curriculum; false samples programs uniformly. */
  readonly curriculum?: CurriculumOptions | false;
  /** Parameters that train (default: all); the rest stay frozen. */
  readonly trainable?: TrainableSelection;
  readonly adam?: AdamOptions;
  /**
   * Called with each trainable parameter's gradient before the update; the tensor it returns is used
   * instead (e.g. multiplied by a pruning mask). Runs inside tf.tidy; return `gradient` to keep it.
   */
  readonly transformGradient?: (parameter: ModelParameter, gradient: tf.Tensor) => tf.Tensor;
  /** Called after every update (e.g. to re-apply pruning masks or snap weights to a codebook). */
  readonly afterUpdate?: (model: NpiModel, step: number) => void;
  /**
   * How a step's loss (and so its gradient) is computed from the sub-batches: `serialStepLoss` (the
   * default), or `GradientWorkers.stepLoss` from `./node` to share the sub-batches with worker threads.
   * Both give the same gradient up to float rounding; a run resumed with the other gives the same
   * training within that rounding, so this is not part of the checkpoint's fingerprint.
   */
  readonly stepLoss?: StepLossFunction;
}

export const DEFAULT_TRAINER_LEARNING_RATE: StepDecaySchedule = Object.freeze({ initial: 1e-3, factor: 0.95, everySteps: 1_000 });

/** What one training step did. */
export interface TrainStepMetrics {
  readonly step: number;
  /** Memory names of the programs whose invocations formed the sub-batches. */
  readonly programs: readonly string[];
  /** Longest sub-batch (steps). */
  readonly length: number;
  /** Sequences in the step. */
  readonly sequences: number;
  readonly loss: number;
  readonly endLoss: number;
  readonly programLoss: number;
  readonly argumentLoss: number;
  readonly gradientNorm: number;
  readonly learningRate: number;
  /** Set on steps that re-estimated the curriculum (before the batch was drawn). */
  readonly curriculum?: CurriculumEstimate;
}

/** Per-program teacher-forced error rates and the sampling probabilities they give. */
export interface CurriculumEstimate {
  readonly step: number;
  readonly sequencesSeen: number;
  readonly programs: readonly {
    readonly program: string;
    readonly stepError: number;
    readonly sequenceError: number;
    readonly loss: number;
    readonly probability: number;
  }[];
}

interface Bucket {
  readonly samples: InvocationSample[];
  readonly cumulative: Float64Array;
  readonly total: number;
}

interface ProgramBuckets {
  readonly program: number;
  readonly buckets: Bucket[];
  readonly cumulative: Float64Array;
}

/**
 * Trains an `NpiModel` on an `InvocationDataset`. Each step makes `programsPerStep` sub-batches: each
 * draws a program (adaptive curriculum), then a length, then `batchSize` invocations of that program
 * and length (so no padding); one Adam step follows their averaged loss. Deterministic for a seed; `checkpoint`/`restore`
 * continue a run exactly.
 */
export class NpiTrainer {
  readonly model: NpiModel;
  readonly dataset: InvocationDataset;
  readonly batchSize: number;
  readonly programsPerStep: number;
  readonly stepsPerBatch: number;
  readonly learningRate: StepDecaySchedule;
  readonly gradientClipNorm: number | null;
  readonly #curriculum: Required<CurriculumOptions> | null;
  readonly #parameters: ModelParameter[];
  readonly #byVariable: Map<string, ModelParameter>;
  readonly #adam: Adam;
  readonly #programs: ProgramBuckets[];
  readonly #estimateSample: Map<number, InvocationSample[]>;
  readonly #fingerprint: string;
  readonly #transformGradient: TrainerOptions["transformGradient"];
  readonly #afterUpdate: TrainerOptions["afterUpdate"];
  readonly #stepLoss: StepLossFunction;
  #rng: Rng;
  #probabilities: Float64Array;
  #step = 0;
  #sequencesSeen = 0;

  constructor(model: NpiModel, dataset: InvocationDataset, options: TrainerOptions) {
    this.model = model;
    this.dataset = dataset;
    this.batchSize = options.batchSize ?? 16;
    this.programsPerStep = options.programsPerStep ?? 4;
    this.stepsPerBatch = options.stepsPerBatch ?? 320;
    if (!Number.isInteger(this.programsPerStep) || this.programsPerStep < 1)
      throw new NpiError("INVALID_OPTIONS", `trainer: programsPerStep must be a positive integer, got ${this.programsPerStep}`);
    this.learningRate = options.learningRate ?? DEFAULT_TRAINER_LEARNING_RATE;
    this.gradientClipNorm = options.gradientClipNorm === undefined ? 1 : options.gradientClipNorm;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new NpiError("INVALID_OPTIONS", `trainer: batchSize must be a positive integer, got ${this.batchSize}`);
    this.#curriculum =
      options.curriculum === false
        ? null
        : {
            temperature: options.curriculum?.temperature ?? 0.5,
            everySteps: options.curriculum?.everySteps ?? 20,
            samplesPerProgram: options.curriculum?.samplesPerProgram ?? 32,
            stepsPerProgram: options.curriculum?.stepsPerProgram ?? 512,
          };
    this.#parameters = model.parameters(options.trainable);
    if (this.#parameters.length === 0) throw new NpiError("INVALID_OPTIONS", "trainer: the trainable selection names no parameters");
    this.#byVariable = new Map(this.#parameters.map((p) => [p.variable.name, p]));
    this.#adam = new Adam(options.adam);
    this.#transformGradient = options.transformGradient;
    this.#afterUpdate = options.afterUpdate;
    this.#stepLoss = options.stepLoss ?? serialStepLoss;
    const root = Rng.fromSeed(options.seed).fork("npi-trainer");
    this.#rng = root.fork("batches");
    this.#programs = dataset.programs().map((program) => {
      const byLength = new Map<number, InvocationSample[]>();
      for (const sample of dataset.samplesOf(program)) {
        let list = byLength.get(sample.length);
        if (list === undefined) byLength.set(sample.length, (list = []));
        list.push(sample);
      }
      const buckets = [...byLength.keys()]
        .sort((a, b) => a - b)
        .map((length) => {
          const samples = byLength.get(length)!;
          const cumulative = cumulativeSums(samples.map((s) => s.count));
          return { samples, cumulative, total: cumulative[cumulative.length - 1]! };
        });
      return { program, buckets, cumulative: cumulativeSums(buckets.map((b) => b.total)) };
    });
    if (this.#programs.length === 0) throw new NpiError("INVALID_DATASET", "trainer: the data set is empty");
    this.#probabilities = new Float64Array(this.#programs.length).fill(1 / this.#programs.length);
    // The curriculum's error is measured on a fixed sample per program, drawn once: distinct
    // invocations, the most frequent first among equals, weighted draws without replacement.
    const sampleRng = root.fork("curriculum-sample");
    this.#estimateSample = new Map(
      this.#programs.map((p) => {
        const samples = [...dataset.samplesOf(p.program)];
        const meanLength = samples.reduce((a, s) => a + s.length * s.count, 0) / samples.reduce((a, s) => a + s.count, 0);
        const size = Math.min(
          samples.length,
          Math.max(this.#curriculum?.samplesPerProgram ?? 32, Math.floor((this.#curriculum?.stepsPerProgram ?? 512) / meanLength)),
        );
        const picked: InvocationSample[] = [];
        const pool = samples.slice();
        while (picked.length < size) {
          const k = indexAtFraction(cumulativeSums(pool.map((s) => s.count)), sampleRng.float());
          picked.push(pool[k]!);
          pool.splice(k, 1);
        }
        return [p.program, picked.sort((a, b) => a.length - b.length)] as const;
      }),
    );
    const stats = dataset.stats();
    this.#fingerprint = JSON.stringify({
      programs: this.#programs.map((p) => model.programName(p.program)),
      unique: stats.uniqueInvocations,
      invocations: stats.invocations,
      steps: stats.steps,
      batch: this.batchSize,
      perStep: this.programsPerStep,
      stepsPerBatch: this.stepsPerBatch,
      lr: this.learningRate,
      clip: this.gradientClipNorm,
      curriculum: this.#curriculum,
      trainable: this.#parameters.map((p) => p.name),
    });
  }

  /** Training steps taken so far. */
  get step(): number {
    return this.#step;
  }

  get sequencesSeen(): number {
    return this.#sequencesSeen;
  }

  /** Current curriculum probabilities per program (memory name). */
  curriculumProbabilities(): { program: string; probability: number }[] {
    return this.#programs.map((p, i) => ({ program: this.model.programName(p.program), probability: this.#probabilities[i]! }));
  }

  /** One training step (re-estimating the curriculum first when it is due). */
  trainStep(): TrainStepMetrics {
    let estimate: CurriculumEstimate | undefined;
    if (this.#curriculum !== null && this.#step % this.#curriculum.everySteps === 0) {
      estimate = this.estimateErrors();
      this.#probabilities = Float64Array.from(estimate.programs.map((p) => p.probability));
    }
    const drawn: number[] = [];
    const batches = Array.from({ length: this.programsPerStep }, () => {
      const entry = this.#programs[drawIndex(this.#probabilities, this.#rng.float())]!;
      drawn.push(entry.program);
      const bucket = entry.buckets[indexAtFraction(entry.cumulative, this.#rng.float())]!;
      const size = Math.max(this.batchSize, Math.floor(this.stepsPerBatch / bucket.samples[0]!.length));
      const samples = Array.from({ length: size }, () => bucket.samples[indexAtFraction(bucket.cumulative, this.#rng.float())]!);
      return buildSequenceBatch(samples, this.dataset);
    });
    const learningRate = learningRateAt(this.learningRate, this.#step);

    let parts: { end: tf.Scalar; program: tf.Scalar; argument: tf.Scalar } | undefined;
    const { value, grads } = tf.variableGrads(
      () => {
        // Each sub-batch's mean loss counts equally, whatever its length (here or, with threads, partly in workers).
        const loss = this.#stepLoss(this.model, batches);
        parts = { end: tf.keep(loss.end), program: tf.keep(loss.program), argument: tf.keep(loss.argument) };
        return loss.total;
      },
      this.#parameters.map((p) => p.variable),
    );
    // A parameter the step's loss does not reach has no gradient: the encoder of an environment none
    // of the step's sub-batches comes from (multi-task models). It sits this step out, as in PyTorch
    // (Adam counts steps per parameter). Single-task steps reach every parameter, so nothing changes there.
    const reached = this.#parameters.filter((p) => grads[p.variable.name] !== undefined);
    if (reached.length === 0) throw new NpiError("INVALID_OPTIONS", "trainer: the loss reaches no trainable parameter");
    const ordered = reached.map((p) => grads[p.variable.name]!);
    for (const name of Object.keys(grads))
      if (!this.#byVariable.has(name)) throw new NpiError("INVALID_OPTIONS", `trainer: unexpected gradient ${name}`);
    const transform = this.#transformGradient;
    const used = transform === undefined ? ordered : ordered.map((g, i) => tf.tidy(() => transform(reached[i]!, g)));
    const gradientNorm = this.#adam.apply(reached, used, learningRate, this.gradientClipNorm);
    if (transform !== undefined) tf.dispose(used.filter((g, i) => g !== ordered[i]));
    this.#afterUpdate?.(this.model, this.#step);
    const read = (t: tf.Scalar) => (t.dataSync() as Float32Array)[0]!;
    const metrics: TrainStepMetrics = {
      step: this.#step,
      programs: drawn.map((p) => this.model.programName(p)),
      length: Math.max(...batches.map((b) => b.steps)),
      sequences: batches.reduce((a, b) => a + b.size, 0),
      loss: read(value),
      endLoss: read(parts!.end),
      programLoss: read(parts!.program),
      argumentLoss: read(parts!.argument),
      gradientNorm,
      learningRate,
      ...(estimate !== undefined ? { curriculum: estimate } : {}),
    };
    tf.dispose([value, ...Object.values(grads), parts!.end, parts!.program, parts!.argument]);
    this.#step++;
    this.#sequencesSeen += metrics.sequences;
    return metrics;
  }

  /**
   * Teacher-forced error of every program on its fixed sample: the fraction of steps with any wrong
   * decision, the fraction of sequences with one, and the mean loss; plus the curriculum's softmax.
   */
  estimateErrors(): CurriculumEstimate {
    const rows = this.#programs.map((p) => {
      const sample = this.#estimateSample.get(p.program)!;
      let wrongSteps = 0;
      let steps = 0;
      let wrongSequences = 0;
      let lossSum = 0;
      // The sample is sorted by length; chunks of about 512 padded steps keep padding small.
      const chunks: InvocationSample[][] = [];
      for (const invocation of sample) {
        const last = chunks[chunks.length - 1];
        if (last !== undefined && (last.length + 1) * invocation.length <= 512) last.push(invocation);
        else chunks.push([invocation]);
      }
      for (const chunk of chunks) {
        const batch = buildSequenceBatch(chunk, this.dataset);
        const result = this.model.evaluateBatch(batch);
        const realSteps = chunk.reduce((a, s) => a + s.length, 0);
        lossSum += result.loss * realSteps;
        steps += realSteps;
        for (let b = 0; b < batch.size; b++) {
          let wrong = false;
          for (let t = 0; t < batch.steps; t++) {
            if (result.stepErrors[t * batch.size + b] === 1) {
              wrongSteps++;
              wrong = true;
            }
          }
          if (wrong) wrongSequences++;
        }
      }
      return {
        program: this.model.programName(p.program),
        stepError: wrongSteps / steps,
        sequenceError: wrongSequences / sample.length,
        loss: lossSum / steps,
      };
    });
    const probabilities = curriculumProbabilities(
      rows.map((r) => r.stepError),
      this.#curriculum?.temperature ?? 0.1,
    );
    return {
      step: this.#step,
      sequencesSeen: this.#sequencesSeen,
      programs: rows.map((r, i) => ({ ...r, probability: this.#curriculum === null ? 1 / rows.length : probabilities[i]! })),
    };
  }

  /** Model weights, optimizer moments, step, sampling state and curriculum: everything `restore` needs to continue. */
  checkpoint(): Checkpoint {
    return {
      step: this.#step,
      model: this.model.describe(),
      weights: this.model.weights(),
      optimizer: this.#adam.exportState(),
      trainer: {
        sequencesSeen: this.#sequencesSeen,
        rng: this.#rng.saveState(),
        curriculum: { programs: this.#programs.map((p) => this.model.programName(p.program)), probabilities: [...this.#probabilities] },
        fingerprint: this.#fingerprint,
      },
    };
  }

  /**
   * Continues from `checkpoint` (read from `source`, named in errors). It must come from the same
   * model layout, data set and options (INCOMPATIBLE_CHECKPOINT). Files: `restoreTrainerCheckpoint` in `./node`.
   */
  restore(checkpoint: Checkpoint, source: string): void {
    const mine = this.model.describe();
    if (JSON.stringify(checkpoint.model) !== JSON.stringify(mine)) {
      const theirs = checkpoint.model.config.argumentEncoding;
      if (theirs !== mine.config.argumentEncoding)
        throw new NpiError(
          "INCOMPATIBLE_CHECKPOINT",
          `${source}: the checkpoint's model was trained with argumentEncoding "${theirs}"` +
            `${theirs === "none" ? " (before the wasm OneHot fix: its encoder never saw the arguments)" : ""}, this model uses ` +
            `"${mine.config.argumentEncoding}"; start a new run, or build the model with argumentEncoding "${theirs}" to continue it as trained`,
        );
      throw new NpiError("INCOMPATIBLE_CHECKPOINT", `${source}: the checkpoint's model layout differs from this model's`);
    }
    if (checkpoint.trainer.fingerprint !== this.#fingerprint)
      throw new NpiError("INCOMPATIBLE_CHECKPOINT", `${source}: the checkpoint was made with another data set or other training options`);
    this.model.setWeights(checkpoint.weights, { complete: true });
    this.#adam.importState(checkpoint.optimizer);
    this.#rng = Rng.fromState(checkpoint.trainer.rng);
    this.#probabilities = Float64Array.from(checkpoint.trainer.curriculum.probabilities);
    this.#sequencesSeen = checkpoint.trainer.sequencesSeen;
    this.#step = checkpoint.step;
  }

  /** Frees the optimizer's moments (the model stays). */
  dispose(): void {
    this.#adam.dispose();
  }
}
