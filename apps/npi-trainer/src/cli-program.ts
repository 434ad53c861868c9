/**
 * The `npi` command line as a function, so tests drive it in-process; `cli.ts` is the executable.
 *   npi train --task addition|sort|car|all [--seed N] [--out DIR] [--quick]
 *   npi compress <checkpoint> [--plan plan.json] [-o out.dcnpi] [--seed N] [--force]
 *   npi eval <file...> --task T [--lengths 1,10,100] [--problems N] [--out DIR]
 *   npi run <file> --task T --input "1007+3" [--json] [--delay ms]
 *   npi inspect <file> [--json]
 *   npi sensitivity <checkpoint> [--sparsities ...]
 *   npi sweep <checkpoint> [--bits ...]
 * Bad input gets one line on stderr (runCli from @dcnpi/run-kit): exit 1 for a failed operation, 2 for a
 * wrong command line; files are written atomically.
 */
import { resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { initEngine, type EngineInfo } from "@dcnpi/engine";
import { invocationDirectory, runCli, usageErrorOutput } from "@dcnpi/run-kit";
import { NpiAppError } from "./errors.js";
import { PAPER_TASKS, parseTaskInput, parseTaskName, taskNameList, TASK_NAMES, verifiableTaskNames, type TaskName } from "./tasks.js";

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  /** Whether stdout is a terminal (live redraw in `run`, progress bars). */
  readonly isTTY: boolean;
  /** Whether stderr is a terminal (progress bars). */
  readonly errIsTTY: boolean;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: invocationDirectory(),
  isTTY: process.stdout.isTTY === true,
  errIsTTY: process.stderr.isTTY === true,
};

export function parseNonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("must be a non-negative integer");
  return n;
}

export function parsePositiveInteger(value: string): number {
  const n = parseNonNegativeInteger(value);
  if (n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

function parseTaskOption(value: string): TaskName {
  try {
    return parseTaskName(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message.replace(/^--task /, ""));
  }
}

function parseTrainTask(value: string): TaskName | "all" {
  return value.trim().toLowerCase() === "all" ? "all" : parseTaskOption(value);
}

function parseFractions(value: string): number[] {
  const parts = value.split(",").map((p) => p.trim());
  const numbers = parts.map(Number);
  if (parts.some((p) => p === "") || numbers.some((n) => !Number.isFinite(n) || n < 0 || n >= 1))
    throw new InvalidArgumentError("must be fractions in [0, 1) separated by commas");
  return numbers;
}

function parseBitList(value: string): number[] {
  const parts = value.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 16))
    throw new InvalidArgumentError("must be integers 1-16 separated by commas");
  return [...new Set(parts.map(Number))];
}

/** What the subcommands share: where output goes, how paths resolve, and the engine, started once. */
interface CommandEnv {
  readonly io: CliIo;
  readonly path: (p: string) => string;
  readonly log: (line: string) => void;
  readonly progressMode: () => "bar" | "lines" | "silent";
  readonly startEngine: () => Promise<EngineInfo>;
}

function buildProgram(io: CliIo): Command {
  const log = (line: string) => io.err(`${line}\n`);
  let engine: EngineInfo | undefined;
  const env: CommandEnv = {
    io,
    path: (p) => resolve(io.cwd, p),
    log,
    progressMode: () => (io === processIo ? (io.errIsTTY ? "bar" : "lines") : "silent"),
    startEngine: async () => (engine ??= await initEngine({ log })),
  };
  const program = new Command()
    .name("npi")
    .description("Neural Programmer-Interpreters, Deep-Compressed: train, compress, evaluate, run and inspect")
    // Usage errors are one line too: `npi: <commander's message> (run npi --help for usage)`.
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: usageErrorOutput("npi") })
    .exitOverride();
  addTrainCommand(program, env);
  addCompressCommand(program, env);
  addDefaultPlanCommand(program, env);
  addEvalCommand(program, env);
  addRunCommand(program, env);
  addInspectCommand(program, env);
  addVerifyCommand(program, env);
  addSensitivityCommand(program, env);
  addSweepCommand(program, env);
  addRecursionCommand(program, env);
  return program;
}

