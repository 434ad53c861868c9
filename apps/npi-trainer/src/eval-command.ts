import { basename, dirname, join } from "node:path";
import { LENGTH_EVALUATION_VERSION, storedLengthEvaluationSchema, type LengthPlan } from "@dcnpi/npi-core";
import { openRunDirectory, type RunDirectory } from "@dcnpi/run-kit";
import { markdownTable, renderVegaLiteSvg, writeReport } from "@dcnpi/report-kit";
import { carTestProblems, type CarTestSet } from "./car-problems.js";
import { trainingSetOfModel } from "./defaults.js";
import { NpiAppError } from "./errors.js";
import { evaluateEachLength, type TimedLengthResult } from "./evaluate.js";
import { checkTask, contentKeyOf, loadModel, type LoadedModel } from "./model-store.js";
import { sameFamily, taskEntry, type TaskName } from "./tasks.js";

export interface EvalCommandOptions {
  readonly files: readonly string[];
  readonly task: TaskName;
  readonly lengths: readonly number[] | undefined;
  readonly problems: number | undefined;
  readonly seed: number;
  /** Car task: held-out start poses of the training cars, or cars never seen (default). */
  readonly cars?: CarTestSet;
  readonly out: string | undefined;
  readonly backend: string;
  readonly log: (line: string) => void;
  /** Labels for the models in the table and figure, in `files` order (default: kind, and the file name when two share it). */
  readonly labels?: readonly string[];
}

/** What `npi eval` measured and wrote (its report directory holds report.md, report.html and the figure). */
export interface EvalOutcome {
  /** What the command prints. */
  readonly text: string;
  readonly evaluations: readonly ModelEvaluation[];
  /** The per-length accuracy table (markdown) and the figure (SVG). */
  readonly table: string;
  readonly svg: string;
  readonly reportDir: string;
}

export interface ModelEvaluation {
  readonly label: string;
  readonly kind: "dense" | "compressed";
  readonly source: string;
  readonly storedBytes: number;
  readonly float32Bytes: number;
  readonly results: readonly TimedLengthResult[];
}

function labelOf(loaded: LoadedModel, all: readonly LoadedModel[]): string {
  const sameKind = all.filter((m) => m.kind === loaded.kind).length;
  return sameKind > 1 ? `${loaded.kind} ${basename(loaded.source)}` : loaded.kind;
}

/** "100%", "99.5%": a decimal only when it is not a whole number. */
function percent(correct: number, problems: number): string {
  const p = (100 * correct) / problems;
  return Number.isInteger(p) ? `${p}%` : `${p.toFixed(1)}%`;
}

const kb = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);

/**
 * `npi eval`: every model on the same fresh problems per length (seeded), per-sequence accuracy. Each
 * (model, length) result is a resumable stage of the output run directory, keyed by the model's bytes.
 */
export async function evalCommand(options: EvalCommandOptions): Promise<EvalOutcome> {
  const loadedModels: LoadedModel[] = [];
  try {
    for (const file of options.files) {
      const loaded = await loadModel(file);
      loadedModels.push(loaded);
      // Tasks of one problem family (recursive addition and addition) are compared on the same problems.
      if (!sameFamily(options.task, loaded.taskName)) checkTask(loaded, options.task);
    }
    const lengths = options.lengths ?? taskEntry(options.task).evalLengths;
    const first = loadedModels[0]!;
    // A task without fresh random problems per length (the car) is tested on its fixed held-out set.
    const problemsAt = taskEntry(options.task).problemsAt;
    const cars = problemsAt === undefined ? (options.cars ?? "unseen") : undefined;
    const { plans, problemsOf } =
      cars === undefined ? randomPlans(problemsAt!, lengths, options.problems) : carPlans(loadedModels, lengths, cars, options);
    const name = cars === undefined ? options.task : `car-${cars}`;
    const out = options.out ?? join(first.kind === "dense" ? first.source : dirname(first.source), `eval-${name}`);
    const run = openRunDirectory(dirname(out), basename(out));
    const evaluations: ModelEvaluation[] = [];
    for (const [i, loaded] of loadedModels.entries())
      evaluations.push(
        await evaluateModel({ run, plans, problemsOf, cars, options }, loaded, options.labels?.[i] ?? labelOf(loaded, loadedModels)),
      );
    const table = accuracyTable(evaluations, plans, cars);
    const svg = await accuracyFigure(evaluations, options.task);
    const wall = evaluations.map((e) => `${e.label}: ${e.results.reduce((s, r) => s + r.wallSeconds, 0).toFixed(0)} s`).join(", ");
    const written = writeReport(run.dir, {
      title:
        cars === undefined ? `NPI ${options.task}: generalisation by length` : `NPI car (synthetic), ${cars} cars: accuracy by path length`,
      blocks: [
        {
          kind: "markdown",
          text: reportIntro(options, cars, wall),
        },
        { kind: "markdown", text: table },
        {
          kind: "markdown",
          text: markdownTable(
            ["model", "file", "stored bytes", "float32 bytes"],
            evaluations.map((e) => [e.label, e.source, e.storedBytes, e.float32Bytes]),
          ),
        },
        { kind: "figure", name: `accuracy-${name}`, title: "Per-sequence accuracy by length", svg },
      ],
    });
    return {
      text: `${table}\n\nwrote ${written.markdownPath}, ${written.htmlPath} and ${written.figurePaths.join(", ")}\n`,
      evaluations,
      table,
      svg,
      reportDir: run.dir,
    };
  } finally {
    for (const m of loadedModels) m.model.dispose();
  }
}

