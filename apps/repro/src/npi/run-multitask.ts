import { join } from "node:path";
import { NpiResultError, evaluateProblems, type ProblemsEvaluation, type Task } from "@dcnpi/npi-core";
import { CarFrameCache, additionTask, createCarTask, maxTask, sortingTask, splitCarProblems, type CarInput } from "@dcnpi/npi-envs";
import { createNpiModel, type NpiModel } from "@dcnpi/npi-core/tfjs";
import { readCheckpoint, readLengthEvaluationFile, readStageValue } from "@dcnpi/npi-core/node";
import { Rng } from "@dcnpi/tensor";
import type { NpiExperimentContext } from "./experiment-context.js";
import { carEvaluationSchema, type CarEvaluation } from "./run-car.js";
import { FULL_MULTITASK_RECIPE, QUICK_MULTITASK_RECIPE, type MultiTaskRecipe } from "./multitask-recipes.js";
import { trainMultiTask, type MultiTaskTrainSummary, type TaskData } from "./train-multitask.js";

/** One Table 1 cell: correct out of problems, and where it comes from when not from this run. */
export interface Table1Cell {
  readonly correct: number;
  readonly problems: number;
  readonly source?: string;
}

export type Table1Row = "addition" | "sorting" | "carSeen" | "carUnseen" | "maximum";

export interface Table1Results {
  readonly recipe: MultiTaskRecipe;
  /** Single-task cells read from earlier runs' evaluation stages (`--single-task-runs`), when found. */
  readonly singleTask: Partial<Record<Table1Row, Table1Cell>>;
  readonly multiTask: { readonly training: MultiTaskTrainSummary; readonly cells: Partial<Record<Table1Row, Table1Cell>> };
  readonly withMax?: {
    readonly training: MultiTaskTrainSummary;
    readonly cells: Partial<Record<Table1Row, Table1Cell>>;
    readonly frozenWeightsUnchanged: boolean;
    readonly trainedParameters: readonly string[];
  };
}

export function multiTaskRecipeFor(quick: boolean): MultiTaskRecipe {
  return quick ? QUICK_MULTITASK_RECIPE : FULL_MULTITASK_RECIPE;
}

const MAX_PROGRAMS = ["sorting/MAX", "sorting/RJMP"];

/** The training and test problems of every task, deterministic by seed. */
function problemsOf(recipe: MultiTaskRecipe, seed: number, carTaskInstance: Task<any, CarInput>) {
  const root = Rng.fromSeed(seed).fork("multitask");
  const draw = <I>(task: Task<any, I>, label: string, lengths: readonly number[], perLength: number): I[] => {
    const rng = root.fork(label);
    return lengths.flatMap((length) => Array.from({ length: perLength }, () => task.randomInput(rng, length)));
  };
  const car = splitCarProblems(recipe.car.split, seed);
  const validationLengths = (lengths: readonly number[]) =>
    Array.from({ length: recipe.validationPerTask }, (_, i) => lengths[i % lengths.length]!);
  const carLengths = Array.from({ length: recipe.car.split.maxPathLength }, (_, i) => i + 1);
  return {
    addition: {
      train: draw(additionTask, "addition-train", recipe.addition.lengths, recipe.addition.tracesPerLength),
      validation: validationLengths(recipe.addition.lengths).map((l, i) =>
        additionTask.randomInput(root.fork(`addition-validation-${i}`), l),
      ),
      test: draw(additionTask, "addition-test", [recipe.test.additionDigits], recipe.test.problems),
    },
    sorting: {
      train: draw(sortingTask, "sorting-train", recipe.sorting.lengths, recipe.sorting.tracesPerLength),
      validation: validationLengths(recipe.sorting.lengths).map((l, i) => sortingTask.randomInput(root.fork(`sorting-validation-${i}`), l)),
      test: draw(sortingTask, "sorting-test", [recipe.test.sortingLength], recipe.test.problems),
    },
    car: {
      train: car.training,
      validation: validationLengths(carLengths).map((l, i) => carTaskInstance.randomInput(root.fork(`car-validation-${i}`), l)),
      seenTest: car.seenTest,
      unseenTest: car.unseenTest,
    },
    max: {
      train: draw(maxTask, "max-train", recipe.max.lengths, recipe.max.tracesPerLength),
      validation: validationLengths(recipe.max.lengths).map((l, i) => maxTask.randomInput(root.fork(`max-validation-${i}`), l)),
      test: draw(maxTask, "max-test", [recipe.test.maxLength], recipe.test.problems),
    },
  };
}

const cellOf = (e: ProblemsEvaluation): Table1Cell => ({ correct: e.correct, problems: e.problems });

