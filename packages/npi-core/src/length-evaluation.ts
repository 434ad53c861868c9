/**
 * Accuracy by problem size (digits, array length, camera moves): the evaluation both apps run and
 * save (`repro npi`'s `<task>-eval` stages, `npi eval`'s per-length stages), its one result type, its
 * versioned stored form, and the one reader of that form (which also reads the older, unversioned
 * forms earlier runs left in results/).
 */
import type { Rng } from "@dcnpi/tensor";
import { z } from "zod";
import { NpiError } from "./errors.js";
import { evaluateProblems, type EvaluateProblemsOptions } from "./evaluate-problems.js";
import type { NpiStepModel } from "./run-loop.js";
import type { Task } from "./task.js";

/** One length of an evaluation: how many problems of that size. */
export interface LengthPlan {
  readonly length: number;
  readonly problems: number;
}

const count = z.number().int().nonnegative();

/** Per-length results of running the model (RUN loop, batched) on problems of one size. */
export const lengthResultSchema = z.object({
  length: count,
  problems: count,
  /** The RUN returned within its step budget and the verifier, replaying the model's trace, found the right answer. */
  correct: count,
  /** The model's actions were exactly the teacher's. */
  traceExact: count,
  /** How runs ended: returned, step-limit, depth-limit, invalid-call. */
  statuses: z.record(z.string(), count),
  /** Model (LSTM) steps over all problems of this length. */
  modelSteps: count,
});
export type LengthResult = z.infer<typeof lengthResultSchema>;

export const LENGTH_EVALUATION_VERSION = 1;

/** An evaluation as it is saved: its lengths and the wall time of the whole (lengths run together). */
export const lengthEvaluationSchema = z.object({
  version: z.literal(LENGTH_EVALUATION_VERSION),
  lengths: z.array(lengthResultSchema),
  /** Wall-clock seconds for the whole evaluation. */
  wallSeconds: z.number().nonnegative(),
});
export type LengthEvaluation = z.infer<typeof lengthEvaluationSchema>;

/** What goes wrong reading a saved result; the message names the file (or stage) and the problem. */
export type NpiResultErrorCode = "INVALID_RESULT";

/** A saved result that is not valid JSON, not of a known version or not the expected shape. */
export class NpiResultError extends Error {
  override readonly name = "NpiResultError";
  readonly code: NpiResultErrorCode = "INVALID_RESULT";
  constructor(
    /** The file (or other source) that was read. */
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
  }
}

const timedLengthSchema = lengthResultSchema.extend({ wallSeconds: z.number().nonnegative() });
// Forms written before the stored evaluation had a version: `repro npi` between the two (the same
// object without `version`), `repro npi` at first (a bare per-length array, each length with its own
// time: lengths were run one after another) and `npi eval` (one bare length with its time per stage).
const unversionedSchema = z.object({ lengths: z.array(lengthResultSchema), wallSeconds: z.number().nonnegative() }).strict();
const perLengthArraySchema = z.array(timedLengthSchema.extend({ wallSeconds: z.number().nonnegative().optional() }));
const singleLengthSchema = timedLengthSchema;

const strip = ({ length, problems, correct, traceExact, statuses, modelSteps }: LengthResult): LengthResult => ({
  length,
  problems,
  correct,
  traceExact,
  statuses,
  modelSteps,
});

/**
 * A saved evaluation (today's or an older run's) as today's `LengthEvaluation`. Older forms are read
 * as they were meant: a per-length array's time is the sum of its lengths'. Throws `NpiResultError`
 * naming `source` for anything else (another version, a damaged or foreign value).
 */
