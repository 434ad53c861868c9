import { existsSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { CompressionPlan } from "@dcnpi/deep-compression";
import { markdownTable, writeReport, type ReportBlock } from "@dcnpi/report-kit";
import { compressCommand } from "./compress-command.js";
import { NpiAppError } from "./errors.js";
import { evalCommand, type EvalOutcome } from "./eval-command.js";
import { trainCommand, type TrainSummary } from "./train-command.js";
import { parseTaskName, taskEntry, verifiableTaskNames, type TaskName } from "./tasks.js";
import { verifyCommand, type VerifiedModel } from "./verify-command.js";

export interface RecursionCommandOptions {
  /** Recursive tasks to run (default: every task with a verification set and a non-recursive counterpart). */
  readonly tasks: readonly TaskName[] | undefined;
  readonly seed: number;
  /** The run directory: one subdirectory per model, `compressed/`, `eval-<task>/`, the report. */
  readonly out: string;
  /** Quick recipes (checks the pipeline in minutes; not a result). */
  readonly quick: boolean;
  /** Stop each training run after this many steps (default: the recipe's). */
  readonly maxSteps?: number;
  /** `npi eval`'s lengths and problems per length (default: each task's own). */
  readonly lengths: readonly number[] | undefined;
  readonly problems: number | undefined;
  readonly plan: CompressionPlan;
  readonly backend: string;
  readonly progress: "bar" | "lines" | "silent";
  readonly log: (line: string) => void;
}

/** Everything measured for one recursive task and its non-recursive counterpart. */
export interface RecursionResult {
  readonly task: TaskName;
  readonly plain: TaskName;
  readonly recursive: TrainSummary;
  readonly nonRecursive: TrainSummary;
  readonly compressedFile: string;
  readonly verified: readonly VerifiedModel[];
  readonly evaluation: EvalOutcome;
}

/** The recursive tasks `npi recursion` runs by default: those with a verification set and a plain counterpart. */
export function recursionTasks(): TaskName[] {
  return verifiableTaskNames().filter((name) => taskEntry(name).nonRecursive !== undefined);
}

/**
 * `npi recursion`: Cai, Shin & Song's (ICLR 2017) experiment for each recursive task, end to end and
 * resumable: train the recursive program and the non-recursive one with the same recipe on the same
 * problems, Deep-Compress the recursive model (the NPI plan, the arithmetic coder and the binary
 * header), run the verification set on the dense and the compressed model, evaluate all three on the
 * same fresh problems per length, and write one report with the tables and a figure per task. Every
 * step reuses what an earlier run finished (checkpoints, the compressed file, saved evaluations).
 */
export async function recursionCommand(options: RecursionCommandOptions): Promise<{ results: RecursionResult[]; report: string }> {
  const tasks = options.tasks ?? recursionTasks();
  const results: RecursionResult[] = [];
  for (const task of tasks) results.push(await runTask(task, options));
  const written = writeReport(options.out, {
    title: "NPI recursion (Cai, Shin & Song, ICLR 2017): recursive vs non-recursive, dense and compressed",
    blocks: [{ kind: "markdown", text: introduction(options) }, ...results.flatMap((r) => taskBlocks(r, options.out))],
  });
  options.log(`wrote ${written.markdownPath}, ${written.htmlPath}`);
  return { results, report: written.markdownPath };
}

async function runTask(task: TaskName, options: RecursionCommandOptions): Promise<RecursionResult> {
  const entry = taskEntry(task);
  if (entry.nonRecursive === undefined || entry.resolve({}).verificationSet === undefined) {
    throw new NpiAppError(
      "INVALID_OPTION",
      `--tasks ${task}: not a recursive task with a non-recursive counterpart (recursive tasks: ${recursionTasks().join(", ")})`,
    );
  }
  const plain = parseTaskName(entry.nonRecursive);
  const suffix = `seed${options.seed}${options.quick ? "-quick" : ""}`;
  const common = {
    seed: options.seed,
    quick: options.quick,
    ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
    progress: options.progress,
    log: options.log,
  };
  options.log(`${task}: train the recursive program`);
  const recursive = trainCommand({ ...common, task, out: join(options.out, `${task}-${suffix}`) });
  options.log(`${task}: train the non-recursive ${plain} with the same recipe on the same problems`);
  const nonRecursive = trainCommand({ ...common, task: plain, recipeOf: task, out: join(options.out, `${plain}-as-${task}-${suffix}`) });
  // The compressed file is written atomically, so one that exists is whole; delete it to compress again.
  const compressedFile = join(options.out, "compressed", `${task}-${suffix}.dcnpi`);
  if (existsSync(compressedFile)) options.log(`${task}: ${compressedFile} exists (${statSync(compressedFile).size} bytes); reused`);
  else {
    options.log(`${task}: compress the recursive model`);
    const printed = await compressCommand({
      checkpoint: recursive.dir,
      plan: options.plan,
      output: compressedFile,
      seed: options.seed,
      coder: "best",
      header: "binary",
      // The headline is a compressed model that still passes its verification set; retraining on the
      // set's contexts (beside the traces) is how it gets there (compress-npi.ts).
      trainOnVerificationSet: true,
      // The report verifies the file and shows the verdict either way: a NOT PROVEN file is a result here.
      force: true,
      backend: options.backend,
      progress: options.progress,
      log: options.log,
    });
    options.log(printed.trimEnd());
  }
  options.log(`${task}: verification set, dense and compressed`);
  const verified = await verifyCommand({
    files: [recursive.dir, compressedFile],
    task,
    out: join(options.out, `${task}-${suffix}-verify.json`),
    json: false,
    log: options.log,
  });
  options.log(`${task}: accuracy by length, the three models on the same problems`);
  const evaluation = await evalCommand({
    files: [recursive.dir, nonRecursive.dir, compressedFile],
    labels: ["recursive, dense", `non-recursive (${plain}), dense`, "recursive, compressed"],
    task,
    lengths: options.lengths,
    problems: options.problems,
    seed: options.seed,
    out: join(options.out, `eval-${task}-${suffix}`),
    backend: options.backend,
    log: options.log,
  });
  return { task, plain, recursive, nonRecursive, compressedFile, verified, evaluation };
}

function introduction(options: RecursionCommandOptions): string {
  return (
    `Seed ${options.seed}${options.quick ? ", quick recipes (a pipeline check, not a result)" : ""}; backend ${options.backend}. ` +
    "For each recursive task: the recursive program and the non-recursive one, trained with the same recipe " +
    "(model, trainer, lengths, steps) on the same problems; the recursive model Deep-Compressed (the plan given, " +
    "by default the NPI plan; arithmetic coder, binary header, retrained on the training traces and the " +
    "verification set's contexts; a compressed file an earlier run wrote is reused as it is); " +
    "both recursive models run on the task's whole verification set " +
    "(every context a call can meet: passing proves the model correct at every length, Cai et al. §5); " +
    "all three on the same fresh problems per length (a problem counts when the run returns within its " +
    "step budget and the verifier finds the right answer). Sizes are true file bytes against float32 parameters."
  );
}

const minutes = (seconds: number) => (seconds < 120 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(1)} min`);

function taskBlocks(r: RecursionResult, out: string): ReportBlock[] {
  const training = markdownTable(
    ["model", "steps", "wall", "CPU", "last validation"],
    [
      [`recursive (${r.task})`, r.recursive],
      [`non-recursive (${r.plain}), same recipe`, r.nonRecursive],
    ].map(([label, summary]) => {
      const s = (summary as TrainSummary).state;
      const last = s.validation[s.validation.length - 1];
      return [
        label as string,
        s.step,
        minutes(s.wallSeconds),
        minutes(s.cpuSeconds),
        last === undefined ? "-" : `${(100 * last.accuracy).toFixed(0)}%`,
      ];
    }),
  );
  const verification = markdownTable(
    ["model", "bytes", "vs float32", "verification set", "contexts passed", "wall"],
    r.verified.map((v) => {
      const float32 = r.evaluation.evaluations.find((e) => e.source === v.file)?.float32Bytes;
      return [
        `${v.kind} ${relative(out, v.file)}`,
        v.storedBytes,
        float32 === undefined ? "-" : `${(float32 / v.storedBytes).toFixed(1)}x`,
        v.result.proven ? "**PROVEN**" : `not proven (${v.result.contexts - v.result.passed} wrong)`,
        `${v.result.passed} / ${v.result.contexts}`,
        `${v.result.wallSeconds.toFixed(0)} s`,
      ];
    }),
  );
  return [
    { kind: "markdown", text: `## ${r.task} (and ${r.plain})\n\nTraining:\n\n${training}\n\nVerification:\n\n${verification}` },
    { kind: "markdown", text: `Per-sequence accuracy by length (the same problems for every model):\n\n${r.evaluation.table}` },
    {
      kind: "figure",
      name: `recursion-${r.task}`,
      title: `${r.task}: accuracy by length, recursive vs non-recursive`,
      svg: r.evaluation.svg,
    },
  ];
}
