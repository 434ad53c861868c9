import { availableParallelism, loadavg } from "node:os";
import {
  evaluateLengths,
  randomProblems,
  runProgram,
  stepBudget,
  storedLengthEvaluationSchema,
  type LengthEvaluation,
  type LengthPlan,
  type Task,
} from "@dcnpi/npi-core";
import { additionTask, sortingTask, type AdditionEnv, type AdditionInput, type SortingInput } from "@dcnpi/npi-envs";
import { openRunDirectory, writeJsonAtomic, type RunDirectory } from "@dcnpi/run-kit";
import { Rng } from "@dcnpi/tensor";
import type { NpiModel, TrainingRecipe } from "@dcnpi/npi-core/tfjs";
import type { z } from "zod";
import { collectRunMetadata } from "../run-metadata.js";
import { loadTrainedModel } from "./load-model.js";
import { FULL_RECIPES, QUICK_RECIPES, type NpiRecipes } from "./recipes.js";
import { writeNpiReport, type NpiResults } from "./report.js";
import { trainTask, type TrainSummary } from "./train.js";
import { runCarExperiment } from "./run-car.js";
import { runMultiTaskExperiment } from "./run-multitask.js";
import type { NpiExperimentContext } from "./experiment-context.js";

export type NpiExperiment = "addition" | "sorting" | "sample-complexity" | "car" | "multitask";

export interface RunNpiOptions {
  readonly experiments: readonly NpiExperiment[];
  readonly seed: number;
  readonly quick: boolean;
  readonly resultsDir: string;
  readonly runId: string;
  readonly backend: string;
  readonly versions: Record<string, string>;
  readonly progress?: "bar" | "lines" | "silent";
  readonly say: (line: string) => void;
  /** Earlier run ids (in `resultsDir`) whose evaluation stages give Table 1's single-task cells. */
  readonly singleTaskRuns?: readonly string[];
  /**
   * Sample complexity: train only these training-set sizes (a subset of the recipe's), e.g. to run
   * the sizes in parallel processes and gather their stages in one run directory afterwards.
   */
  readonly traceCounts?: readonly number[];
}

export interface SpotCheck {
  readonly input: string;
  readonly expected: string;
  readonly output: string;
  readonly status: string;
  readonly correct: boolean;
}

function trainingInputs<Input>(task: Task<any, Input>, recipe: TrainingRecipe, seed: number): Input[] {
  const rng = Rng.fromSeed(seed).fork(`${task.name}-training-set`);
  return recipe.trainLengths.flatMap((length) => Array.from({ length: recipe.tracesPerLength }, () => task.randomInput(rng, length)));
}

async function timed<T>(run: RunDirectory, name: string, compute: (stageDir: string) => T | Promise<T>, schema?: z.ZodType<T>): Promise<T> {
  const started = performance.now();
  const value = await run.stage(name, ({ stageDir }) => compute(stageDir), schema);
  if (!run.resumedStages.includes(name))
    run.appendMetric({ event: "stage", stage: name, wallSeconds: (performance.now() - started) / 1000 });
  return value;
}

/** What every experiment of one `runNpi` call shares: its options, run directory, metrics log and the models to dispose of. */
interface NpiRun {
  readonly options: RunNpiOptions;
  readonly run: RunDirectory;
  readonly log: (record: Record<string, unknown>) => void;
  readonly models: NpiModel[];
}

