import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { formatReport, type CompressionPlan, type PipelineEvent } from "@dcnpi/deep-compression";
import { createProgress, writeFileAtomic, writeJsonAtomic, type Progress } from "@dcnpi/run-kit";
import { checkCompressed, denseBaseline, type CompressCheckResult, type DenseBaseline } from "./compress-check.js";
import { compressNpi, lastPruneStageOf, type CompressNpiOptions, type CompressNpiResult } from "./compress-npi.js";
import { NpiAppError } from "./errors.js";
import { loadCompressedBytes, loadModel, type LoadedModel } from "./model-store.js";
import { trainingSetOfModel } from "./defaults.js";
import type { RetrainEvent } from "./retrain.js";

export interface CompressCommandOptions {
  readonly checkpoint: string;
  readonly plan: CompressionPlan;
  /**
   * Plans run first, in order, each keeping only its pruned float32 model (the weights after its last
   * pruning cycle) as the next one's start; their quantized models are discarded (npi-plan.ts: v6).
   */
  readonly earlierSteps?: readonly CompressionPlan[];
  readonly output: string | undefined;
  readonly seed: number;
  /** Also write the pruned float32 model (before quantization) as a checkpoint directory here. */
  readonly savePruned?: string | undefined;
  /** Beyond the paper (issue 17): `best` adds the arithmetic coder; default `huffman`. */
  readonly coder?: "huffman" | "best";
  /** Beyond the paper (issue 17): `binary` header; default `json`. */
  readonly header?: "json" | "binary";
  /** Beyond the paper (issue 17): `lean` leaves the plan and stage metrics out of the file (they are in `<out>.compress.json`); default `full`. */
  readonly metadata?: "full" | "lean";
  /**
   * Retrain on the verification set's contexts too (compress-npi.ts). Default: on for tasks that have a
   * set (the recursive ones); `false` turns it off; `true` for a task without a set is an error.
   */
  readonly trainOnVerificationSet?: boolean;
  /** Write the file even when the check before writing fails (compress-check.ts); it says so in one line. */
  readonly force?: boolean;
  readonly backend: string;
  readonly progress: "bar" | "lines" | "silent";
  readonly log: (line: string) => void;
}

/** Where `npi compress` writes its JSON report: beside the container. */
export function reportPathOf(output: string): string {
  return output.replace(/(\.dcnpi)?$/, ".compress.json");
}

/**
 * Decodes the bytes about to be written, as a user will load them, and checks them (compress-check.ts).
 * A failed check writes nothing and throws, unless `force`.
 */
async function checkBeforeWriting(
  bytes: Uint8Array,
  output: string,
  loaded: LoadedModel,
  baseline: DenseBaseline | undefined,
  force: boolean,
): Promise<CompressCheckResult> {
  const decoded = await loadCompressedBytes(bytes, output);
  let check: CompressCheckResult;
  try {
    check = checkCompressed(decoded.model, loaded.task, baseline);
  } finally {
    decoded.model.dispose();
  }
  if (!check.passed && !force)
    throw new NpiAppError(
      "CHECK_FAILED",
      `${output}: not written: the compressed ${loaded.taskName} model fails the check before writing, ${check.summary}; ` +
        "try a gentler --plan (see npi sensitivity), or --force to write it anyway",
    );
  return check;
}