function addTrainCommand(program: Command, { io, path, log, progressMode, startEngine }: CommandEnv): void {
  program
    .command("train")
    .description("train an NPI on teacher traces (progress, atomic checkpoints; a killed run resumes when started again)")
    .requiredOption("--task <task>", `${TASK_NAMES.join(", ")} or all (the paper's three)`, parseTrainTask)
    .option("--seed <n>", "seed of the weights, the training set and the batches", parseNonNegativeInteger, 1)
    .option("--out <dir>", "run directory (default results/npi-trainer/<task>-seed<N>[-quick]; with --task all, one subdirectory per task)")
    .option("--quick", "a small model and a few hundred steps (checks the pipeline; not a result)")
    .addOption(new Option("--max-steps <n>", "stop after this many training steps").argParser(parsePositiveInteger))
    .addOption(
      new Option(
        "--recipe-of <task>",
        "train with the recipe (model, trainer, lengths, steps) of another task with the same problems " +
          "(--task addition --recipe-of recursive-addition: the non-recursive program trained as the recursive one)",
      ).argParser(parseTaskOption),
    )
    .option("--train-lengths <list>", "train (and validate) on these problem sizes instead of the recipe's, comma-separated")
    .addOption(
      new Option(
        "--traces-per-length <n>",
        "random training problems per size instead of the recipe's (e.g. 1: Cai et al.'s single trace)",
      ).argParser(parsePositiveInteger),
    )
    .action(
      async (options: {
        task: TaskName | "all";
        seed: number;
        out?: string;
        quick?: boolean;
        maxSteps?: number;
        recipeOf?: TaskName;
        trainLengths?: string;
        tracesPerLength?: number;
      }) => {
        const { trainCommand } = await import("./train-command.js");
        const { parseLengths } = await import("./input-parsing.js");
        const trainLengths = options.trainLengths === undefined ? undefined : parseLengths(options.trainLengths, "--train-lengths");
        const tasks: readonly TaskName[] = options.task === "all" ? PAPER_TASKS : [options.task];
        const suffix = `seed${options.seed}${options.quick ? "-quick" : ""}`;
        const engine = await startEngine();
        for (const task of tasks) {
          const out =
            options.out === undefined
              ? path(`results/npi-trainer/${task}-${suffix}`)
              : options.task === "all"
                ? path(`${options.out}/${task}`)
                : path(options.out);
          log(`train ${task} -> ${out} (backend ${engine.backend})`);
          const summary = trainCommand({
            task,
            seed: options.seed,
            out,
            quick: options.quick === true,
            ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
            ...(options.recipeOf === undefined ? {} : { recipeOf: options.recipeOf }),
            ...(trainLengths === undefined ? {} : { trainLengths }),
            ...(options.tracesPerLength === undefined ? {} : { tracesPerLength: options.tracesPerLength }),
            progress: progressMode(),
            log,
          });
          const last = summary.state.validation[summary.state.validation.length - 1];
          io.out(
            `${task}: ${summary.state.step} steps, ${(summary.state.wallSeconds / 60).toFixed(1)} min wall, ` +
              `validation ${last ? `${(100 * last.accuracy).toFixed(0)}% solved` : "-"}; checkpoint ${out}\n`,
          );
        }
      },
    );
}