/** Runs the chosen NPI experiments into `results/<run-id>/` (resuming finished stages and training) and writes the report. */
export async function runNpi(options: RunNpiOptions): Promise<{ dir: string }> {
  const recipes: NpiRecipes = options.quick ? QUICK_RECIPES : FULL_RECIPES;
  const run = openRunDirectory(options.resultsDir, options.runId);
  const metadata = startMetadata(options);
  writeJsonAtomic(run.path("metadata.json"), { ...metadata, status: "running" });
  const npi: NpiRun = { options, run, log: (record) => run.appendMetric(record), models: [] };
  const results: { -readonly [K in keyof NpiResults]: NpiResults[K] } = {
    quick: options.quick,
    seed: options.seed,
    backend: options.backend,
  };
  const started = performance.now();
  if (options.experiments.includes("addition")) results.addition = await runAddition(npi, recipes.addition);
  if (options.experiments.includes("sorting")) results.sorting = await runSorting(npi, recipes.sorting);
  if (options.experiments.includes("sample-complexity"))
    results.sampleComplexity = await runSampleComplexity(npi, recipes.sampleComplexity);
  if (options.experiments.includes("car")) results.car = await runCarExperiment(experimentContext(npi));
  if (options.experiments.includes("multitask"))
    results.table1 = await runMultiTaskExperiment(experimentContext(npi), {
      resultsDir: options.resultsDir,
      singleTaskRuns: options.singleTaskRuns ?? [],
    });

  const finished = {
    ...metadata,
    status: "finished",
    finishedAt: new Date().toISOString(),
    wallSeconds: (performance.now() - started) / 1000,
    loadAverageAtEnd: loadavg()[0] ?? 0,
    resumedStages: run.resumedStages,
  };
  writeJsonAtomic(run.path("metadata.json"), finished);
  await writeNpiReport(run.dir, results, finished);
  for (const model of npi.models) model.dispose();
  return { dir: run.dir };
}

function startMetadata(options: RunNpiOptions) {
  return {
    ...collectRunMetadata(
      `repro npi ${options.experiments.join(" ")}${options.quick ? " --quick" : ""} --seed ${options.seed}`,
      options.seed,
      options.backend,
      options.versions,
    ),
    parallelism: availableParallelism(),
  };
}

/** What the car and multi-task experiments take from the run. */
function experimentContext({ options, run, log, models }: NpiRun): NpiExperimentContext {
  return {
    run,
    seed: options.seed,
    quick: options.quick,
    say: options.say,
    log,
    timed: (name, compute, schema) => timed(run, name, compute, schema),
    models,
    ...(options.progress ? { progress: options.progress } : {}),
  };
}

// The problems of a length: drawn from `<seed>-<test set>-test`, forked by length (the same in every run with that seed).
function evaluate<Input>(
  { options, log }: NpiRun,
  model: NpiModel,
  task: Task<any, Input>,
  plans: readonly LengthPlan[],
  name: string,
  testSet = name,
): LengthEvaluation {
  const evaluation = evaluateLengths(model, task, plans, {
    problemsOf: (plan) => randomProblems(task, plan, Rng.fromSeed(`${options.seed}-${testSet}-test`).fork(`length-${plan.length}`)),
    onChunk: (done, total) => options.say(`${name}: evaluated ${done}/${total} problems`),
  });
  for (const r of evaluation.lengths) {
    log({ event: "eval", experiment: name, ...r });
    options.say(`${name}: length ${r.length}: ${r.correct}/${r.problems} correct`);
  }
  log({ event: "eval-time", experiment: name, wallSeconds: evaluation.wallSeconds });
  return evaluation;
}

async function trainAndLoad<Input>(
  { options, run, log, models }: NpiRun,
  task: Task<any, Input>,
  recipe: TrainingRecipe,
  name: string,
  inputs: readonly Input[],
) {
  let model: NpiModel | undefined;
  const stageDir = run.path("stages", `${name}-train`);
  const summary = await timed(run, `${name}-train`, (dir) => {
    options.say(`${name}: training on ${inputs.length} teacher traces`);
    const trained = trainTask({
      task,
      recipe,
      seed: options.seed,
      inputs,
      dir,
      label: `${name} training`,
      log: (r) => log({ experiment: name, ...r }),
      ...(options.progress ? { progress: options.progress } : {}),
    });
    model = trained.model;
    return trained.summary;
  });
  model ??= loadTrainedModel(task, recipe, options.seed, stageDir);
  models.push(model);
  return { model, summary: summary as TrainSummary };
}

