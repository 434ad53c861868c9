/**
 * The flags of `dcnpi compress` that bring example data and an accuracy budget, and their parsing
 * into typed options. Kept apart from cli-program.ts so the compress command only adds them.
 */
import { readFileSync } from "node:fs";
import { InvalidArgumentError, Option, type Command } from "commander";
import { DcnpiError } from "@dcnpi/base";
import type { AccuracyBudget } from "@dcnpi/deep-compression";
import { ExampleDataError, parsePreprocessing, type Preprocessing } from "@dcnpi/example-data";

/** What commander collects for the data flags (strings as typed, numbers parsed). */
export interface DataFlags {
  readonly data?: string;
  readonly labels?: string;
  readonly dataLimit?: number;
  readonly preprocess?: string;
  readonly scale?: number[];
  readonly offset?: number[];
  readonly channelOrder?: "rgb" | "bgr";
  readonly resize?: boolean;
  readonly imageSize?: [number, number];
  readonly minAgreement?: number;
  readonly maxDrop?: number;
  readonly holdout: number;
  readonly holdoutGroup?: RegExp;
  readonly holdoutGroups?: string;
  readonly force?: boolean;
  readonly savePlan?: string;
  readonly searchBits?: number[];
  readonly margin?: number;
  readonly temperature: number;
  readonly mixup?: boolean;
  readonly oneShot?: boolean;
  readonly scanShare?: number;
  /** Undefined unless `--feedback` (true) or `--no-feedback` (false) was given; with --data the default is on. */
  readonly feedback?: boolean;
}

function regexFlag(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (error) {
    throw new InvalidArgumentError(`not a regular expression: ${(error as Error).message}`);
  }
}