export function parseLengthEvaluation(value: unknown, source: string): LengthEvaluation {
  if (typeof value === "object" && value !== null && "version" in value) {
    const parsed = lengthEvaluationSchema.safeParse(value);
    if (parsed.success) return { ...parsed.data, lengths: parsed.data.lengths.map(strip) };
    const version = (value as { version: unknown }).version;
    if (version !== LENGTH_EVALUATION_VERSION)
      throw new NpiResultError(
        source,
        `a length evaluation of version ${JSON.stringify(version)}; this code reads version ${LENGTH_EVALUATION_VERSION} and the unversioned forms before it`,
      );
    throw new NpiResultError(source, `not a length evaluation of version ${LENGTH_EVALUATION_VERSION} (${issueOf(parsed.error)})`);
  }
  const unversioned = unversionedSchema.safeParse(value);
  if (unversioned.success)
    return { version: LENGTH_EVALUATION_VERSION, lengths: unversioned.data.lengths.map(strip), wallSeconds: unversioned.data.wallSeconds };
  const array = perLengthArraySchema.safeParse(value);
  if (array.success)
    return {
      version: LENGTH_EVALUATION_VERSION,
      lengths: array.data.map(strip),
      wallSeconds: array.data.reduce((a, r) => a + (r.wallSeconds ?? 0), 0),
    };
  const single = singleLengthSchema.safeParse(value);
  if (single.success) return { version: LENGTH_EVALUATION_VERSION, lengths: [strip(single.data)], wallSeconds: single.data.wallSeconds };
  return issueThrow(source, unversioned.error);
}

function issueOf(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join(".") || "value"}: ${issue?.message ?? "invalid"}`;
}

function issueThrow(source: string, error: z.ZodError): never {
  throw new NpiResultError(source, `not a length evaluation, in today's form or an older one (${issueOf(error)})`);
}

/**
 * The schema to read a saved evaluation back with (e.g. run-kit's `stage(name, compute, schema)`):
 * accepts today's and the older forms and gives today's. Anything else fails with the reason.
 */
export const storedLengthEvaluationSchema: z.ZodType<LengthEvaluation> = z.unknown().transform((value, ctx) => {
  try {
    return parseLengthEvaluation(value, "stored evaluation");
  } catch (error) {
    ctx.addIssue({ code: "custom", message: error instanceof NpiResultError ? error.message : String(error) });
    return z.NEVER;
  }
});

/** `plan.problems` random problems of size `plan.length`, drawn from `rng` (pass a fork per length). */
export function randomProblems<Input>(task: Task<any, Input>, plan: LengthPlan, rng: Rng): Input[] {
  return Array.from({ length: plan.problems }, () => task.randomInput(rng, plan.length));
}

export interface EvaluateLengthsOptions {
  /** The problems of each length (`plan.problems` of them), e.g. `randomProblems` from a seeded fork. */
  readonly problemsOf: (plan: LengthPlan) => readonly unknown[];
  readonly batchSize?: EvaluateProblemsOptions<unknown>["batchSize"];
  readonly onChunk?: (done: number, total: number) => void;
}

/**
 * Per-sequence accuracy at each length (npi-core's `evaluateProblems`: batched RUNs, the verifier on
 * every model trace). All problems, whatever their length, run together in batches (a round of the
 * RUN loop steps every unfinished problem at once); evaluate one plan per call to time and save each
 * length on its own.
 */
export function evaluateLengths<Input>(
  model: NpiStepModel,
  task: Task<any, Input>,
  plans: readonly LengthPlan[],
  options: EvaluateLengthsOptions,
): LengthEvaluation {
  const planOf: number[] = [];
  const inputs = plans.flatMap((plan, planIndex) => {
    const problems = options.problemsOf(plan) as readonly Input[];
    if (problems.length !== plan.problems)
      throw new NpiError(
        "INVALID_OPTIONS",
        `evaluateLengths: ${problems.length} problems given for length ${plan.length}, the plan says ${plan.problems}`,
      );
    for (let i = 0; i < problems.length; i++) planOf.push(planIndex);
    return problems;
  });
  const evaluation = evaluateProblems(model, task, inputs, {
    groupOf: (_, index) => planOf[index]!,
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.onChunk === undefined ? {} : { onChunk: options.onChunk }),
  });
  const byPlan = new Map(evaluation.groups.map((g) => [g.group, g]));
  const lengths = plans.map((plan, planIndex) => {
    const g = byPlan.get(planIndex);
    return {
      length: plan.length,
      problems: plan.problems,
      correct: g?.correct ?? 0,
      traceExact: g?.traceExact ?? 0,
      statuses: g?.statuses ?? {},
      modelSteps: g?.modelSteps ?? 0,
    };
  });
  return { version: LENGTH_EVALUATION_VERSION, lengths, wallSeconds: evaluation.wallSeconds };
}