async function runAddition(npi: NpiRun, recipe: NpiRecipes["addition"]): Promise<NonNullable<NpiResults["addition"]>> {
  const { options, run } = npi;
  const { model, summary } = await trainAndLoad(npi, additionTask, recipe, "addition", trainingInputs(additionTask, recipe, options.seed));
  // Saved evaluations of older runs (unversioned) are read as today's by npi-core's schema.
  const evaluation = await timed(
    run,
    "addition-eval",
    () => evaluate(npi, model, additionTask, recipe.testLengths, "addition"),
    storedLengthEvaluationSchema,
  );
  const spotChecks = await timed(run, "addition-spot-checks", () => additionSpotChecks(model));
  return { recipe, training: summary, evaluation, spotChecks: spotChecks as SpotCheck[] };
}

async function runSorting(npi: NpiRun, recipe: NpiRecipes["sorting"]): Promise<NonNullable<NpiResults["sorting"]>> {
  const { options, run } = npi;
  const { model, summary } = await trainAndLoad(npi, sortingTask, recipe, "sorting", trainingInputs(sortingTask, recipe, options.seed));
  const evaluation = await timed(
    run,
    "sorting-eval",
    () => evaluate(npi, model, sortingTask, recipe.testLengths, "sorting"),
    storedLengthEvaluationSchema,
  );
  return { recipe, training: summary, evaluation };
}

async function runSampleComplexity(
  npi: NpiRun,
  plan: NpiRecipes["sampleComplexity"],
): Promise<NonNullable<NpiResults["sampleComplexity"]>> {
  const { options, run, models } = npi;
  const rng = Rng.fromSeed(options.seed).fork("sample-complexity-inputs");
  const largest = Math.max(...plan.traceCounts);
  // Smaller training sets are prefixes of the largest, so the curve compares like with like.
  const pool: SortingInput[] = Array.from({ length: largest }, () => sortingTask.randomInput(rng, plan.length));
  const rows: NonNullable<NpiResults["sampleComplexity"]>["rows"][number][] = [];
  const counts = options.traceCounts ?? plan.traceCounts;
  const unknown = counts.filter((c) => !plan.traceCounts.includes(c));
  if (unknown.length > 0)
    throw new Error(`sample complexity: trace counts ${unknown.join(", ")} are not in the recipe's (${plan.traceCounts.join(", ")})`);
  for (const count of counts) {
    const name = `sample-complexity-${count}`;
    const { model, summary } = await trainAndLoad(npi, sortingTask, plan.recipe, name, pool.slice(0, count));
    const evaluation = await timed(
      run,
      `${name}-eval`,
      () => evaluate(npi, model, sortingTask, [{ length: plan.length, problems: plan.testProblems }], name, "sample-complexity"),
      storedLengthEvaluationSchema,
    );
    const result = evaluation.lengths[0]!;
    options.say(`sample complexity: ${count} traces → ${result.correct}/${result.problems} correct at length ${plan.length}`);
    rows.push({ traces: count, training: summary, result });
    model.dispose();
    models.splice(models.indexOf(model), 1);
  }
  return { length: plan.length, rows };
}

/** The blank-cell pitfall and carries through long runs of nines, checked one by one. */
function additionSpotChecks(model: NpiModel): SpotCheck[] {
  const cases: AdditionInput[] = [
    { a: "1007", b: "3" },
    { a: "3", b: "1007" },
    { a: "0", b: "0" },
    { a: "999999999999", b: "1" },
    { a: "5", b: "5" },
    { a: "90000000000000000001", b: "9999999999" },
  ];
  return cases.map((input) => {
    const env = additionTask.createEnvironment(input) as AdditionEnv;
    const result = runProgram(model, { task: additionTask, env, maxSteps: stepBudget(additionTask, input) });
    const expected = (BigInt(input.a) + BigInt(input.b)).toString();
    return {
      input: `${input.a} + ${input.b}`,
      expected,
      output: env.output(),
      status: result.status,
      correct: result.status === "returned" && env.output() === expected,
    };
  });
}
