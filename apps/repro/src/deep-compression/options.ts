/**
 * Command-line options of `repro deep-compression` (and the quick default run), validated at the
 * edge: every bad value becomes one line that names the flag.
 */
import { isAbsolute, resolve } from "node:path";
import { DcnpiError } from "@dcnpi/base";
import { z } from "zod";
import type { PaperModel } from "./paper-figures.js";
import type { ProgressMode } from "./run-context.js";
import type { CompressionMethod } from "./recipes.js";

/** `both`: the paper's method and the beyond method on the same dense model, compared in one table. */
export const METHOD_CHOICES = ["paper", "beyond", "both"] as const;
export type MethodChoice = (typeof METHOD_CHOICES)[number];

/** `--model all` compares both methods (the four-column table); a single model runs the paper's unless told. */
export const defaultMethod = (model: ModelChoice): MethodChoice => (model === "all" ? "both" : "paper");

export const MODEL_CHOICES = ["lenet-300-100", "lenet-5", "alexnet", "vgg16", "all"] as const;
export type ModelChoice = (typeof MODEL_CHOICES)[number];

export class UsageError extends DcnpiError<"USAGE"> {
  constructor(message: string, options?: ErrorOptions) {
    super("USAGE", message, options);
  }
}

const runIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const rawSchema = z.object({
  model: z.string().optional(),
  full: z.boolean().optional(),
  seed: z.string().optional(),
  runId: z.string().optional(),
  out: z.string().optional(),
  progress: z.string().optional(),
  method: z.string().optional(),
});

export interface DeepCompressionOptions {
  readonly models: readonly PaperModel[];
  readonly modelChoice: ModelChoice;
  readonly full: boolean;
  readonly seed: number;
  readonly runId: string;
  /** Absolute path of the run directory. */
  readonly dir: string;
  readonly progress: ProgressMode | undefined;
  readonly methodChoice: MethodChoice;
  /** The LeNets' compression methods, in order (AlexNet / VGG-16 are not trained: the paper's only). */
  readonly methods: readonly CompressionMethod[];
}

/** `dc-<model>-<quick|full>-seed<n>`, with `-<method>` when the method is not the model's default. */
export function defaultRunId(model: ModelChoice, full: boolean, seed: number, method: MethodChoice = defaultMethod(model)): string {
  return `dc-${model}-${full ? "full" : "quick"}-seed${seed}${method === defaultMethod(model) ? "" : `-${method}`}`;
}

/**
 * Turns commander's raw option values into checked options. `cwd` is where the user typed the
 * command (pnpm runs scripts in the package directory; INIT_CWD keeps the user's directory).
 */
export function parseDeepCompressionOptions(raw: Record<string, unknown>, cwd: string): DeepCompressionOptions {
  const r = rawSchema.parse(raw);
  if (r.model === undefined) throw new UsageError(`--model is required: one of ${MODEL_CHOICES.join(", ")}`);
  if (!(MODEL_CHOICES as readonly string[]).includes(r.model))
    throw new UsageError(`--model: "${r.model}" is not one of ${MODEL_CHOICES.join(", ")}`);
  const modelChoice = r.model as ModelChoice;
  let seed = 1;
  if (r.seed !== undefined) {
    if (!/^\d+$/.test(r.seed) || !Number.isSafeInteger(Number(r.seed)))
      throw new UsageError(`--seed: "${r.seed}" is not a non-negative integer`);
    seed = Number(r.seed);
  }
  const full = r.full ?? false;
  if (r.runId !== undefined && !runIdPattern.test(r.runId))
    throw new UsageError(`--run-id: "${r.runId}" must be letters, digits, ".", "_" or "-" (not starting with a symbol)`);
  let progress: ProgressMode | undefined;
  if (r.progress !== undefined) {
    if (!["bar", "lines", "silent"].includes(r.progress))
      throw new UsageError(`--progress: "${r.progress}" is not one of bar, lines, silent`);
    progress = r.progress as ProgressMode;
  }
  let methodChoice = defaultMethod(modelChoice);
  if (r.method !== undefined) {
    if (!(METHOD_CHOICES as readonly string[]).includes(r.method))
      throw new UsageError(`--method: "${r.method}" is not one of ${METHOD_CHOICES.join(", ")}`);
    methodChoice = r.method as MethodChoice;
  }
  if (methodChoice !== "paper" && (modelChoice === "alexnet" || modelChoice === "vgg16"))
    throw new UsageError(`--method ${methodChoice}: only the LeNets are trained, so ${modelChoice} has the paper's method only`);
  const methods: CompressionMethod[] = methodChoice === "both" ? ["paper", "beyond"] : [methodChoice];
  const runId = r.runId ?? defaultRunId(modelChoice, full, seed, methodChoice);
  let dir: string;
  if (r.out !== undefined) {
    if (r.out.trim() === "") throw new UsageError("--out: empty path");
    dir = isAbsolute(r.out) ? resolve(r.out) : resolve(cwd, r.out);
    const last = dir.split(/[\\/]/).pop() ?? "";
    if (!runIdPattern.test(last)) throw new UsageError(`--out: the directory name "${last}" must be letters, digits, ".", "_" or "-"`);
  } else dir = resolve(cwd, "results", runId);
  const models: PaperModel[] = modelChoice === "all" ? ["lenet-300-100", "lenet-5", "alexnet", "vgg16"] : [modelChoice];
  return { models, modelChoice, full, seed, runId, dir, progress, methodChoice, methods };
}
