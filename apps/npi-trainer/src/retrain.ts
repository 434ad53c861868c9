/**
 * Training the NPI inside the Deep Compression pipeline: masked retraining after each pruning cycle
 * and centroid fine-tuning after quantization, both on the teacher traces' invocations, through the
 * pipeline's `context.minimize` (which keeps pruned weights at exactly zero, or moves only the
 * shared centroids). Sampling is npi-core's: sub-batches of one program and one length, programs
 * drawn by the adaptive curriculum (softmax over each program's teacher-forced error).
 */
import { curriculumProbabilities, drawIndex, type InvocationDataset, type InvocationSample } from "@dcnpi/npi-core";
import { MEASURED_TRAINER_OPTIONS, buildSequenceBatch, type NpiModel } from "@dcnpi/npi-core/tfjs";
import type { TrainContext } from "@dcnpi/deep-compression";
import { cumulativeSums, indexAtFraction, type Rng } from "@dcnpi/tensor";
import { WrappedOptimizer } from "@dcnpi/tensor/tfjs";
import * as tf from "@tensorflow/tfjs-core";

export interface RetrainSettings {
  /** Training steps per plan "epoch" (ours: 100; an NPI data set has no natural epoch). */
  readonly stepsPerEpoch: number;
  readonly programsPerStep: number;
  readonly batchSize: number;
  readonly stepsPerBatch: number;
  readonly temperature: number;
  readonly curriculumEverySteps: number;
  readonly clipNorm: number;
  /** Used when the plan gives no learning rate for the stage. */
  readonly pruneLearningRate: number;
  readonly quantizeLearningRate: number;
}

const trained = MEASURED_TRAINER_OPTIONS;
/** Ours: the batches, curriculum and clipping the model was trained with (npi-core's shared settings). */
export const DEFAULT_RETRAIN_SETTINGS: RetrainSettings = {
  stepsPerEpoch: 100,
  programsPerStep: trained.programsPerStep,
  batchSize: trained.batchSize,
  stepsPerBatch: trained.stepsPerBatch,
  temperature: trained.curriculum.temperature,
  curriculumEverySteps: trained.curriculum.everySteps,
  clipNorm: trained.gradientClipNorm,
  pruneLearningRate: 3e-4,
  quantizeLearningRate: 1e-4,
};

interface Bucket {
  readonly samples: readonly InvocationSample[];
  readonly cumulative: Float64Array;
}
interface ProgramEntry {
  readonly program: number;
  readonly buckets: readonly Bucket[];
  readonly cumulative: Float64Array;
  /** A fixed sample of distinct invocations (~512 steps) for the curriculum's error estimate. */
  readonly estimateSample: readonly InvocationSample[];
}

/**
 * A tf.Optimizer that clips gradients to a global norm, then lets Adam step (the NPI trainer clips at
 * norm 1 too). The pipeline's bindings call `computeGradients` then `applyGradients`, so clipping
 * here sees exactly the (masked or centroid) gradients that will be applied.
 */
class ClippedAdam extends WrappedOptimizer<tf.AdamOptimizer> {
  static className = "ClippedAdam";
  constructor(
    learningRate: number,
    readonly clipNorm: number,
  ) {
    super(tf.train.adam(learningRate));
  }
  override applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const grads = WrappedOptimizer.gradientMap(variableGradients);
    const names = Object.keys(grads);
    const clipped = tf.tidy(() => {
      const norm = Math.sqrt(names.reduce((sum, n) => sum + (tf.sum(tf.square(grads[n]!)).dataSync()[0] ?? 0), 0));
      const scale = norm > this.clipNorm ? this.clipNorm / norm : 1;
      return Object.fromEntries(names.map((n) => [n, scale === 1 ? tf.clone(grads[n]!) : tf.mul(grads[n]!, scale)])) as tf.NamedTensorMap;
    });
    this.inner.applyGradients(clipped as unknown as Parameters<tf.AdamOptimizer["applyGradients"]>[0]);
    tf.dispose(Object.values(clipped));
  }
}

export interface RetrainEvent {
  readonly stage: "prune" | "quantize";
  readonly cycle: number;
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  /** Largest per-program teacher-forced step error, when the curriculum was re-estimated at this step. */
  readonly maxStepError?: number;
}

