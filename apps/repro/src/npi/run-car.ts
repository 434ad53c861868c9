import { relative } from "node:path";
import { evaluateProblems, problemsEvaluationSchema, stepBudget, type ProblemsEvaluation, type Task } from "@dcnpi/npi-core";
import { z } from "zod";
import { CarFrameCache, carPathLength, createCarTask, splitCarProblems, type CarEnv, type CarInput, type CarSplits } from "@dcnpi/npi-envs";
import type { NpiModel, TrainingRecipe } from "@dcnpi/npi-core/tfjs";
import { writeContactSheet, writeModelRun } from "./car-pictures.js";
import { FULL_CAR_RECIPE, QUICK_CAR_RECIPE, type CarRecipe } from "./car-recipes.js";
import type { NpiExperimentContext } from "./experiment-context.js";
import { loadTrainedModel } from "./load-model.js";
import { trainTask, type TrainSummary } from "./train.js";

/** Seen-car and unseen-car accuracy of one trained car model (the `car-eval` stages' value). */
export interface CarEvaluation {
  readonly seen: ProblemsEvaluation;
  readonly unseen: ProblemsEvaluation;
}

/** A saved `CarEvaluation` (`stages/car-eval/result.json`, `car-pose-oracle-eval`), to read it back. */
export const carEvaluationSchema: z.ZodType<CarEvaluation> = z.object({ seen: problemsEvaluationSchema, unseen: problemsEvaluationSchema });

export interface CarResults {
  readonly recipe: CarRecipe;
  readonly problems: { readonly training: number; readonly seenTest: number; readonly unseenTest: number };
  readonly pixels: { readonly training: TrainSummary; readonly evaluation: CarEvaluation };
  readonly oracle: { readonly training: TrainSummary; readonly evaluation: CarEvaluation };
  /** PNG files (relative to the run directory) and their labelled SVG pages (the PNG inline). */
  readonly pictures: {
    readonly contactSheet: { readonly png: string; readonly svg: string };
    readonly run: {
      readonly png: string;
      readonly svg: string;
      readonly carSeed: number;
      readonly moves: readonly string[];
      readonly solved: boolean;
      readonly status: string;
    };
  };
}

export function carRecipeFor(quick: boolean): CarRecipe {
  return quick ? QUICK_CAR_RECIPE : FULL_CAR_RECIPE;
}

/** Trains a car model in a resumable stage (or reads the finished one back). */
export async function trainCarStage<Input>(
  ctx: NpiExperimentContext,
  name: string,
  task: Task<any, Input>,
  recipe: TrainingRecipe,
  inputs: readonly Input[],
): Promise<{ model: NpiModel; summary: TrainSummary }> {
  let model: NpiModel | undefined;
  const stageDir = ctx.run.path("stages", `${name}-train`);
  const summary = await ctx.timed(`${name}-train`, (dir) => {
    ctx.say(`${name}: training on ${inputs.length} teacher traces`);
    const trained = trainTask({
      task,
      recipe,
      seed: ctx.seed,
      inputs,
      dir,
      label: `${name} training`,
      log: (r) => ctx.log({ experiment: name, ...r }),
      ...(ctx.progress ? { progress: ctx.progress } : {}),
    });
    model = trained.model;
    return trained.summary;
  });
  model ??= loadTrainedModel(task, recipe, ctx.seed, stageDir);
  ctx.models.push(model);
  return { model, summary: summary as TrainSummary };
}

/** Seen and unseen accuracy, grouped by GOTO path length. */
export function evaluateCar(
  model: NpiModel,
  task: Task<CarEnv, CarInput>,
  splits: Pick<CarSplits, "seenTest" | "unseenTest">,
  say: (line: string) => void,
  name: string,
): CarEvaluation {
  const run = (inputs: readonly CarInput[], which: string) => {
    const evaluation = evaluateProblems(model, task, inputs, {
      groupOf: (input) => carPathLength(input.start),
      onChunk: (done, total) => say(`${name} ${which}: evaluated ${done}/${total}`),
    });
    say(`${name} ${which}: ${evaluation.correct}/${evaluation.problems} correct`);
    return evaluation;
  };
  return { seen: run(splits.seenTest, "seen cars"), unseen: run(splits.unseenTest, "unseen cars") };
}

/**
 * `repro npi car`: the car canonicalisation task on synthetic cars (paper §4.1, Table 1 "single
 * task"), the pixel model and the pose-oracle ablation, seen and unseen cars, and pictures.
 */
export async function runCarExperiment(ctx: NpiExperimentContext): Promise<CarResults> {
  const recipe = carRecipeFor(ctx.quick);
  const splits = splitCarProblems(recipe.split, ctx.seed);
  const frames = new CarFrameCache({ size: recipe.imageSize });
  // Validation (the stopping rule) draws from the validation-split cars, never from test problems.
  const pixelTask = createCarTask({ frames, cars: splits.validationCars });
  const oracleTask = createCarTask({ observation: "pose-oracle", cars: splits.validationCars });
  ctx.log({ event: "car-split", training: splits.training.length, seenTest: splits.seenTest.length, unseenTest: splits.unseenTest.length });

  const pictures = await ctx.timed("car-contact-sheet", (dir) => {
    const sheet = writeContactSheet(dir, splits.unseenTest[0]!.carSeed, recipe.imageSize);
    return { png: relative(ctx.run.dir, sheet.pngFile), svg: sheet.svg };
  });

  const pixels = await trainCarStage(ctx, "car", pixelTask, recipe.pixels, splits.training);
  const pixelEvaluation = await ctx.timed(
    "car-eval",
    () => evaluateCar(pixels.model, pixelTask, splits, ctx.say, "car"),
    carEvaluationSchema,
  );
  const run = await ctx.timed("car-run-picture", (dir) => {
    // The first unseen-car problem with the longest path: the most frames to look at.
    const longest = Math.max(...splits.unseenTest.map((i) => carPathLength(i.start)));
    const input = splits.unseenTest.find((i) => carPathLength(i.start) === longest)!;
    const picture = writeModelRun(dir, pixels.model, pixelTask, input, {
      imageSize: recipe.imageSize,
      maxSteps: stepBudget(pixelTask, input),
      label: "unseen car",
    });
    return {
      png: relative(ctx.run.dir, picture.picture.pngFile),
      svg: picture.picture.svg,
      carSeed: input.carSeed,
      moves: picture.moves,
      solved: picture.solved,
      status: picture.status,
    };
  });

  const oracle = await trainCarStage(ctx, "car-pose-oracle", oracleTask, recipe.oracle, splits.training);
  const oracleEvaluation = await ctx.timed(
    "car-pose-oracle-eval",
    () => evaluateCar(oracle.model, oracleTask, splits, ctx.say, "car-pose-oracle"),
    carEvaluationSchema,
  );

  return {
    recipe,
    problems: { training: splits.training.length, seenTest: splits.seenTest.length, unseenTest: splits.unseenTest.length },
    pixels: { training: pixels.summary, evaluation: pixelEvaluation },
    oracle: { training: oracle.summary, evaluation: oracleEvaluation },
    pictures: { contactSheet: pictures, run },
  };
}
