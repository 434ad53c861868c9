import { InvocationDataset, type Task } from "@dcnpi/npi-core";
import { NpiTrainer, type NpiModel, type TrainableSelection, type TrainerOptions } from "@dcnpi/npi-core/tfjs";
import { trainingProgressNote, trainWithValidation } from "@dcnpi/npi-core/node";
import { createProgress } from "@dcnpi/run-kit";
import type { TrainSummary } from "./train.js";

/** One task's share of a multi-task training set. */
export interface TaskData {
  readonly task: Task<any, any>;
  /** Training problems (teacher traces are recorded from them). */
  readonly inputs: readonly unknown[];
  /** Programs also recorded, as their own traces, on the environment each root trace leaves (e.g. addition's RSHIFT). */
  readonly extraPrograms?: readonly string[];
  /** Validation problems (for the stopping rule only). */
  readonly validation: readonly unknown[];
}

export interface MultiTaskPhase {
  readonly trainer: Omit<TrainerOptions, "seed">;
  readonly maxSteps: number;
  readonly checkEverySteps: number;
  /** Stop once this many consecutive checks found every validation problem of every task solved and no teacher-forced error. */
  readonly stopAfterPerfectChecks: number;
}

export interface MultiTaskTrainSummary extends TrainSummary {
  /** Validation accuracy per task at the last check. */
  readonly lastValidation: Record<string, number>;
}

/**
 * Trains one model on several tasks at once (shared core, one program memory, one encoder per
 * environment), with the adaptive curriculum over all their programs; `trainable` freezes the rest
 * (the MAX phase trains only the new memory rows). Resumes from `dir` after a kill, like `trainTask`.
 */
export function trainMultiTask(options: {
  readonly model: NpiModel;
  readonly data: readonly TaskData[];
  readonly phase: MultiTaskPhase;
  readonly trainable?: TrainableSelection;
  readonly seed: number;
  readonly dir: string;
  readonly label: string;
  readonly log: (record: Record<string, unknown>) => void;
  readonly progress?: "bar" | "lines" | "silent";
}): MultiTaskTrainSummary {
  const { model, data, phase } = options;
  const dataset = new InvocationDataset(model);
  for (const { task, inputs, extraPrograms } of data) dataset.addTeacherTraces(task, inputs, extraPrograms);
  const trainer = new NpiTrainer(model, dataset, {
    ...phase.trainer,
    seed: options.seed,
    ...(options.trainable ? { trainable: options.trainable } : {}),
  });
  const progress = createProgress({
    label: options.label,
    total: phase.maxSteps,
    mode: options.progress ?? (process.stderr.isTTY ? "bar" : "lines"),
  });
  const { state } = trainWithValidation({
    trainer,
    validation: data.map(({ task, validation }) => ({ task, inputs: validation })),
    maxSteps: phase.maxSteps,
    checkEverySteps: phase.checkEverySteps,
    stopAfterPerfectChecks: phase.stopAfterPerfectChecks,
    dir: options.dir,
    onEvent: (event) => {
      if (event.event === "resume") progress.update(event.step);
      options.log(event);
    },
    onStep: (metrics, s) => progress.update(trainer.step, trainingProgressNote(metrics, s)),
  });
  progress.stop(`${trainer.step} steps`);
  const finalErrors = trainer
    .estimateErrors()
    .programs.map((p) => ({ program: p.program, stepError: p.stepError, sequenceError: p.sequenceError }));
  trainer.dispose();
  return {
    steps: trainer.step,
    stoppedEarly: trainer.step < phase.maxSteps,
    wallSeconds: state.wallSeconds,
    cpuSeconds: state.cpuSeconds,
    dataset: dataset.stats(),
    validation: state.validation,
    lastValidation: state.lastValidation,
    finalErrors,
    lossCurve: state.lossCurve,
  };
}