function numberIn(min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be a number in [${min}, ${max}]`);
    return n;
  };
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

function numberList(value: string): number[] {
  const parts = value.split(",").map((s) => Number(s.trim()));
  if (parts.length < 1 || parts.length > 4 || parts.some((n) => !Number.isFinite(n)))
    throw new InvalidArgumentError("must be a number or 2 to 4 comma-separated numbers (one per channel)");
  return parts;
}

function bitList(value: string): number[] {
  const parts = value.split(",").map((s) => Number(s.trim()));
  if (parts.some((n) => !Number.isInteger(n) || n < 1 || n > 16))
    throw new InvalidArgumentError("must be comma-separated integers in 1..16");
  return parts;
}

function imageSize(value: string): [number, number] {
  const match = /^(\d+)x(\d+)$/.exec(value);
  if (match === null || Number(match[1]) < 1 || Number(match[2]) < 1 || Number(match[1]) > 8192 || Number(match[2]) > 8192)
    throw new InvalidArgumentError("must be HEIGHTxWIDTH, e.g. 224x224");
  return [Number(match[1]), Number(match[2])];
}

/** Adds the data and budget flags to the compress command. */
export function addDataOptions(command: Command): Command {
  return command
    .option(
      "--data <path>",
      "example inputs: a folder of PNG/JPEG images (one subfolder per class gives labels), a .npy array or an IDX file",
    )
    .option("--labels <file>", "class indices for a .npy/IDX --data (a .npy or IDX file, one per example)")
    .option("--data-limit <n>", "use n examples at most (drawn by --seed)", positiveInteger)
    .option("--preprocess <file.json>", 'preprocessing as JSON: {"version":1, "scale", "offset", "channelOrder", "resize", "size"}')
    .option(
      "--scale <s>",
      "multiply raw values by s (one value, or one per channel; default 1/255 for images and uint8 arrays)",
      numberList,
    )
    .option("--offset <o>", "then add o (one value, or one per channel; default 0)", numberList)
    .addOption(new Option("--channel-order <order>", "channel order of colour inputs").choices(["rgb", "bgr"]))
    .option("--resize", "resize images (bilinear) to the model's input size instead of refusing other sizes")
    .option("--image-size <HxW>", "image size for models whose input size is not fixed", imageSize)
    .option(
      "--min-agreement <percent>",
      "budget: top-1 agreement with the original model on held-out --data (no labels needed)",
      numberIn(0, 100),
    )
    .option("--max-drop <points>", "budget: top-1 accuracy points the model may lose on held-out --data (needs labels)", numberIn(0, 100))
    .option(
      "--holdout <fraction>",
      "part of --data kept for the final check, never seen by the search or retraining",
      numberIn(0.05, 0.9),
      0.3,
    )
    .option(
      "--holdout-group <regex>",
      "keep the files whose names (relative to an image folder) give the same group, the regex's first capture group, in the same part " +
        "(crops of one photo, frames of one video): the held-out check then measures inputs unlike the search's",
      regexFlag,
    )
    .option(
      "--holdout-groups <file>",
      "for .npy/IDX --data: a text file naming each example's group, one line per example (the video or photo it comes from); " +
        "examples of one group stay in the same part, as --holdout-group does for an image folder's files",
    )
    .option("--force", "write the file even when it misses the budget")
    .option("--save-plan <file>", "where to save the chosen plan (default: <output>.plan.json)")
    .option("--temperature <T>", "softmax temperature of distillation from the original model (Hinton et al. 2015)", numberIn(1, 100), 4)
    .option("--mixup", "distil on mixed inputs labelled by the original model (function matching, Beyer et al. 2022): more from few inputs")
    .option(
      "--one-shot",
      "do not retrain a layers model: the plan is applied one-shot and checked, as for graph models " +
        "(distilling a big model on a CPU takes ~40 min per 10,000-example epoch)",
    )
    .option(
      "--feedback",
      "(the default with --data) choose Dense and 1x1 conv kernels' codes by error feedback on --data's inputs (GPTQ, Frantar et al. " +
        "2023) instead of the nearest centroid: the same file format, fewer points lost without retraining",
    )
    .option("--no-feedback", "the paper's codes: every weight gets its nearest centroid (Deep Compression §3)")
    .option(
      "--margin <points>",
      "top-1 points by which the search's plan must pass the budget on its own inputs (default: one standard error of the budget on them)",
      numberIn(0, 100),
    )
    .option(
      "--scan-share <fraction>",
      "scan only the largest weights holding this share of the bytes; the rest keep the safest setting (default 1: all)",
      numberIn(0.01, 1),
    )
    .option("--search-bits <list>", "bit widths the budget search may give shared weights (default 8,6,5,4,3,2)", bitList)
    .addHelpText(
      "after",
      [
        "",
        "Examples (run in bench/data-budget.ts and bench/mobilenet-budget.ts, numbers in the @dcnpi/deep-compression README):",
        "  dcnpi compress lenet-5/model.json --data digits/ --min-agreement 99 -o lenet5.dcnpi",
        "      digits/ holds PNG files (unlabelled); with one subfolder per class they are labels too",
        "  dcnpi compress lenet-300-100/model.json --data train-1000.npy --plan plan.json -o lenet.dcnpi",
        "      the plan as given, retrained by distillation from the original on 1,000 unlabelled inputs",
        "  dcnpi compress mobilenet_v2_mid/model.json --data photos-500/ --min-agreement 99 --scan-share 0.8 -o mid.dcnpi",
        "      a graph model (nsfwjs's MobileNetV2) and 500 unlabelled 224x224 photo crops; the scan covers the kernels",
        "      holding 80% of the bytes, each candidate run from the cut below it (one-shot: graph models are not retrained)",
        "  dcnpi compress mobilenet_v2/model.json --data photos-500/ --min-agreement 99 --scan-share 0.8 --one-shot -o v2.dcnpi",
        "      a layers model, not retrained; Dense and 1x1 conv kernels coded by error feedback on the photos (4.82x; 4.39x with",
        "      --no-feedback, the paper's nearest-centroid codes)",
        "  dcnpi compress mobilenet_v2/model.json --data photos-500/ --min-agreement 99 --scan-share 0.8 --one-shot \\",
        "      --holdout-group '-p(\\d+)\\.png$' -o v2.dcnpi",
        "      the same, with the windows of each photo (files 0123-p07.png) held out or searched together: the check backs",
        "      off further (4.24x) and the file agrees on every window of new photos",
      ].join("\n"),
    );
}

/** Flags that do not go together; exit 2 like commander's own parse errors (runCli: code USAGE). */
export class UsageError extends DcnpiError<"USAGE"> {
  override readonly name = "UsageError";
  constructor(message: string) {
    super("USAGE", message);
  }
}

/** The budget from the flags (at most one), or undefined; flags that do not go together are a UsageError. */
export function budgetFromFlags(flags: DataFlags): AccuracyBudget | undefined {
  if (flags.minAgreement !== undefined && flags.maxDrop !== undefined) throw new UsageError("give --min-agreement or --max-drop, not both");
  if (flags.oneShot === true && flags.mixup === true) throw new UsageError("--mixup is for retraining; --one-shot does not retrain");
  if (flags.oneShot === true && flags.data === undefined)
    throw new UsageError("--one-shot needs --data (without data nothing is retrained anyway)");
  if (flags.feedback === true && flags.data === undefined) throw new UsageError("--feedback needs --data (the inputs the kernels see)");
  if (flags.holdoutGroup !== undefined && flags.data === undefined)
    throw new UsageError("--holdout-group needs --data (the files it groups)");
  if (flags.holdoutGroups !== undefined && flags.data === undefined)
    throw new UsageError("--holdout-groups needs --data (the examples it groups)");
  if ((flags.minAgreement !== undefined || flags.maxDrop !== undefined) && flags.data === undefined)
    throw new UsageError(
      `${flags.minAgreement !== undefined ? "--min-agreement" : "--max-drop"} needs --data (the inputs it is measured on)`,
    );
  if (flags.minAgreement !== undefined) return { kind: "min-agreement", percent: flags.minAgreement };
  if (flags.maxDrop !== undefined) return { kind: "max-drop", points: flags.maxDrop };
  return undefined;
}

/** Preprocessing from --preprocess (a JSON file) and the single flags (which override its fields). */
export function preprocessingFromFlags(flags: DataFlags, path: (p: string) => string): Preprocessing {
  let base: unknown = { version: 1 };
  if (flags.preprocess !== undefined) {
    const file = path(flags.preprocess);
    try {
      base = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      const reason =
        error instanceof SyntaxError ? "is not valid JSON" : `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
      throw new ExampleDataError("INVALID_OPTION", `--preprocess ${file}: ${reason}`);
    }
  }
  const source = flags.preprocess === undefined ? "preprocessing flags" : `--preprocess ${path(flags.preprocess)}`;
  const parsed = parsePreprocessing(base, source);
  return parsePreprocessing(
    {
      ...parsed,
      ...(flags.scale === undefined ? {} : { scale: flags.scale.length === 1 ? flags.scale[0] : flags.scale }),
      ...(flags.offset === undefined ? {} : { offset: flags.offset.length === 1 ? flags.offset[0] : flags.offset }),
      ...(flags.channelOrder === undefined ? {} : { channelOrder: flags.channelOrder }),
      ...(flags.resize === undefined ? {} : { resize: flags.resize }),
      ...(flags.imageSize === undefined ? {} : { size: flags.imageSize }),
    },
    source,
  );
}