/**
 * Reads the single-task cells of Table 1 from earlier `repro npi` runs' finished evaluation stages
 * (through their owners' readers: npi-core's for length evaluations of any saved form, `carEvaluationSchema`
 * for the car). A stage that is missing gives no cell; one that is damaged throws `NpiResultError` naming its file.
 */
export function readSingleTaskCells(
  resultsDir: string,
  runIds: readonly string[],
  test: MultiTaskRecipe["test"],
  maxPathLength: number,
): Partial<Record<Table1Row, Table1Cell>> {
  const cells: Partial<Record<Table1Row, Table1Cell>> = {};
  const file = (runId: string, stage: string) => join(resultsDir, runId, "stages", stage, "result.json");
  const lengthsOf = (runId: string, stage: string) => readLengthEvaluationFile(file(runId, stage))?.lengths ?? [];
  const readCar = (runId: string): CarEvaluation | undefined => {
    const value = readStageValue(file(runId, "car-eval"));
    if (value === undefined) return undefined;
    const parsed = carEvaluationSchema.safeParse(value);
    if (!parsed.success)
      throw new NpiResultError(
        file(runId, "car-eval"),
        `not a car evaluation (${parsed.error.issues[0]?.path.join(".") || "value"}: ${parsed.error.issues[0]?.message ?? "invalid"})`,
      );
    return parsed.data;
  };
  for (const runId of runIds) {
    const atDigits = lengthsOf(runId, "addition-eval").find((l) => l.length === test.additionDigits);
    if (atDigits && cells.addition === undefined)
      cells.addition = { correct: atDigits.correct, problems: atDigits.problems, source: `${runId}, addition trained on 1–20 digits` };
    const atLength = lengthsOf(runId, "sorting-eval").find((l) => l.length === test.sortingLength);
    if (atLength && cells.sorting === undefined)
      cells.sorting = { correct: atLength.correct, problems: atLength.problems, source: `${runId}, sorting trained on length 2–20` };
    const car = readCar(runId);
    if (car && cells.carSeen === undefined) {
      const short = (e: ProblemsEvaluation): Table1Cell => {
        const groups = e.groups.filter((g) => g.group <= maxPathLength);
        return {
          correct: groups.reduce((a, g) => a + g.correct, 0),
          problems: groups.reduce((a, g) => a + g.problems, 0),
          source: `${runId}, car trained on paths of 0–8 moves; problems with ≤ ${maxPathLength} moves`,
        };
      };
      cells.carSeen = short(car.seen);
      cells.carUnseen = short(car.unseen);
    }
  }
  return cells;
}

function weightSnapshot(model: NpiModel, except: ReadonlySet<string>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const p of model.parameters()) if (!except.has(p.name)) out.set(p.name, Float32Array.from(p.variable.dataSync() as Float32Array));
  return out;
}

/**
 * `repro npi multitask`: one NPI on addition, sorting and the car task together, then MAX and RJMP
 * added with everything else frozen (paper §4.3-4.4, Table 1). Evaluates every row of Table 1 after
 * each phase; single-task cells come from earlier runs (`singleTaskRuns`).
 */
