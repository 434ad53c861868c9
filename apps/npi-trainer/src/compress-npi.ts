/**
 * Deep Compression of an NPI: the pipeline of @dcnpi/deep-compression on the model's own variables,
 * retrained on teacher traces, validated by running programs, written with the NPI's layout in the
 * container's `user` metadata.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { compress, type CompressionPlan, type CompressResult, type PipelineEvent } from "@dcnpi/deep-compression";
import { containerFile } from "@dcnpi/deep-compression/node";
import { solvedFraction, taskVerificationContexts } from "@dcnpi/npi-core";
import { writeCheckpoint } from "@dcnpi/npi-core/node";
import { writeFileAtomic } from "@dcnpi/run-kit";
import { Rng } from "@dcnpi/tensor";
import { trainingSetOfModel } from "./defaults.js";
import { NpiAppError } from "./errors.js";
import {
  compressionTargetOf,
  NPI_METADATA_VERSION,
  TRAIN_INFO_FILE,
  type LoadedModel,
  type NpiMetadata,
  type TrainingSet,
} from "./model-store.js";
import { DEFAULT_RETRAIN_SETTINGS, TraceSampler, createRetrainer, type RetrainEvent, type RetrainSettings } from "./retrain.js";
import { buildDataset } from "./training-set.js";
import { validationInputs } from "./validation.js";

export interface CompressNpiOptions {
  readonly plan: CompressionPlan;
  readonly seed: number;
  /** Write the container here (atomically); otherwise bytes are returned. */
  readonly output?: string;
  readonly retrain?: Partial<RetrainSettings>;
  /** Validation problems per training length (the pipeline's metric after every stage). */
  readonly validationPerLength?: number;
  readonly onEvent?: (event: PipelineEvent) => void;
  readonly onRetrain?: (event: RetrainEvent) => void;
  readonly onMetric?: (stage: string, solved: number, maxStepError: number) => void;
  /** Called after each stage's evaluation with the stage name (e.g. to snapshot the pruned weights). */
  readonly afterStage?: (stage: string) => void;
  /**
   * Also write the pruned float32 model (after the last pruning cycle's masked retraining, before
   * quantization) as a training checkpoint here: `npi sweep --pruned` re-quantizes it at other bit
   * widths without repeating the expensive pruning run.
   */
  readonly savePrunedTo?: string;
  /** Beyond the paper (issue 17): `best` adds the arithmetic coder; default `huffman`. */
  readonly coder?: "huffman" | "best";
  /** Beyond the paper (issue 17): `binary` header; default `json`. */
  readonly header?: "json" | "binary";
  /** Beyond the paper (issue 17): `lean` keeps the plan and per-stage metrics out of the file (they stay in `.compress.json`); default `full`. */
  readonly metadataForm?: "full" | "lean";
  /**
   * Recursive tasks: retrain on the task's verification set too (every context a call can meet, each
   * once, beside the training traces' invocations). A compressed model is then pushed to be right on
   * exactly the contexts `npi verify` checks; the proof that passing them means correct at every length
   * does not depend on how the model was trained (Cai, Shin & Song 2017, §5).
   */
  readonly trainOnVerificationSet?: boolean;
}

/** The stage name the pipeline gives the last pruning cycle's measurement. */
export function lastPruneStageOf(plan: CompressionPlan): string {
  const cycles = plan.retrain.pruneIterations;
  return cycles > 1 ? `pruned ${cycles}/${cycles}` : "pruned";
}

/** The model's current (pruned, float32) weights as a checkpoint any command reads, with its training set. */
export function savePrunedCheckpoint(loaded: LoadedModel, dir: string): void {
  writeCheckpoint(dir, {
    step: loaded.step,
    model: loaded.model.describe(),
    weights: loaded.model.weights(),
    optimizer: [],
    trainer: {
      sequencesSeen: 0,
      rng: Rng.fromSeed(0).saveState(),
      curriculum: { programs: [], probabilities: [] },
      fingerprint: "npi compress: pruned model",
    },
  });
  const info = join(loaded.source, TRAIN_INFO_FILE);
  if (loaded.kind === "dense" && existsSync(info)) writeFileAtomic(join(dir, TRAIN_INFO_FILE), readFileSync(info, "utf8"));
}

