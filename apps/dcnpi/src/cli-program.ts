/**
 * The dcnpi command line as a function, so tests drive it in-process; `cli.ts` is the executable.
 *   dcnpi compress <model.json> [--plan plan.json|paper|safe] [--unchecked] -o model.dcnpi [--seed N]
 *     [--data <images/ | x.npy | idx> [--min-agreement P | --max-drop D] [--force]]   (see data-options.ts)
 *   dcnpi inspect <file> [--json]
 *   dcnpi decompress <file> -o <dir>
 *   dcnpi default-plan [--paper]
 * Bad input gets one line on stderr (runCli from @dcnpi/run-kit): exit 1 for a failed operation, 2 for a
 * wrong command line; nothing half-written is left behind.
 */
import { resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import {
  compress,
  defaultPlan,
  formatReport,
  reencodeContainer,
  safePlan,
  type ContainerOptions,
  type PipelineEvent,
} from "@dcnpi/deep-compression";
import { containerFile, decompressToModelFiles, loadModelTarget } from "@dcnpi/deep-compression/node";
import { initEngine } from "@dcnpi/engine";
import { createProgress, invocationDirectory, runCli, usageErrorOutput, type Progress } from "@dcnpi/run-kit";
import { formatInspection } from "@dcnpi/sparse-format";
import { inspectContainer, readContainer, writeContainer } from "@dcnpi/sparse-format/node";
import { Rng } from "@dcnpi/tensor";
import { choosePlan } from "./plan-choice.js";
import { uncheckedSharingNote } from "./unchecked-note.js";
import { compressWithData } from "./compress-with-data.js";
import { addDataOptions, budgetFromFlags, preprocessingFromFlags, type DataFlags } from "./data-options.js";

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  /** Progress of long steps, as lines on stderr (benchmarks running the command in-process); default: none unless this is the process's own I/O. */
  readonly progress?: "lines";
}

/** How an io shows progress: the terminal's own way for the process's I/O, else `io.progress` or nothing. */
function progressMode(io: CliIo): { mode?: "lines" | "silent" } {
  return io === processIo ? {} : { mode: io.progress ?? "silent" };
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: invocationDirectory(),
};

function nonNegativeInteger(value: string): number {
  const seed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(seed)) throw new InvalidArgumentError("must be a non-negative integer");
  return seed;
}

/**
 * `--max-zero-tail`: version-1 files written before issue 16's fix may end a sparse layer at its last
 * non-zero and declare the rest; readers refuse that by default (a declared size must be expressible).
 */
function zeroTailOption(): Option {
  return new Option(
    "--max-zero-tail <elements>",
    "read an old file whose sparse layers declare up to this many unstored zeros in all (default 0)",
  )
    .argParser(nonNegativeInteger)
    .default(0);
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
          ...progressMode(io),
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

/** `--coder`, `--header` and `--metadata` (issue 17): all default to the paper-faithful file. */
function containerOptions(): Option[] {
  return [
    new Option(
      "--coder <coder>",
      "huffman: the paper's Huffman coding; best: per stream the smallest of fixed, Huffman, arithmetic and context-coded arithmetic, " +
        "codebooks and dense float32 tensors packed (lossless)",
    ).choices(["huffman", "best"]),
    new Option("--header <header>", "json: the JSON header; binary: the compact binary header (container version 2)").choices([
      "json",
      "binary",
    ]),
    new Option(
      "--metadata <form>",
      "full: the file keeps the plan and every stage's metric; lean: only what loading needs (container version 2)",
    ).choices(["full", "lean"]),
  ];
}

function containerOf(options: { coder?: string; header?: string; metadata?: string }): ContainerOptions {
  return {
    ...(options.coder === undefined ? {} : { coder: options.coder as "huffman" | "best" }),
    ...(options.header === undefined ? {} : { header: options.header as "json" | "binary" }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata as "full" | "lean" }),
  };
}

/** The container options as `compress()` takes them (its `metadata` is the caller's `user` object). */
function compressContainerOptions({ coder, header, metadata }: ContainerOptions) {
  return {
    ...(coder === undefined ? {} : { coder }),
    ...(header === undefined ? {} : { header }),
    ...(metadata === undefined ? {} : { metadataForm: metadata }),
  };
}