/** Where and on what `evalCommand` evaluates every model. */
interface EvalRun extends EvalPlans {
  readonly run: RunDirectory;
  readonly cars: CarTestSet | undefined;
  readonly options: EvalCommandOptions;
}

async function evaluateModel(evalRun: EvalRun, loaded: LoadedModel, label: string): Promise<ModelEvaluation> {
  const results: TimedLengthResult[] = [];
  const key = contentKeyOf(loaded);
  for (const plan of evalRun.plans) results.push(await evaluateLength(evalRun, loaded, key, label, plan));
  return {
    label,
    kind: loaded.kind,
    source: loaded.source,
    storedBytes: loaded.storedBytes,
    float32Bytes: loaded.float32Bytes,
    results,
  };
}

/** One (model, length) result: a resumable stage keyed by the model's bytes. */
async function evaluateLength(
  { run, problemsOf, cars, options }: EvalRun,
  loaded: LoadedModel,
  key: string,
  label: string,
  plan: LengthPlan,
): Promise<TimedLengthResult> {
  const stage = `${key}${cars === undefined ? "" : `-${cars}`}-L${plan.length}-n${plan.problems}-s${options.seed}`;
  // Saved as npi-core's versioned LengthEvaluation of one length; stages of older runs (a bare
  // length with its time) are read back as that by the same schema.
  const saved = await run.stage(
    stage,
    () => {
      const [r] = evaluateEachLength(loaded.model, loaded.task, [plan], {
        seed: `${options.seed}-test`,
        ...(problemsOf === undefined ? {} : { problemsOf }),
      });
      run.appendMetric({ event: "eval", model: label, source: loaded.source, ...r! });
      const { wallSeconds, ...lengthResult } = r!;
      return { version: LENGTH_EVALUATION_VERSION, lengths: [lengthResult], wallSeconds };
    },
    storedLengthEvaluationSchema,
  );
  if (saved.lengths.length !== 1 || saved.lengths[0]!.length !== plan.length)
    throw new NpiAppError(
      "INCOMPATIBLE_RUN",
      `${run.path("stages", stage, "result.json")}: does not hold length ${plan.length} alone; delete it to recompute`,
    );
  const result: TimedLengthResult = { ...saved.lengths[0]!, wallSeconds: saved.wallSeconds };
  options.log(
    `${label}: length ${plan.length}: ${result.correct}/${result.problems} correct (${result.wallSeconds.toFixed(1)} ` +
      `s)${run.resumedStages.includes(stage) ? " [saved]" : ""}`,
  );
  return result;
}