function addCompressCommand(program: Command, { io, path, log, progressMode, startEngine }: CommandEnv): void {
  program
    .command("compress")
    .description(
      "Deep-Compress a trained NPI: prune with masked retraining on traces, k-means weight sharing " +
        "with centroid fine-tuning, Huffman coding into one .dcnpi file",
    )
    .argument("<checkpoint>", "a training checkpoint directory (npi train's --out) or its checkpoint.json")
    .option(
      "--plan <plan>",
      "compression plan: v4, v5 or v6 (named NPI plans; v6 runs v5 first and continues from its pruned model) or a plan JSON file " +
        "(default: v4, see `npi default-plan`)",
    )
    .option("-o, --output <file>", "where to write the compressed model (default <checkpoint>/<task>.dcnpi)")
    .option("--seed <n>", "seed of retraining batches and k-means (same seed, same bytes)", parseNonNegativeInteger, 1)
    .option("--save-pruned <dir>", "also write the pruned float32 model (before quantization) as a checkpoint, for `npi sweep --pruned`")
    .addOption(
      new Option(
        "--coder <coder>",
        "huffman (default): the paper's Huffman coding; best: per stream the smallest of fixed, Huffman, arithmetic and context-coded " +
          "arithmetic, codebooks and dense float32 tensors packed (lossless)",
      ).choices(["huffman", "best"]),
    )
    .addOption(
      new Option("--header <header>", "json (default) or binary: the compact binary header (container version 2)").choices([
        "json",
        "binary",
      ]),
    )
    .addOption(
      new Option(
        "--metadata <form>",
        "full (default): the file keeps the plan and every stage's metric; lean: only what loading needs (container version 2; " +
          "the plan and metrics stay in <out>.compress.json)",
      ).choices(["full", "lean"]),
    )
    .option(
      "--train-on-verification-set",
      "retrain on every context of the task's verification set too, so the compressed model is pushed to pass npi verify " +
        "(default for tasks that have a set: the recursive ones)",
    )
    .option("--no-train-on-verification-set", "recursive tasks: retrain on the training traces only")
    .option(
      "--force",
      "write the file even when the check before writing fails (the verification set for recursive tasks; " +
        "otherwise held-out problems the dense model solves)",
    )
    .action(
      async (
        checkpoint: string,
        options: {
          plan?: string;
          output?: string;
          seed: number;
          savePruned?: string;
          coder?: "huffman" | "best";
          header?: "json" | "binary";
          metadata?: "full" | "lean";
          trainOnVerificationSet?: boolean;
          force?: boolean;
        },
      ) => {
        const { compressCommand } = await import("./compress-command.js");
        const { planStepsOfOption } = await import("./npi-plan.js");
        const { plan, earlier } = planStepsOfOption(options.plan, path);
        const engine = await startEngine();
        const text = await compressCommand({
          checkpoint: path(checkpoint),
          plan,
          earlierSteps: earlier,
          output: options.output === undefined ? undefined : path(options.output),
          seed: options.seed,
          savePruned: options.savePruned === undefined ? undefined : path(options.savePruned),
          ...(options.coder === undefined ? {} : { coder: options.coder }),
          ...(options.header === undefined ? {} : { header: options.header }),
          ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
          ...(options.trainOnVerificationSet === undefined ? {} : { trainOnVerificationSet: options.trainOnVerificationSet }),
          force: options.force === true,
          backend: engine.backend,
          progress: progressMode(),
          log,
        });
        io.out(text);
      },
    );
}

function addDefaultPlanCommand(program: Command, { io, log }: CommandEnv): void {
  program
    .command("default-plan")
    .description("print the default NPI compression plan (or a named one) as JSON, to edit")
    .addOption(
      new Option("--name <plan>", "a named plan instead of the default (v4); v6: its own step, which npi compress runs after v5").choices([
        "v4",
        "v5",
        "v6",
      ]),
    )
    .action(async (options: { name?: "v4" | "v5" | "v6" }) => {
      const { DEFAULT_NPI_PLAN, NPI_PLANS, NPI_PLAN_EARLIER_STEPS } = await import("./npi-plan.js");
      if (options.name !== undefined && NPI_PLAN_EARLIER_STEPS[options.name] !== undefined)
        log(`plan ${options.name}: npi compress --plan ${options.name} runs v5 first; these are the rules of the step after it`);
      io.out(`${JSON.stringify(options.name === undefined ? DEFAULT_NPI_PLAN : NPI_PLANS[options.name], null, 2)}\n`);
    });
}