/** Teacher-forced step errors per program on fixed samples (the curriculum's estimate). */
export class TraceSampler {
  readonly #entries: ProgramEntry[];
  constructor(
    readonly model: NpiModel,
    readonly dataset: InvocationDataset,
    rng: Rng,
  ) {
    this.#entries = dataset.programs().map((program) => {
      const byLength = new Map<number, InvocationSample[]>();
      for (const s of dataset.samplesOf(program)) {
        const list = byLength.get(s.length) ?? [];
        list.push(s);
        byLength.set(s.length, list);
      }
      const buckets = [...byLength.keys()]
        .sort((a, b) => a - b)
        .map((length) => {
          const samples = byLength.get(length)!;
          return { samples, cumulative: cumulativeSums(samples.map((s) => s.count)) };
        });
      // Distinct invocations, drawn by frequency without replacement, up to ~512 steps (at least 32).
      const pool = [...dataset.samplesOf(program)];
      const meanLength = pool.reduce((a, s) => a + s.length * s.count, 0) / pool.reduce((a, s) => a + s.count, 0);
      const size = Math.min(pool.length, Math.max(32, Math.floor(512 / meanLength)));
      const pick = rng.fork(`estimate-${program}`);
      const estimateSample: InvocationSample[] = [];
      while (estimateSample.length < size) {
        const k = indexAtFraction(cumulativeSums(pool.map((s) => s.count)), pick.float());
        estimateSample.push(pool[k]!);
        pool.splice(k, 1);
      }
      estimateSample.sort((a, b) => a.length - b.length);
      return { program, buckets, cumulative: cumulativeSums(buckets.map((b) => b.cumulative[b.cumulative.length - 1]!)), estimateSample };
    });
  }

  /** Per program (memory name): the fraction of teacher-forced steps with any wrong decision. */
  stepErrors(): { program: string; stepError: number }[] {
    return this.#entries.map((entry) => {
      let wrong = 0;
      let steps = 0;
      const chunks: InvocationSample[][] = [];
      for (const s of entry.estimateSample) {
        const last = chunks[chunks.length - 1];
        if (last !== undefined && (last.length + 1) * s.length <= 512) last.push(s);
        else chunks.push([s]);
      }
      for (const chunk of chunks) {
        const batch = buildSequenceBatch(chunk, this.dataset);
        const result = this.model.evaluateBatch(batch);
        for (let r = 0; r < result.stepErrors.length; r++) {
          if (batch.stepMask[r] === 1) {
            steps++;
            wrong += result.stepErrors[r]!;
          }
        }
      }
      return { program: this.model.programName(entry.program), stepError: steps === 0 ? 0 : wrong / steps };
    });
  }

  /** `count` sub-batches, each of one program (drawn from `probabilities`) and one length. */
  drawBatches(rng: Rng, probabilities: ArrayLike<number>, count: number, settings: Pick<RetrainSettings, "batchSize" | "stepsPerBatch">) {
    return Array.from({ length: count }, () => {
      const entry = this.#entries[drawIndex(probabilities, rng.float())]!;
      const bucket = entry.buckets[indexAtFraction(entry.cumulative, rng.float())]!;
      const size = Math.max(settings.batchSize, Math.floor(settings.stepsPerBatch / bucket.samples[0]!.length));
      return buildSequenceBatch(
        Array.from({ length: size }, () => bucket.samples[indexAtFraction(bucket.cumulative, rng.float())]!),
        this.dataset,
      );
    });
  }

  get programCount(): number {
    return this.#entries.length;
  }
}

/**
 * The `train` function `compress` calls in each stage: `context.epochs × stepsPerEpoch` constrained
 * steps on the teacher traces.
 */
export function createRetrainer(sampler: TraceSampler, settings: RetrainSettings, onEvent: (event: RetrainEvent) => void = () => {}) {
  return async (_target: unknown, context: TrainContext): Promise<void> => {
    const steps = Math.round(context.epochs * settings.stepsPerEpoch);
    const learningRate = context.learningRate ?? (context.stage === "prune" ? settings.pruneLearningRate : settings.quantizeLearningRate);
    const optimizer = new ClippedAdam(learningRate, settings.clipNorm);
    const rng = context.rng.fork("batches");
    let probabilities: ArrayLike<number> = new Float64Array(sampler.programCount).fill(1 / sampler.programCount);
    try {
      for (let step = 0; step < steps; step++) {
        let maxStepError: number | undefined;
        if (step % settings.curriculumEverySteps === 0) {
          const errors = sampler.stepErrors().map((e) => e.stepError);
          maxStepError = Math.max(...errors);
          probabilities = curriculumProbabilities(errors, settings.temperature);
        }
        const batches = sampler.drawBatches(rng, probabilities, settings.programsPerStep, settings);
        const cost = context.minimize(
          optimizer,
          () => {
            const losses = batches.map((batch) => sampler.model.trainingLoss(batch).total);
            return tf.div(tf.addN(losses), losses.length) as tf.Scalar;
          },
          true,
        )!;
        const loss = cost.dataSync()[0]!;
        cost.dispose();
        onEvent({
          stage: context.stage,
          cycle: context.cycle,
          step: step + 1,
          steps,
          loss,
          ...(maxStepError === undefined ? {} : { maxStepError }),
        });
      }
    } finally {
      optimizer.dispose();
    }
  };
}