function accuracyTable(evaluations: readonly ModelEvaluation[], plans: readonly LengthPlan[], cars: CarTestSet | undefined): string {
  const header = ["length", "problems", ...evaluations.map((e) => `${e.label} (${kb(e.storedBytes)})`)];
  const rows: (string | number)[][] = plans.map((plan, i) => [
    plan.length,
    plan.problems,
    ...evaluations.map((e) => percent(e.results[i]!.correct, plan.problems)),
  ]);
  // The car's lengths split one fixed set of held-out problems: its total is the headline number.
  if (cars !== undefined) {
    const problems = plans.reduce((a, p) => a + p.problems, 0);
    rows.push([
      "all",
      problems,
      ...evaluations.map(
        (e) =>
          `${percent(
            e.results.reduce((a, r) => a + r.correct, 0),
            problems,
          )} (${e.results.reduce((a, r) => a + r.correct, 0)})`,
      ),
    ]);
  }
  return markdownTable(header, rows);
}

async function accuracyFigure(evaluations: readonly ModelEvaluation[], task: TaskName): Promise<string> {
  return renderVegaLiteSvg({
    width: 480,
    height: 280,
    data: {
      values: evaluations.flatMap((e) =>
        e.results.map((r) => ({ model: `${e.label} (${kb(e.storedBytes)})`, length: r.length, accuracy: r.correct / r.problems })),
      ),
    },
    mark: { type: "line", point: true },
    encoding: {
      x: {
        field: "length",
        type: "quantitative",
        title: taskEntry(task).lengthTitle,
        scale: taskEntry(task).logLengthAxis ? { type: "log" } : {},
      },
      y: { field: "accuracy", type: "quantitative", title: "per-sequence accuracy", scale: { domain: [0, 1] } },
      color: { field: "model", type: "nominal" },
      strokeDash: { field: "model", type: "nominal" },
    },
  });
}

function reportIntro(options: EvalCommandOptions, cars: CarTestSet | undefined, wall: string): string {
  return (
    (cars === undefined
      ? `Per-sequence accuracy on fresh random problems (seed ${options.seed}; the same problems for every model).`
      : "Per-sequence accuracy on held-out problems of the models' car split (" +
        (cars === "seen" ? "training cars from start poses held out of training" : "cars of the test split, never trained on") +
        "; synthetic procedural cars; " +
        (options.problems === undefined ? "every such problem" : `at most ${options.problems} per length, seed ${options.seed}`) +
        "; the same problems for every model).") +
    " " +
    `A problem counts when the RUN returns within twice the teacher's step count and the verifier, ` +
    `replaying the model's trace, finds the right answer. Backend ${options.backend}. Evaluation ` +
    `wall time: ${wall}.`
  );
}

/** What to test at each length: how many problems, and (car) which ones; otherwise fresh random ones from the seed. */
interface EvalPlans {
  readonly plans: readonly LengthPlan[];
  readonly problemsOf?: (plan: LengthPlan) => readonly unknown[];
}

function randomPlans(problemsAt: (length: number) => number, lengths: readonly number[], problems: number | undefined): EvalPlans {
  return { plans: lengths.map((length) => ({ length, problems: problems ?? problemsAt(length) })) };
}

/**
 * The car's test problems per path length: the held-out problems of the models' own split (every one,
 * or `--problems` of them). Every model must come from the same split, or their numbers would not compare.
 */
function carPlans(models: readonly LoadedModel[], lengths: readonly number[], which: CarTestSet, options: EvalCommandOptions): EvalPlans {
  const first = models[0]!;
  const set = trainingSetOfModel(first);
  for (const m of models.slice(1)) {
    const other = trainingSetOfModel(m);
    if (other.seed !== set.seed || JSON.stringify(other.cars) !== JSON.stringify(set.cars)) {
      throw new NpiAppError(
        "INVALID_OPTION",
        `${m.source} was trained on another car split than ${first.source}: their held-out problems differ; evaluate them separately`,
      );
    }
  }
  const lists = new Map<number, readonly unknown[]>();
  for (const length of lengths) {
    const list = carTestProblems(set, first.source, which, length, {
      ...(options.problems === undefined ? {} : { limit: options.problems }),
      seed: options.seed,
    });
    if (list.length === 0)
      throw new NpiAppError(
        "INVALID_OPTION",
        `--lengths ${length}: no ${which}-car test problem has a ${length}-move path (the start poses have 0-8)`,
      );
    lists.set(length, list);
  }
  return {
    plans: lengths.map((length) => ({ length, problems: lists.get(length)!.length })),
    problemsOf: (plan) => lists.get(plan.length)!,
  };
}