function addEvalCommand(program: Command, { io, path, log, startEngine }: CommandEnv): void {
  program
    .command("eval")
    .description(
      "generalisation by length: per-sequence accuracy of dense and/or compressed models on the same fresh problems; table, SVG plot, report",
    )
    .argument("<files...>", "checkpoint directories and/or .dcnpi files (compared side by side)")
    .requiredOption("--task <task>", `${taskNameList()} (must match the models)`, parseTaskOption)
    .option(
      "--lengths <list>",
      "problem sizes, comma-separated (default: addition 1,10,100,1000,3000; sort 2,5,10,20,30,40,50,60; car: camera moves 1-8)",
    )
    .addOption(
      new Option("--problems <n>", "problems per length (default 50, fewer for very long ones; car: every held-out problem)").argParser(
        parsePositiveInteger,
      ),
    )
    .addOption(
      new Option("--cars <set>", "car task: test on unseen cars (never trained on) or seen cars from held-out start poses")
        .choices(["unseen", "seen"])
        .default("unseen"),
    )
    .option("--seed <n>", "seed of the test problems", parseNonNegativeInteger, 1)
    .option("--out <dir>", "where the report goes (default: eval-<task> beside the first file; car: eval-car-<cars>)")
    .action(
      async (
        files: string[],
        options: { task: TaskName; lengths?: string; problems?: number; cars: "seen" | "unseen"; seed: number; out?: string },
      ) => {
        const { evalCommand } = await import("./eval-command.js");
        const { parseLengths } = await import("./input-parsing.js");
        const lengths = options.lengths === undefined ? undefined : parseLengths(options.lengths);
        const engine = await startEngine();
        const { text } = await evalCommand({
          files: files.map(path),
          task: options.task,
          lengths,
          problems: options.problems,
          cars: options.cars,
          seed: options.seed,
          out: options.out === undefined ? undefined : path(options.out),
          backend: engine.backend,
          log,
        });
        io.out(text);
      },
    );
}

function addRunCommand(program: Command, { io, path }: CommandEnv): void {
  program
    .command("run")
    .description(
      "execute a program from a compressed (or dense) model and show it as it happens: call stack, programs with arguments, scratch pad with pointers",
    )
    .argument("<file>", "a .dcnpi file or a checkpoint directory")
    .requiredOption("--task <task>", `${taskNameList()} (must match the model)`, parseTaskOption)
    .requiredOption(
      "--input <problem>",
      'addition: "1007+3"; sort: "9,2,5,1"; car: "<car seed>,<azimuth>,<elevation>" like "2097152,-45,30" (start pose in degrees)',
    )
    .option("--json", "print the raw execution log and the result as JSON")
    .option("--frames <file.svg>", "car task: also write the frames of the run, one per pose visited, as a labelled SVG page")
    .addOption(
      new Option("--delay <ms>", "pause per step when drawing on a terminal (default: ~8 s in total, at most 150 ms a step)").argParser(
        parseNonNegativeInteger,
      ),
    )
    .action(async (file: string, options: { task: TaskName; input: string; json?: boolean; frames?: string; delay?: number }) => {
      const { runCommand } = await import("./run-command.js");
      const input = parseTaskInput(options.task, options.input);
      if (options.frames !== undefined && options.task !== "car")
        throw new NpiAppError("INVALID_OPTION", "--frames pictures a car run; the other tasks' pads are drawn in the terminal");
      await initEngine({ log: () => {} });
      await runCommand({
        file: path(file),
        task: options.task,
        input,
        json: options.json === true,
        ...(options.frames === undefined ? {} : { frames: path(options.frames) }),
        delayMs: options.delay,
        io,
      });
    });
}