export interface CompressNpiResult {
  readonly result: CompressResult;
  readonly metadata: NpiMetadata;
  readonly trainingSet: TrainingSet;
  /** Per stage: fraction of validation problems solved and the largest teacher-forced step error. */
  readonly stages: readonly { readonly stage: string; readonly solved: number; readonly maxStepError: number }[];
}

export function npiMetadataOf(loaded: LoadedModel, trainingSet: TrainingSet): NpiMetadata {
  const description = loaded.model.describe();
  return {
    kind: "dcnpi/npi-model",
    version: NPI_METADATA_VERSION,
    task: loaded.taskName,
    model: {
      config: { ...description.config },
      programs: [...description.programs],
      encoders: description.encoders.map((e) => ({ environment: e.environment, observationShape: [...e.observationShape] })),
    },
    trainingSet,
    source: { checkpoint: basename(loaded.source), step: loaded.step },
  };
}

/** Runs the pipeline on `loaded.model` (changed in place: it ends holding exactly the file's weights). */
export async function compressNpi(loaded: LoadedModel, options: CompressNpiOptions): Promise<CompressNpiResult> {
  const { model, task } = loaded;
  const trainingSet = trainingSetOfModel(loaded);
  const settings = { ...DEFAULT_RETRAIN_SETTINGS, ...options.retrain };
  const rng = Rng.fromSeed(options.seed);
  const dataset = buildDataset(model, task, trainingSet);
  if (options.trainOnVerificationSet === true) {
    if (task.verificationSet === undefined)
      throw new NpiAppError("INVALID_OPTION", `--train-on-verification-set: task ${loaded.taskName} has no verification set`);
    for (const context of taskVerificationContexts(task).contexts) dataset.addTrace(task, context.invocation);
  }
  const sampler = new TraceSampler(model, dataset, rng.fork("trace-sampler"));
  const inputs = validationInputs(task, trainingSet, options.validationPerLength ?? 2, "compress-validation");
  const stages: { stage: string; solved: number; maxStepError: number }[] = [];
  const metadata = npiMetadataOf(loaded, trainingSet);
  let stageIndex = 0;
  const result = await compress(compressionTargetOf(model), options.plan, {
    rng: rng.fork("pipeline"),
    train: createRetrainer(sampler, settings, options.onRetrain),
    evaluate: async () => {
      const solved = solvedFraction(model, task, inputs);
      const maxStepError = Math.max(...sampler.stepErrors().map((e) => e.stepError));
      stages.push({ stage: `#${stageIndex++}`, solved, maxStepError });
      return solved;
    },
    metricName: `validation problems solved (${inputs.length} at training lengths)`,
    ...(options.output === undefined ? {} : { output: containerFile(options.output) }),
    ...(options.coder === undefined ? {} : { coder: options.coder }),
    ...(options.header === undefined ? {} : { header: options.header }),
    ...(options.metadataForm === undefined ? {} : { metadataForm: options.metadataForm }),
    metadata,
    onEvent: (event) => {
      if (event.kind === "metric") {
        // The pipeline names the stage after measuring: attach the name to the last measurement.
        const last = stages[stages.length - 1]!;
        last.stage = event.stage;
        options.onMetric?.(event.stage, last.solved, last.maxStepError);
        if (options.savePrunedTo !== undefined && event.stage === lastPruneStageOf(options.plan))
          savePrunedCheckpoint(loaded, options.savePrunedTo);
        options.afterStage?.(event.stage);
      }
      options.onEvent?.(event);
    },
  });
  return { result, metadata, trainingSet, stages };
}
