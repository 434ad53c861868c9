/**
 * Training settings the apps share (ours, not the paper's), so `repro npi` and `npi train` train the
 * same way. Measured with them on 2 CPU cores (apps/repro/src/npi/README.md): addition 100% to 3000
 * digits after 13.5 min of training, sorting 100% to length 55 after 18.4 min.
 */
import type { NpiModelConfig } from "./npi-model.js";
import type { TrainerOptions } from "./trainer.js";

/**
 * Adam at 1e-3 × 0.95 every 1,000 steps (the paper's 1e-4 at batch 1 would not fit 30 minutes at our
 * batch sizes), gradient norm clipped at 1; each step averages 4 sub-batches, each of one program and
 * one length, of max(8, 160 / length) invocations; the adaptive curriculum at temperature 0.2,
 * re-estimated every 20 steps.
 */
// Typed by its value (every field present), not as TrainerOptions whose fields are optional, so
// readers such as npi-trainer's retraining settings need no casts.
export const MEASURED_TRAINER_OPTIONS = Object.freeze({
  batchSize: 8,
  programsPerStep: 4,
  learningRate: { initial: 1e-3, factor: 0.95, everySteps: 1_000 },
  gradientClipNorm: 1,
  stepsPerBatch: 160,
  curriculum: { temperature: 0.2, everySteps: 20, samplesPerProgram: 32 },
}) satisfies Omit<TrainerOptions, "seed">;

/** A small model for smoke runs of a whole pipeline in a minute or two (not a result). */
export const QUICK_MODEL_CONFIG: Partial<NpiModelConfig> = Object.freeze({
  lstmSize: 64,
  fusionHiddenSize: 64,
  stateSize: 32,
  programEmbeddingSize: 16,
  programKeySize: 8,
});

/** `MEASURED_TRAINER_OPTIONS` with a faster rate and curriculum, for `QUICK_MODEL_CONFIG` smoke runs. */
export const QUICK_TRAINER_OPTIONS: Omit<TrainerOptions, "seed"> = Object.freeze({
  ...MEASURED_TRAINER_OPTIONS,
  learningRate: { initial: 5e-3, factor: 0.95, everySteps: 100 },
  curriculum: { temperature: 0.2, everySteps: 10, samplesPerProgram: 16 },
});