function addVerifyCommand(program: Command, { io, path, log, startEngine }: CommandEnv): void {
  program
    .command("verify")
    .description(
      "run a recursive model on its task's whole verification set (every context a call can meet, Cai et al. 2017): " +
        "passing proves it correct at every length",
    )
    .argument("<files...>", "checkpoint directories and/or .dcnpi files")
    .option("--task <task>", `${verifiableTaskNames().join(", ")} (must match the models)`, parseTaskOption)
    .option("--out <file.json>", "also write the results as JSON")
    .option("--json", "print the results as JSON")
    .action(async (files: string[], options: { task?: TaskName; out?: string; json?: boolean }) => {
      const { verifyCommand, formatVerification } = await import("./verify-command.js");
      await startEngine();
      const verified = await verifyCommand({
        files: files.map(path),
        task: options.task,
        out: options.out === undefined ? undefined : path(options.out),
        json: options.json === true,
        log,
      });
      io.out(options.json === true ? JSON.stringify({ version: 1, models: verified }) + "\n" : verified.map(formatVerification).join("\n"));
    });
}

function addInspectCommand(program: Command, { io, path }: CommandEnv): void {
  program
    .command("inspect")
    .description(
      "where the bytes go: per-weight table of a .dcnpi file (paper's count and true bytes), or the float32 parameters of a checkpoint",
    )
    .argument("<file>", "a .dcnpi file or a checkpoint directory")
    .option("--json", "print as JSON")
    .action(async (file: string, options: { json?: boolean }) => {
      const { inspectCommand } = await import("./inspect-command.js");
      io.out(await inspectCommand({ file: path(file), json: options.json === true }));
    });
}

function addSensitivityCommand(program: Command, { io, path, log, progressMode, startEngine }: CommandEnv): void {
  program
    .command("sensitivity")
    .description("pruning sensitivity of each weight matrix (one at a time, no retraining): what the default plan is chosen from")
    .argument("<checkpoint>", "a training checkpoint directory")
    .option("--sparsities <list>", "fractions to prune", parseFractions, [0.5, 0.7, 0.8, 0.9, 0.95, 0.98])
    .addOption(new Option("--per-length <n>", "validation problems per length").argParser(parsePositiveInteger).default(2))
    .option("--lengths <list>", "validation lengths (default: the training lengths)")
    .option("--out <dir>", "where the report goes (default <checkpoint>/sensitivity)")
    .action(async (checkpoint: string, options: { sparsities: number[]; perLength: number; lengths?: string; out?: string }) => {
      const { sensitivityCommand } = await import("./sensitivity-command.js");
      const { parseLengths } = await import("./input-parsing.js");
      const lengths = options.lengths === undefined ? undefined : parseLengths(options.lengths);
      const engine = await startEngine();
      const { dir } = await sensitivityCommand({
        file: path(checkpoint),
        sparsities: options.sparsities,
        perLength: options.perLength,
        ...(lengths === undefined ? {} : { lengths }),
        out: options.out === undefined ? undefined : path(options.out),
        progress: progressMode(),
        log,
      });
      io.out(`wrote ${dir}/report.md\n`);
    });
}