export async function runMultiTaskExperiment(
  ctx: NpiExperimentContext,
  options: { readonly resultsDir: string; readonly singleTaskRuns: readonly string[] },
): Promise<Table1Results> {
  const recipe = multiTaskRecipeFor(ctx.quick);
  const frames = new CarFrameCache({ size: recipe.car.imageSize });
  const carSplit = splitCarProblems(recipe.car.split, ctx.seed);
  const carTask = createCarTask({ frames, cars: carSplit.validationCars });
  const tasks = [additionTask, sortingTask, carTask] as const;
  const problems = problemsOf(recipe, ctx.seed, carTask);
  // One task at construction, the others through addTask: the constructor adds every task's program
  // rows and rejects the second "ACT" (shared by all tasks), while addTask skips rows it already has.
  const newModel = () => {
    const model = createNpiModel({ tasks: [tasks[0]], config: recipe.model, seed: ctx.seed });
    for (const task of tasks.slice(1)) model.addTask(task);
    return model;
  };
  const oldData: TaskData[] = [
    { task: additionTask, inputs: problems.addition.train, extraPrograms: ["RSHIFT"], validation: problems.addition.validation },
    { task: sortingTask, inputs: problems.sorting.train, validation: problems.sorting.validation },
    { task: carTask, inputs: problems.car.train, validation: problems.car.validation },
  ];
  ctx.log({
    event: "multitask-data",
    addition: problems.addition.train.length,
    sorting: problems.sorting.train.length,
    car: problems.car.train.length,
    max: problems.max.train.length,
  });

  const evaluateRows = (model: NpiModel, withMax: boolean, name: string): Partial<Record<Table1Row, Table1Cell>> => {
    const run = <I>(task: Task<any, I>, inputs: readonly I[], row: string) => {
      const e = evaluateProblems(model, task, inputs, { onChunk: (done, total) => ctx.say(`${name} ${row}: evaluated ${done}/${total}`) });
      ctx.say(`${name} ${row}: ${e.correct}/${e.problems} correct`);
      ctx.log({
        event: "eval",
        experiment: name,
        row,
        correct: e.correct,
        problems: e.problems,
        traceExact: e.traceExact,
        groups: e.groups,
      });
      return cellOf(e);
    };
    const cells: Partial<Record<Table1Row, Table1Cell>> = {
      addition: run(additionTask, problems.addition.test, "addition"),
      sorting: run(sortingTask, problems.sorting.test, "sorting"),
      carSeen: run(carTask, problems.car.seenTest, "car seen"),
      carUnseen: run(carTask, problems.car.unseenTest, "car unseen"),
    };
    if (withMax) cells.maximum = run(maxTask, problems.max.test, "maximum");
    return cells;
  };

  // Phase 1: all three tasks, everything trains.
  const multiDir = ctx.run.path("stages", "multitask-train");
  let multiModel: NpiModel | undefined;
  const multiTraining = (await ctx.timed("multitask-train", (dir) => {
    ctx.say(`multitask: training on ${oldData.reduce((a, d) => a + d.inputs.length, 0)} teacher traces of 3 tasks`);
    multiModel = newModel();
    return trainMultiTask({
      model: multiModel,
      data: oldData,
      phase: recipe.phase,
      seed: ctx.seed,
      dir,
      label: "multitask training",
      log: (r) => ctx.log({ experiment: "multitask", ...r }),
      ...(ctx.progress ? { progress: ctx.progress } : {}),
    });
  })) as MultiTaskTrainSummary;
  const loadMulti = () => {
    const model = newModel();
    model.setWeights(readCheckpoint(multiDir).weights, { complete: true });
    return model;
  };
  multiModel ??= loadMulti();
  ctx.models.push(multiModel);
  const multiCells = await ctx.timed("multitask-eval", () => evaluateRows(multiModel!, false, "multitask"));

  // Phase 2: MAX and RJMP added as two new memory rows; only those rows train. Old tasks' traces are
  // replayed so that the new keys learn not to win where old programs call old programs.
  const maxDir = ctx.run.path("stages", "multitask-max-train");
  let maxModel: NpiModel | undefined;
  let frozenWeightsUnchanged = true;
  let trainedParameters: string[] = [];
  const maxTraining = (await ctx.timed("multitask-max-train", (dir) => {
    maxModel = loadMulti();
    maxModel.addTask(maxTask);
    trainedParameters = maxModel.parameters({ programs: MAX_PROGRAMS }).map((p) => p.name);
    const before = weightSnapshot(maxModel, new Set(trainedParameters));
    const replay = oldData.map((d) => ({ ...d, inputs: d.inputs.slice(0, recipe.max.replayTracesPerTask) }));
    const summary = trainMultiTask({
      model: maxModel,
      data: [{ task: maxTask, inputs: problems.max.train, validation: problems.max.validation }, ...replay],
      phase: recipe.max.phase,
      trainable: { programs: MAX_PROGRAMS },
      seed: ctx.seed,
      dir,
      label: "MAX (core frozen) training",
      log: (r) => ctx.log({ experiment: "multitask-max", ...r }),
      ...(ctx.progress ? { progress: ctx.progress } : {}),
    });
    const after = weightSnapshot(maxModel, new Set(trainedParameters));
    for (const [name, values] of before) {
      const now = after.get(name)!;
      if (now.length !== values.length || now.some((v, i) => !Object.is(v, values[i]))) frozenWeightsUnchanged = false;
    }
    return { summary, frozenWeightsUnchanged, trainedParameters };
  })) as { summary: MultiTaskTrainSummary; frozenWeightsUnchanged: boolean; trainedParameters: string[] };
  if (maxModel === undefined) {
    maxModel = loadMulti();
    maxModel.addTask(maxTask);
    maxModel.setWeights(readCheckpoint(maxDir).weights, { complete: true });
  }
  ctx.models.push(maxModel);
  const maxCells = await ctx.timed("multitask-max-eval", () => evaluateRows(maxModel!, true, "multitask+MAX"));

  const singleTask = readSingleTaskCells(options.resultsDir, options.singleTaskRuns, recipe.test, recipe.car.split.maxPathLength);
  return {
    recipe,
    singleTask,
    multiTask: { training: multiTraining, cells: multiCells as Partial<Record<Table1Row, Table1Cell>> },
    withMax: {
      training: maxTraining.summary,
      cells: maxCells as Partial<Record<Table1Row, Table1Cell>>,
      frozenWeightsUnchanged: maxTraining.frozenWeightsUnchanged,
      trainedParameters: maxTraining.trainedParameters,
    },
  };
}
