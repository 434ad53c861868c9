import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { formatReport, type CompressionPlan, type PipelineEvent } from "@dcnpi/deep-compression";
import { createProgress, writeJsonAtomic, type Progress } from "@dcnpi/run-kit";
import { compressNpi } from "./compress-npi.js";
import { NpiAppError } from "./errors.js";
import { loadModel } from "./model-store.js";
import type { RetrainEvent } from "./retrain.js";

export interface CompressCommandOptions {
  readonly checkpoint: string;
  readonly plan: CompressionPlan;
  readonly output: string | undefined;
  readonly seed: number;
  /** Also write the pruned float32 model (before quantization) as a checkpoint directory here. */
  readonly savePruned?: string | undefined;
  /** Beyond the paper (issue 17): `best` adds the arithmetic coder; default `huffman`. */
  readonly coder?: "huffman" | "best";
  /** Beyond the paper (issue 17): `binary` header; default `json`. */
  readonly header?: "json" | "binary";
  /** Recursive tasks: retrain on the verification set's contexts too (compress-npi.ts). */
  readonly trainOnVerificationSet?: boolean;
  readonly backend: string;
  readonly progress: "bar" | "lines" | "silent";
  readonly log: (line: string) => void;
}

/** Where `npi compress` writes its JSON report: beside the container. */
export function reportPathOf(output: string): string {
  return output.replace(/(\.dcnpi)?$/, ".compress.json");
}

/** `npi compress`: returns the text to print (per-layer table, totals, accuracies). */
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
    const { result, stages } = await compressNpi(loaded, {
      plan: options.plan,
      seed: options.seed,
      output,
      ...(options.savePruned === undefined ? {} : { savePrunedTo: options.savePruned }),
      ...(options.coder === undefined ? {} : { coder: options.coder }),
      ...(options.header === undefined ? {} : { header: options.header }),
      ...(options.trainOnVerificationSet === true ? { trainOnVerificationSet: true } : {}),
      onRetrain,
      onEvent,
      onMetric: (stage, solved, maxStepError) =>
        options.log(
          `  ${stage}: ${(100 * solved).toFixed(1)}% of validation problems solved, max teacher-forced step error ${maxStepError.toFixed(4)}`,
        ),
    });
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
      trainedOnVerificationSet: options.trainOnVerificationSet === true,
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
      `wall time ${(wallSeconds / 60).toFixed(1)} min on ${options.backend}`,
      `wrote ${output} and ${reportPathOf(output)}${options.savePruned === undefined ? "" : `; pruned float32 model in ${options.savePruned}`}`,
      "",
    ].join("\n");
  } finally {
    loaded.model.dispose();
  }
}