function addSweepCommand(program: Command, { io, path, log, progressMode, startEngine }: CommandEnv): void {
  program
    .command("sweep")
    .description(
      "accuracy vs size across compression settings (dense, pruned, pruned + k-bit quantized, + Huffman): SVG and report; resumable",
    )
    .argument("<checkpoints...>", "training checkpoint directories (e.g. one addition and one sort model)")
    .option("--plan <plan>", "the pruning plan: v4, v5 or a plan JSON file (default: v4); its bit widths are replaced by each of --bits")
    .option("--bits <list>", "weight bit widths to sweep", parseBitList, [2, 3, 4, 5, 6, 8])
    .option("--lengths <list>", "test lengths (default: addition 1,5,10,20,100,1000; sort 2,5,10,20,40,60)")
    .addOption(new Option("--problems <n>", "problems per length (default 20; 10 beyond 100)").argParser(parsePositiveInteger))
    .option("--seed <n>", "seed", parseNonNegativeInteger, 1)
    .option(
      "--pruned <dirs>",
      "pruned models from `npi compress --save-pruned` (same plan), comma-separated, one per checkpoint: skip the pruning run",
    )
    .option("--out <dir>", "run directory (default: sweep beside the first checkpoint)")
    .action(
      async (
        checkpoints: string[],
        options: { plan?: string; bits: number[]; lengths?: string; problems?: number; seed: number; pruned?: string; out?: string },
      ) => {
        const { sweepCommand } = await import("./sweep-command.js");
        const { planOfOption } = await import("./npi-plan.js");
        const { parseLengths } = await import("./input-parsing.js");
        const plan = planOfOption(options.plan, path);
        const lengths = options.lengths === undefined ? undefined : parseLengths(options.lengths);
        const pruned = options.pruned?.split(",").map((p) => p.trim());
        if (pruned !== undefined && (pruned.length !== checkpoints.length || pruned.some((p) => p === "")))
          throw new NpiAppError(
            "INVALID_OPTION",
            `--pruned needs one directory per checkpoint (${checkpoints.length}), got "${options.pruned}"`,
          );
        const engine = await startEngine();
        const text = await sweepCommand({
          checkpoints: checkpoints.map(path),
          pruned: pruned?.map(path),
          plan,
          bits: options.bits,
          lengths,
          problems: options.problems,
          seed: options.seed,
          out: options.out === undefined ? undefined : path(options.out),
          backend: engine.backend,
          progress: progressMode(),
          log,
        });
        io.out(text);
      },
    );
}

/** Runs the CLI on `args` (without node and script); resolves to the exit code. */
export function runNpi(args: readonly string[], io: CliIo = processIo): Promise<number> {
  return runCli("npi", () => buildProgram(io).parseAsync([...args], { from: "user" }), { err: io.err });
}

function parseTaskList(value: string): TaskName[] {
  const names = value.split(",").map((p) => p.trim());
  if (names.some((n) => n === "")) throw new InvalidArgumentError("must be task names separated by commas");
  return [...new Set(names.map(parseTaskOption))];
}

function addRecursionCommand(program: Command, { io, path, log, progressMode, startEngine }: CommandEnv): void {
  program
    .command("recursion")
    .description(
      "Cai et al. 2017 end to end, per recursive task: train it and the non-recursive program (same recipe, same problems), " +
        "compress the recursive one, verify both recursive models, evaluate all three by length; one report; resumable",
    )
    .option("--tasks <list>", `recursive tasks, comma-separated (default: ${verifiableTaskNames().join(", ")})`, parseTaskList)
    .option("--seed <n>", "seed of training, compression and test problems", parseNonNegativeInteger, 1)
    .option("--out <dir>", "run directory (default results/npi-trainer/recursion)")
    .option("--quick", "quick recipes (checks the pipeline; not a result)")
    .addOption(new Option("--max-steps <n>", "stop each training run after this many steps").argParser(parsePositiveInteger))
    .option("--lengths <list>", "test lengths (default: each task's npi eval lengths)")
    .addOption(new Option("--problems <n>", "problems per length (default: each task's)").argParser(parsePositiveInteger))
    .option("--plan <plan>", "compression plan: v4, v5 or a plan JSON file (default: v4)")
    .action(
      async (options: {
        tasks?: TaskName[];
        seed: number;
        out?: string;
        quick?: boolean;
        maxSteps?: number;
        lengths?: string;
        problems?: number;
        plan?: string;
      }) => {
        const { recursionCommand } = await import("./recursion-command.js");
        const { planOfOption } = await import("./npi-plan.js");
        const { parseLengths } = await import("./input-parsing.js");
        const plan = planOfOption(options.plan, path);
        const engine = await startEngine();
        const { report } = await recursionCommand({
          tasks: options.tasks,
          seed: options.seed,
          out: path(options.out ?? "results/npi-trainer/recursion"),
          quick: options.quick === true,
          ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
          lengths: options.lengths === undefined ? undefined : parseLengths(options.lengths),
          problems: options.problems,
          plan,
          backend: engine.backend,
          progress: progressMode(),
          log,
        });
        io.out(`report: ${report}\n`);
      },
    );
}