/** `npi compress`: returns the text to print (per-layer table, totals, accuracies, the check before writing). */
export async function compressCommand(options: CompressCommandOptions): Promise<string> {
  const loaded = await loadModel(options.checkpoint);
  try {
    if (loaded.kind !== "dense")
      throw new NpiAppError("INVALID_OPTION", `${options.checkpoint}: already compressed; compress takes a training checkpoint`);
    const output = options.output ?? join(loaded.source, `${loaded.taskName}.dcnpi`);
    mkdirSync(dirname(output), { recursive: true });
    options.log(
      `compress ${loaded.taskName} model (${loaded.float32Bytes} bytes of float32 parameters, step ${loaded.step}) -> ${output}; backend ${options.backend}`,
    );
    let bar: Progress | undefined;
    const onRetrain = (event: RetrainEvent) => {
      if (event.step === 1)
        bar = createProgress({
          label: `${event.stage === "prune" ? `retrain (prune cycle ${event.cycle})` : "fine-tune centroids"}`,
          total: event.steps,
          mode: options.progress,
        });
      bar?.update(
        event.step,
        `loss ${event.loss.toFixed(4)}${event.maxStepError === undefined ? "" : ` tf-err ${event.maxStepError.toFixed(4)}`}`,
      );
      if (event.step === event.steps) bar?.stop();
    };
    const onEvent = (event: PipelineEvent) => {
      if (event.kind === "stage-start") options.log(`${event.stage}${event.detail ? ` (${event.detail})` : ""}...`);
    };
    const started = performance.now();
    const hasSet = loaded.task.verificationSet !== undefined;
    const trainOnVerificationSet = options.trainOnVerificationSet ?? hasSet;
    // Tasks without a verification set are checked against the dense model's own answers, measured now:
    // the pipeline changes the model in place.
    const baseline = hasSet ? undefined : denseBaseline(loaded.model, loaded.task, trainingSetOfModel(loaded));
    if (baseline !== undefined)
      options.log(
        `check before writing: ${baseline.inputs.length} held-out problems at the training lengths; ` +
          `the dense model solves ${baseline.solved.filter(Boolean).length}`,
      );
    // After earlier steps the pipeline's "dense" measurement is of the pruned model they left.
    let startLabel = "dense";
    const label = (stage: string) => (stage === "dense" ? startLabel : stage);
    const common = {
      seed: options.seed,
      trainOnVerificationSet,
      onRetrain,
      onEvent,
      onMetric: (stage: string, solved: number, maxStepError: number) =>
        options.log(
          `  ${label(stage)}: ${(100 * solved).toFixed(1)}% of validation problems solved, max teacher-forced step error ${maxStepError.toFixed(4)}`,
        ),
    } satisfies Partial<CompressNpiOptions>;
    const earlier = options.earlierSteps ?? [];
    const earlierStages: CompressNpiResult["stages"][] = [];
    for (const [index, plan] of earlier.entries()) {
      options.log(
        `step ${index + 1}/${earlier.length + 1}: an earlier plan; only its pruned float32 model is kept, to start the next step`,
      );
      const last = lastPruneStageOf(plan);
      let pruned: ReturnType<typeof loaded.model.weights> | undefined;
      const step = await compressNpi(loaded, {
        ...common,
        plan,
        afterStage: (stage) => (stage === last ? (pruned = loaded.model.weights()) : undefined),
      });
      if (pruned === undefined) throw new NpiAppError("INVALID_OPTION", `step ${index + 1}: the pipeline never reported stage "${last}"`);
      loaded.model.setWeights(pruned, { complete: true });
      earlierStages.push(step.stages);
    }
    if (earlier.length > 0) {
      options.log(`step ${earlier.length + 1}/${earlier.length + 1}: the plan itself, from that pruned model`);
      startLabel = "start (the earlier step's pruned model)";
    }
    const { result, stages: measured } = await compressNpi(loaded, {
      ...common,
      plan: options.plan,
      ...(options.savePruned === undefined ? {} : { savePrunedTo: options.savePruned }),
      ...(options.coder === undefined ? {} : { coder: options.coder }),
      ...(options.header === undefined ? {} : { header: options.header }),
      ...(options.metadata === undefined ? {} : { metadataForm: options.metadata }),
    });
    const stages = measured.map((s) => ({ ...s, stage: label(s.stage) }));
    options.log(`check before writing (${hasSet ? "the whole verification set" : "held-out problems"}) ...`);
    const check = await checkBeforeWriting(result.bytes!, output, loaded, baseline, options.force === true);
    writeFileAtomic(output, result.bytes!);
    const wallSeconds = (performance.now() - started) / 1000;
    const { report } = result;
    writeJsonAtomic(reportPathOf(output), {
      version: 1,
      task: loaded.taskName,
      checkpoint: loaded.source,
      output,
      seed: options.seed,
      backend: options.backend,
      wallSeconds,
      float32Bytes: loaded.float32Bytes,
      trainedOnVerificationSet: trainOnVerificationSet,
      check,
      ...(earlierStages.length > 0 ? { earlierStages } : {}),
      stages,
      report,
    });
    const onDisk = report.totals.onDisk;
    return [
      formatReport(report),
      "",
      `NPI ${loaded.taskName}: ${loaded.float32Bytes} bytes of float32 parameters -> ${onDisk.fileBytes} ` +
        `bytes on disk (${(loaded.float32Bytes / onDisk.fileBytes).toFixed(1)}x smaller)`,
      `validation (training lengths) solved: ${stages.map((s) => `${s.stage} ${(100 * s.solved).toFixed(1)}%`).join(", ")}`,
      `check before writing: ${check.passed ? "passed" : "FAILED (written because of --force)"}: ${check.summary}`,
      `wall time ${(wallSeconds / 60).toFixed(1)} min on ${options.backend}`,
      `wrote ${output} and ${reportPathOf(output)}${options.savePruned === undefined ? "" : `; pruned float32 model in ${options.savePruned}`}`,
      "",
    ].join("\n");
  } finally {
    loaded.model.dispose();
  }
}
