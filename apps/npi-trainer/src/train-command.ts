import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NpiTrainer, createNpiModel } from "@dcnpi/npi-core/tfjs";
import { trainingProgressNote, trainWithValidation, type TrainingState } from "@dcnpi/npi-core/node";
import { createProgress, writeJsonAtomic, type Progress } from "@dcnpi/run-kit";
import { Rng } from "@dcnpi/tensor";
import { z } from "zod";
import { NpiAppError } from "./errors.js";
import { TRAIN_INFO_FILE, type TrainInfo } from "./model-store.js";
import { trainingSetOf } from "./recipes.js";
import { buildDataset } from "./training-set.js";
import { recipeFor, resolveTask, sameFamily, taskEntry, type TaskName } from "./tasks.js";
import { validationDrawer } from "./validation.js";

export interface TrainCommandOptions {
  readonly task: TaskName;
  readonly seed: number;
  /** The run directory: checkpoint, npi-train.json, train-state.json. */
  readonly out: string;
  readonly quick: boolean;
  readonly maxSteps?: number;
  /**
   * Train with the recipe (model, trainer, lengths, steps) of another task of the same problem family: `--task addition
   * --recipe-of recursive-addition` trains the non-recursive program exactly as the recursive one, on the
   * same problems (both draw addition's training set), for Cai et al.'s recursive vs non-recursive table.
   */
  readonly recipeOf?: TaskName;
  /**
   * Another training set than the recipe's (`--train-lengths`, `--traces-per-length`): the sizes of the
   * training and validation problems and how many per size, e.g. Cai et al.'s single 5-vertex trace for
   * topological sort. Recorded in npi-train.json like the recipe's, so compress and eval use it too.
   */
  readonly trainLengths?: readonly number[];
  readonly tracesPerLength?: number;
  readonly progress: "bar" | "lines" | "silent";
  readonly log: (line: string) => void;
}

export interface TrainSummary {
  readonly dir: string;
  readonly state: TrainingState;
  readonly resumedFrom: number | null;
}

function readJson<T>(file: string, schema: z.ZodType<T>, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new NpiAppError("INCOMPATIBLE_RUN", `${file}: not valid JSON; delete the directory to start over`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new NpiAppError("INCOMPATIBLE_RUN", `${file}: not a valid ${what}; delete the directory to start over`);
  return parsed.data;
}

/**
 * Trains one task with npi-core's trainer (teacher traces, adaptive curriculum), validating on fresh
 * problems at training lengths and checkpointing atomically every `checkEverySteps`; a run killed at
 * any moment continues from its last checkpoint when started again with the same settings.
 */
export function trainCommand(options: TrainCommandOptions): TrainSummary {
  if (options.recipeOf === options.task) {
    throw new NpiAppError("INVALID_OPTION", `--recipe-of ${options.recipeOf}: that is ${options.task}'s own recipe (leave the option out)`);
  }
  if (options.recipeOf !== undefined && !sameFamily(options.recipeOf, options.task)) {
    throw new NpiAppError(
      "INVALID_OPTION",
      `--recipe-of ${options.recipeOf}: ${options.task} and ${options.recipeOf} do not share problems ` +
        `(${taskEntry(options.task).family} and ${taskEntry(options.recipeOf).family} problems)`,
    );
  }
  const recipeOfTask = recipeFor(options.recipeOf ?? options.task, {
    quick: options.quick,
    ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
  });
  if (recipeOfTask.cars !== undefined && (options.trainLengths !== undefined || options.tracesPerLength !== undefined)) {
    throw new NpiAppError(
      "INVALID_OPTION",
      `--train-lengths / --traces-per-length: ${options.task}'s training problems are its car split, not random problems per size`,
    );
  }
  const recipe = {
    ...recipeOfTask,
    ...(options.trainLengths === undefined ? {} : { trainLengths: [...options.trainLengths] }),
    ...(options.tracesPerLength === undefined ? {} : { tracesPerLength: options.tracesPerLength }),
  };
  const task = resolveTask(options.task, recipe.cars === undefined ? {} : { imageSize: recipe.cars.imageSize });
  const info: TrainInfo = {
    kind: "dcnpi/npi-train",
    version: 1,
    task: options.task,
    quick: options.quick,
    ...(options.recipeOf === undefined ? {} : { recipeOf: options.recipeOf }),
    trainingSet: trainingSetOf(recipe, options.seed),
  };
  const dir = options.out;
  const infoPath = join(dir, TRAIN_INFO_FILE);
  if (existsSync(infoPath)) {
    const existing = readJson(infoPath, z.unknown(), "npi-train.json");
    if (JSON.stringify(existing) !== JSON.stringify(info)) {
      throw new NpiAppError(
        "INCOMPATIBLE_RUN",
        `${dir} holds a run with other settings (task, seed, --quick or training set); pick another --out or delete it`,
      );
    }
  } else if (existsSync(dir) && existsSync(join(dir, "checkpoint.json"))) {
    throw new NpiAppError(
      "INCOMPATIBLE_RUN",
      `${dir} holds a checkpoint that npi train did not write (no ${TRAIN_INFO_FILE}); pick another --out`,
    );
  }
  mkdirSync(dir, { recursive: true });
  writeJsonAtomic(infoPath, info);

  const model = createNpiModel({ tasks: [task], config: recipe.model, seed: options.seed });
  try {
    const dataset = buildDataset(model, task, info.trainingSet);
    const stats = dataset.stats();
    options.log(
      `${options.task}: ${stats.traces} teacher traces, ${stats.invocations} invocations (${stats.uniqueInvocations} distinct), ${stats.steps} steps`,
    );
    const trainer = new NpiTrainer(model, dataset, { ...recipe.trainer, seed: options.seed });
    const validationRng = Rng.fromSeed(options.seed).fork(`${task.name}-validation`);
    const draw = validationDrawer(task, info.trainingSet);
    const validationInputs = Array.from({ length: recipe.validationProblems }, (_, i) =>
      draw(validationRng, recipe.trainLengths[i % recipe.trainLengths.length]!),
    );
    let progress: Progress | undefined;
    const { state, resumedFrom } = trainWithValidation({
      trainer,
      validation: [{ task, inputs: validationInputs }],
      maxSteps: recipe.maxSteps,
      checkEverySteps: recipe.checkEverySteps,
      stopAfterPerfectChecks: recipe.stopAfterPerfectChecks,
      dir,
      onEvent: (event) => {
        if (event.event === "resume") {
          options.log(event.finished ? `${dir}: already trained (${event.step} steps)` : `${dir}: resuming at step ${event.step}`);
        } else if (event.event === "validation" && options.progress !== "bar") {
          options.log(
            `step ${event.step}: validation ${(100 * event.accuracy).toFixed(0)}% solved, max teacher-forced step error ${event.teacherForcedError.toFixed(4)}`,
          );
        }
      },
      onStep: (metrics, s) => {
        progress ??= createProgress({ label: `train ${options.task}`, total: recipe.maxSteps, mode: options.progress });
        progress.update(trainer.step, trainingProgressNote(metrics, s));
      },
    });
    progress?.stop(`${trainer.step} steps`);
    trainer.dispose();
    return { dir, state, resumedFrom };
  } finally {
    model.dispose();
  }
}
