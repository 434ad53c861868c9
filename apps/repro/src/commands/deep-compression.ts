import type { Command } from "commander";
import { MODEL_CHOICES, parseDeepCompressionOptions, type DeepCompressionOptions } from "../deep-compression/options.js";
import { invocationDirectory } from "@dcnpi/run-kit";

/** What the command does once its options are valid (tests swap it out). */
export type DeepCompressionRunner = (options: DeepCompressionOptions, command: string) => Promise<void>;

/** Runs the experiments and prints where the results are, one line per model on stdout. */
export const runExperiments: DeepCompressionRunner = async (options, command) => {
  // Loaded here so `repro --help` and bad flags never start TensorFlow.js.
  const [{ runDeepCompression }, { measuredOf }, { checkTargets }, { checkBeyond, BEYOND_TARGETS, FAITHFUL_V2_TARGETS, reencodedSummary }] =
    await Promise.all([
      import("../deep-compression/run-deep-compression.js"),
      import("../deep-compression/report.js"),
      import("../deep-compression/targets.js"),
      import("../deep-compression/beyond-report.js"),
    ]);
  const { dir, outcomes } = await runDeepCompression({
    models: options.models,
    full: options.full,
    seed: options.seed,
    methods: options.methods,
    dir: options.dir,
    command,
    ...(options.progress === undefined ? {} : { progress: options.progress }),
    say: (line) => process.stderr.write(`${line}\n`),
  });
  for (const outcome of outcomes) {
    if (outcome.kind === "beyond") {
      const c = checkBeyond(outcome);
      const t = BEYOND_TARGETS[c.model];
      process.stdout.write(
        `${c.model} (beyond): test error ${(100 * c.error).toFixed(2)}%, ${c.ratio.toFixed(1)}x in true bytes ` +
          `(${outcome.compress.fileBytes.toLocaleString("en-US")} B file); target ≥ ${t.ratio}x at ≤ ${(100 * t.error).toFixed(2)}%: ` +
          `${c.ratioMet && c.errorMet ? "met" : "missed"}\n`,
      );
      if (outcome.reencoded !== undefined) process.stdout.write(`  ${reencodedSummary(outcome.reencoded, t)}\n`);
      continue;
    }
    const m = measuredOf(outcome);
    const t = m.table1;
    const error =
      t.compressedError === null
        ? "accuracy not measured (synthetic weights)"
        : `test error ${(100 * t.compressedError).toFixed(2)}% (dense ${(100 * (t.denseError ?? Number.NaN)).toFixed(2)}%)`;
    const missed = checkTargets(t).filter((c) => !c.met);
    process.stdout.write(
      `${m.model}: ${error}, ${(t.paperDenseBytes / t.paperCompressedBytes).toFixed(1)}x the paper's ` +
        `way (${(t.paperCompressedBytes / 1000).toFixed(1)} KB), ${(t.trueDenseBytes / t.fileBytes).toFixed(1)}x ` +
        `in true bytes (${t.fileBytes.toLocaleString("en-US")} ` +
        `B file); targets ${missed.length === 0 ? "met" : `missed: ${missed.map((c) => `${c.target} (${c.shortfall})`).join("; ")}`}\n`,
    );
    if (outcome.kind === "lenet" && outcome.reencoded !== undefined)
      process.stdout.write(`  ${reencodedSummary(outcome.reencoded, FAITHFUL_V2_TARGETS[outcome.model])}\n`);
  }
  process.stdout.write(`report: ${dir}/report.html\n`);
};

/** `repro deep-compression --model ... [--method M] [--full] [--seed N] [--run-id ID] [--out DIR] [--progress MODE]` */
export function registerDeepCompressionCommand(program: Command, runner: DeepCompressionRunner = runExperiments): Command {
  const command = program
    .command("deep-compression")
    .description(
      "Deep Compression: Tables 1-5 and Figures 4-6/8 (LeNets trained on real MNIST; AlexNet/VGG-16 shapes with synthetic weights)",
    )
    .option("--model <name>", `${MODEL_CHOICES.join(" | ")}`)
    .option("--full", "the paper's retraining (longer training and retraining; figures with retraining)")
    .option("--seed <n>", "seed of everything random (initial weights, batches, k-means, synthetic weights)", "1")
    .option("--run-id <id>", "results/<run-id>/ (default dc-<model>-<quick|full>-seed<n>); an existing one resumes")
    .option("--out <dir>", "the run directory itself, instead of results/<run-id>/ (relative to where you typed the command)")
    .option("--progress <mode>", "bar, lines or silent (default: a bar on a terminal, lines otherwise)")
    .option(
      "--method <name>",
      "paper (the paper's three stages), beyond (training for compressibility: lower densities, entropy-constrained " +
        "quantization) or both (default: both for --model all, paper otherwise)",
    )
    .showHelpAfterError(false)
    .showSuggestionAfterError(false)
    // A bad value is a UsageError (exit 2), a failed run any other error (exit 1): runCli prints either as one line.
    .action(async (raw: Record<string, unknown>) => {
      const options = parseDeepCompressionOptions(raw, invocationDirectory());
      await runner(options, `repro deep-compression ${process.argv.slice(3).join(" ")}`.trim());
    });
  return command;
}

/** `repro` with no subcommand: the README's main job, the quick LeNet-300-100 reproduction. */
export async function runQuickReproduction(runner: DeepCompressionRunner = runExperiments): Promise<void> {
  const options = parseDeepCompressionOptions({ model: "lenet-300-100" }, invocationDirectory());
  await runner(options, "repro (quick: deep-compression --model lenet-300-100)");
}
