/**
 * The dcnpi command line as a function, so tests drive it in-process; `cli.ts` is the executable.
 *   dcnpi compress <model.json> [--plan plan.json] -o model.dcnpi [--seed N]
 *   dcnpi inspect <file> [--json]
 *   dcnpi decompress <file> -o <dir>
 *   dcnpi default-plan
 * Bad input gets one line on stderr (runCli from @dcnpi/run-kit): exit 1 for a failed operation, 2 for a
 * wrong command line; nothing half-written is left behind.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import {
  compress,
  CompressionError,
  defaultPlan,
  formatReport,
  parsePlan,
  type CompressionPlan,
  type PipelineEvent,
} from "@dcnpi/deep-compression";
import { containerFile, decompressToModelFiles, loadLayersModelFiles } from "@dcnpi/deep-compression/node";
import { initEngine } from "@dcnpi/engine";
import { createProgress, invocationDirectory, runCli, usageErrorOutput, type Progress } from "@dcnpi/run-kit";
import { formatInspection } from "@dcnpi/sparse-format";
import { inspectContainer } from "@dcnpi/sparse-format/node";
import { Rng } from "@dcnpi/tensor";

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: invocationDirectory(),
};

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(seed)) throw new InvalidArgumentError("must be a non-negative integer");
  return seed;
}

function readPlan(file: string | undefined): CompressionPlan {
  if (file === undefined) return defaultPlan;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason =
      error instanceof SyntaxError ? "is not valid JSON" : `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    throw new CompressionError("INVALID_PLAN", `${file}: ${reason}`);
  }
  return parsePlan(raw, file);
}

/** One bar per per-weight stage on a terminal, plain lines otherwise. */
function progressPrinter(io: CliIo): (event: PipelineEvent) => void {
  let bar: Progress | undefined;
  let barStage = "";
  return (event) => {
    if (event.kind === "stage-start") {
      bar?.stop();
      bar = undefined;
      io.err(`${event.stage}${event.detail ? ` (${event.detail})` : ""}...\n`);
    } else if (event.kind === "weight") {
      if (bar === undefined || barStage !== event.stage) {
        bar?.stop();
        bar = createProgress({
          label: event.stage,
          total: event.count,
          lineIntervalSeconds: 5,
          ...(io === processIo ? {} : { mode: "silent" as const }),
        });
        barStage = event.stage;
      }
      bar.update(event.index + 1, event.name);
      if (event.index + 1 === event.count) {
        bar.stop();
        bar = undefined;
      }
    }
  };
}

function buildProgram(io: CliIo): Command {
  const path = (p: string) => resolve(io.cwd, p);
  const log = (line: string) => io.err(`${line}\n`);
  const program = new Command()
    .name("dcnpi")
    .description("Deep Compression (prune, share weights by k-means, Huffman-code) for TensorFlow.js layers models")
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: usageErrorOutput("dcnpi") })
    .exitOverride();

  program
    .command("compress")
    .description(
      "prune, quantize and Huffman-code a tfjs layers model (model.json + shards) into one .dcnpi file; without training data there is no retraining",
    )
    .argument("<model.json>", "TensorFlow.js layers model (shards may be uint8/float16-quantized by tfjs-converter)")
    .requiredOption("-o, --output <file>", "where to write the compressed model")
    .option("--plan <plan.json>", "compression plan (see `dcnpi default-plan`); the paper's defaults when omitted")
    .option("--seed <n>", "seed for every random choice (same seed, same bytes)", parseSeed, 1)
    .action(async (modelJson: string, options: { output: string; plan?: string; seed: number }) => {
      const plan = readPlan(options.plan === undefined ? undefined : path(options.plan));
      const engine = await initEngine({ log });
      const { model } = await loadLayersModelFiles(path(modelJson));
      log(`backend ${engine.backend}; no training data given: pruning is one-shot and centroids are not fine-tuned`);
      try {
        const { report } = await compress(model, plan, {
          rng: Rng.fromSeed(options.seed),
          output: containerFile(path(options.output)),
          onEvent: progressPrinter(io),
        });
        io.out(`${formatReport(report)}\nwrote ${path(options.output)}\n`);
      } finally {
        model.dispose();
      }
    });

  program
    .command("inspect")
    .description("where the bytes of a .dcnpi file go: per-layer table, the paper's count and the true file size")
    .argument("<file>", "a .dcnpi file")
    .option("--json", "print the inspection as JSON")
    .action(async (file: string, options: { json?: boolean }) => {
      const inspection = await inspectContainer(path(file));
      io.out(`${options.json ? JSON.stringify(inspection, null, 2) : formatInspection(inspection)}\n`);
    });

  program
    .command("decompress")
    .description("write a standard model.json + weights.bin that stock TensorFlow.js loads")
    .argument("<file>", "a .dcnpi file made from a layers model")
    .requiredOption("-o, --output <dir>", "directory for model.json and weights.bin")
    .action(async (file: string, options: { output: string }) => {
      await initEngine({ log: () => {} });
      const { modelJsonPath } = await decompressToModelFiles(path(file), path(options.output));
      io.out(`wrote ${modelJsonPath}\n`);
    });

  program
    .command("default-plan")
    .description("print the default compression plan (the paper's bit widths) as JSON, to edit")
    .action(() => {
      io.out(`${JSON.stringify(defaultPlan, null, 2)}\n`);
    });
  return program;
}

/** Runs the CLI on `args` (without node and script); resolves to the exit code. */
export function runDcnpi(args: readonly string[], io: CliIo = processIo): Promise<number> {
  return runCli("dcnpi", () => buildProgram(io).parseAsync([...args], { from: "user" }), { err: io.err });
}
