/**
 * Everything that decides one training run from teacher traces, in one shape for every app
 * (`repro npi`'s experiments, `npi train`): the training set's sizes, the model, the trainer and
 * `trainWithValidation`'s stopping rule. Where the problems come from (random at each length, or a
 * car split) is the app's; a recipe only says how many per length.
 */
import { z } from "zod";
import { NpiError } from "../errors.js";
import type { NpiModelConfig } from "./npi-model.js";
import type { TrainerOptions } from "./trainer.js";

export const TRAINING_RECIPE_VERSION = 1;

const positiveInt = z.number().int().positive();
const scheduleSchema = z.object({
  initial: z.number().positive(),
  factor: z.number().positive(),
  everySteps: positiveInt,
  warmupSteps: z.number().int().nonnegative().optional(),
});
const curriculumSchema = z.object({
  temperature: z.number().positive().optional(),
  everySteps: positiveInt.optional(),
  samplesPerProgram: positiveInt.optional(),
  stepsPerProgram: positiveInt.optional(),
});

/** The data part of `TrainerOptions` (not the seed, which is the run's, nor the training hooks). */
const recipeTrainerSchema = z.object({
  batchSize: positiveInt.optional(),
  stepsPerBatch: z.number().int().nonnegative().optional(),
  programsPerStep: positiveInt.optional(),
  learningRate: scheduleSchema.optional(),
  gradientClipNorm: z.number().positive().nullable().optional(),
  curriculum: z.union([curriculumSchema, z.literal(false)]).optional(),
  trainable: z
    .object({
      groups: z.array(z.enum(["encoder", "fusion", "core", "decoder", "memory"])).optional(),
      encoders: z.array(z.string()).optional(),
      programs: z.array(z.string()).optional(),
      names: z.array(z.string()).optional(),
    })
    .optional(),
  adam: z.object({ beta1: z.number().optional(), beta2: z.number().optional(), epsilon: z.number().optional() }).optional(),
});

const modelConfigSchema = z
  .object({
    stateSize: positiveInt,
    programEmbeddingSize: positiveInt,
    programKeySize: positiveInt,
    fusionHiddenSize: positiveInt,
    lstmSize: positiveInt,
    lstmLayers: positiveInt,
    argumentDepth: positiveInt,
    lstmInputGain: z.number().positive(),
    argumentEncoding: z.enum(["one-hot", "none"]),
  })
  .partial();

/** Everything that decides a training run (ours unless marked as the paper's). */
export interface TrainingRecipe {
  readonly version: typeof TRAINING_RECIPE_VERSION;
  /** Training (and validation) problem sizes: addition digits, array lengths, car GOTO moves (the paper's data sets, §4.2 and §6.3). */
  readonly trainLengths: readonly number[];
  /** Random training problems (teacher traces) per length; 0 when the problems come from elsewhere (the car split). */
  readonly tracesPerLength: number;
  /** Programs also recorded as their own traces on the environment each root trace leaves (addition's RSHIFT, which ADD never calls). */
  readonly extraPrograms: readonly string[];
  readonly model: Partial<NpiModelConfig>;
  readonly trainer: Omit<TrainerOptions, "seed" | "transformGradient" | "afterUpdate" | "stepLoss">;
  /** Hard cap on training steps. */
  readonly maxSteps: number;
  /** Validation (fresh problems at training lengths only) and checkpoint cadence. */
  readonly checkEverySteps: number;
  /** Stop once this many consecutive checks solved every validation problem with no teacher-forced error. */
  readonly stopAfterPerfectChecks: number;
  readonly validationProblems: number;
}

export const trainingRecipeSchema: z.ZodType<TrainingRecipe> = z.object({
  version: z.literal(TRAINING_RECIPE_VERSION),
  trainLengths: z.array(positiveInt).min(1),
  tracesPerLength: z.number().int().nonnegative(),
  extraPrograms: z.array(z.string()),
  model: modelConfigSchema,
  trainer: recipeTrainerSchema,
  maxSteps: z.number().int().nonnegative(),
  checkEverySteps: positiveInt,
  stopAfterPerfectChecks: positiveInt,
  validationProblems: z.number().int().nonnegative(),
});

/**
 * A recipe checked against the schema (today's version, positive sizes, known trainer fields).
 * Throws `NpiError` `INVALID_OPTIONS` naming `source` and the field.
 */
export function parseTrainingRecipe(value: unknown, source = "training recipe"): TrainingRecipe {
  const parsed = trainingRecipeSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NpiError(
      "INVALID_OPTIONS",
      `${source}: not a training recipe of version ${TRAINING_RECIPE_VERSION} (${issue?.path.join(".") || "value"}: ${issue?.message ?? "invalid"})`,
    );
  }
  return parsed.data;
}