function buildProgram(io: CliIo): Command {
  const path = (p: string) => resolve(io.cwd, p);
  const log = (line: string) => io.err(`${line}\n`);
  const program = new Command()
    .name("dcnpi")
    .description("Deep Compression (prune, share weights by k-means, Huffman-code) for TensorFlow.js layers and graph models")
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: usageErrorOutput("dcnpi") })
    .exitOverride();

  addDataOptions(
    program
      .command("compress")
      .description(
        "prune, quantize and Huffman-code a tfjs layers or graph model (model.json + shards) into one .dcnpi file; " +
          "without a plan or data: weight sharing only (safe default), no pruning; " +
          "with --data (layers models), measured on your inputs and retrained by distillation; with a budget, each layer's pruning and bits are chosen for you",
      )
      .argument("<model.json>", "TensorFlow.js layers or graph model (shards may be uint8/uint16/float16-quantized by tfjs-converter)")
      .requiredOption("-o, --output <file>", "where to write the compressed model")
      .option(
        "--plan <plan.json|paper|safe>",
        "compression plan (see `dcnpi default-plan`); `paper`: the paper's pruning and bits; default `safe`: kernels share 8-bit weights, nothing pruned " +
          "(with --data: the paper's plan, measured and retrained)",
      )
      .option("--unchecked", "allow a plan that prunes without data to measure the damage (one-shot; accuracy is not checked)")
      .option("--seed <n>", "seed for every random choice (same seed, same bytes)", nonNegativeInteger, 1)
      .addOption(containerOptions()[0]!)
      .addOption(containerOptions()[1]!)
      .addOption(containerOptions()[2]!),
  ).action(
    async (
      modelJson: string,
      options: {
        output: string;
        plan?: string;
        unchecked?: boolean;
        seed: number;
        coder?: string;
        header?: string;
        metadata?: string;
      } & DataFlags,
    ) => {
      const budget = budgetFromFlags(options);
      const planName =
        options.plan === undefined || options.plan === "paper" || options.plan === "safe" ? options.plan : path(options.plan);
      if (options.data !== undefined) {
        // With data the damage is measured, so the paper's plan is the starting point (the budget search replaces it).
        const plan = planName === undefined ? defaultPlan : choosePlan({ plan: planName, hasData: true }).plan;
        const preprocessing = preprocessingFromFlags(options, path);
        const engine = await initEngine({ log });
        log(`backend ${engine.backend}`);
        await compressWithData(
          {
            modelJson: path(modelJson),
            output: path(options.output),
            savePlan: path(options.savePlan ?? `${options.output}.plan.json`),
            plan,
            seed: options.seed,
            data: path(options.data),
            labels: options.labels === undefined ? undefined : path(options.labels),
            dataLimit: options.dataLimit,
            preprocessing,
            budget,
            holdoutFraction: options.holdout,
            holdoutGroup: options.holdoutGroup,
            holdoutGroups: options.holdoutGroups === undefined ? undefined : path(options.holdoutGroups),
            force: options.force === true,
            searchBits: options.searchBits,
            scanShare: options.scanShare,
            margin: options.margin,
            temperature: options.temperature,
            mixup: options.mixup === true,
            oneShot: options.oneShot === true,
            // Error feedback is the default with --data (it never changes the format); --no-feedback gives the paper's codes.
            feedback: options.feedback !== false,
            container: containerOf(options),
          },
          {
            out: io.out,
            log,
            onEvent: progressPrinter(io),
            progress: (label, total) =>
              createProgress({
                label,
                total,
                lineIntervalSeconds: 5,
                ...progressMode(io),
              }),
          },
        );
        return;
      }
      const { plan, source, prunes } = choosePlan({ plan: planName, unchecked: options.unchecked, hasData: false });
      const engine = await initEngine({ log });
      const loaded = await loadModelTarget(path(modelJson));
      const kind = loaded.graphModel === undefined ? "layers model" : "graph model (one-shot: graph models are not retrained)";
      log(`backend ${engine.backend}; ${kind}; plan: ${source}`);
      if (prunes) log("accuracy was not checked: --unchecked pruned weights one-shot with no data to measure the damage");
      try {
        const { report } = await compress(loaded.target, plan, {
          rng: Rng.fromSeed(options.seed),
          output: containerFile(path(options.output)),
          onEvent: progressPrinter(io),
          ...compressContainerOptions(containerOf(options)),
          graphModel: loaded.graphModel,
        });
        io.out(`${formatReport(report)}\nwrote ${path(options.output)}\n`);
        const note = prunes ? undefined : uncheckedSharingNote(report);
        if (note !== undefined) log(note);
      } finally {
        loaded.dispose();
      }
    },
  );

  program
    .command("inspect")
    .description("where the bytes of a .dcnpi file go: per-layer table, the paper's count and the true file size")
    .argument("<file>", "a .dcnpi file")
    .option("--json", "print the inspection as JSON")
    .addOption(zeroTailOption())
    .action(async (file: string, options: { json?: boolean; maxZeroTail: number }) => {
      const inspection = await inspectContainer(path(file), { maxZeroTailElements: options.maxZeroTail });
      io.out(`${options.json ? JSON.stringify(inspection, null, 2) : formatInspection(inspection)}\n`);
    });

  program
    .command("reencode")
    .description(
      "write a .dcnpi file again with another coder or header (same weights, metadata and stored layout; no retraining), and print both sizes",
    )
    .argument("<file>", "a .dcnpi file")
    .requiredOption("-o, --output <file>", "where to write the re-encoded file")
    .addOption(containerOptions()[0]!)
    .addOption(containerOptions()[1]!)
    .addOption(containerOptions()[2]!)
    .addOption(zeroTailOption())
    .action(async (file: string, options: { output: string; coder?: string; header?: string; metadata?: string; maxZeroTail: number }) => {
      const limits = { maxZeroTailElements: options.maxZeroTail };
      const before = await inspectContainer(path(file), limits);
      const container = containerOf(options);
      const huffman = "smallest";
      // Re-encoding writes tail fillers, so an old file read with --max-zero-tail comes out strict.
      await writeContainer(path(options.output), reencodeContainer(await readContainer(path(file), limits), huffman, container));
      const after = await inspectContainer(path(options.output));
      const line = (what: string, i: typeof before) =>
        `${what}: ${i.fileBytes} bytes, ${i.onDisk.compressionRatio.toFixed(2)}x of float32, header ${i.overhead.headerBytes} bytes`;
      io.out(`${line("before", before)}\n${line("after", after)}\nwrote ${path(options.output)}\n`);
    });

  program
    .command("decompress")
    .description("write a standard model.json + weights.bin that stock TensorFlow.js loads (tf.loadLayersModel or tf.loadGraphModel)")
    .argument("<file>", "a .dcnpi file made from a layers or graph model")
    .requiredOption("-o, --output <dir>", "directory for model.json and weights.bin")
    .addOption(zeroTailOption())
    .action(async (file: string, options: { output: string; maxZeroTail: number }) => {
      await initEngine({ log: () => {} });
      const { modelJsonPath } = await decompressToModelFiles(path(file), path(options.output), {
        maxZeroTailElements: options.maxZeroTail,
      });
      io.out(`wrote ${modelJsonPath}\n`);
    });

  program
    .command("default-plan")
    .description("print the plan compress uses without --plan (safe: weight sharing only) as JSON, to edit; --paper: the paper's")
    .option("--paper", "the paper's plan (pruning to its AlexNet averages, 8-bit conv / 5-bit fc codes)")
    .action((options: { paper?: boolean }) => {
      io.out(`${JSON.stringify(options.paper === true ? defaultPlan : safePlan(), null, 2)}\n`);
    });
  return program;
}

/** Runs the CLI on `args` (without node and script); resolves to the exit code. */
export function runDcnpi(args: readonly string[], io: CliIo = processIo): Promise<number> {
  return runCli("dcnpi", () => buildProgram(io).parseAsync([...args], { from: "user" }), { err: io.err });
}
