import type { DatasetStats, Task } from "@dcnpi/npi-core";
import { createNpiModel, type NpiModel, type TrainingRecipe } from "@dcnpi/npi-core/tfjs";
import { Rng } from "@dcnpi/tensor";
import { trainMultiTask } from "./train-multitask.js";

export interface TrainTaskOptions<Input> {
  readonly task: Task<any, Input>;
  readonly recipe: TrainingRecipe;
  readonly seed: number;
  /** Training problems (teacher traces are recorded from them). */
  readonly inputs: readonly Input[];
  /** Where checkpoints and the training state go (a run-directory stage). */
  readonly dir: string;
  readonly label: string;
  readonly log: (record: Record<string, unknown>) => void;
  readonly progress?: "bar" | "lines" | "silent";
}

export interface ValidationPoint {
  readonly step: number;
  readonly accuracy: number;
  readonly teacherForcedError: number;
}

export interface TrainSummary {
  readonly steps: number;
  readonly stoppedEarly: boolean;
  /** Wall-clock and CPU seconds spent in training (summed over resumed runs; work lost to a kill is not counted). */
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly dataset: DatasetStats;
  readonly validation: readonly ValidationPoint[];
  readonly finalErrors: readonly { readonly program: string; readonly stepError: number; readonly sequenceError: number }[];
  readonly lossCurve: readonly { readonly step: number; readonly loss: number }[];
}

/** Builds the model, records the teacher traces and trains; resumes from `dir` after a kill. */
export function trainTask<Input>(options: TrainTaskOptions<Input>): { model: NpiModel; summary: TrainSummary } {
  const { task, recipe } = options;
  const model = createNpiModel({ tasks: [task], config: recipe.model, seed: options.seed });
  const validationRng = Rng.fromSeed(options.seed).fork(`${task.name}-validation`);
  const validationInputs = Array.from({ length: recipe.validationProblems }, (_, i) =>
    task.randomInput(validationRng, recipe.trainLengths[i % recipe.trainLengths.length]!),
  );
  const summary = trainMultiTask({
    model,
    data: [{ task, inputs: options.inputs, extraPrograms: recipe.extraPrograms, validation: validationInputs }],
    phase: recipe,
    seed: options.seed,
    dir: options.dir,
    label: options.label,
    log: (record) => options.log({ ...record, task: task.name }),
    ...(options.progress ? { progress: options.progress } : {}),
  });
  return { model, summary };
}
