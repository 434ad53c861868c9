import type { Task } from "@dcnpi/npi-core";
import { CAR_PAD_SIZE, additionTask, createCarTask, recursiveAdditionTask, sortingTask } from "@dcnpi/npi-envs";
import { NpiAppError } from "./errors.js";

/**
 * The tasks the CLI names (`sort` is the sorting task; `sorting` is accepted too). `recursive-addition`
 * is Cai, Shin & Song's (ICLR 2017) recursive ADD on the same pad and problems as `addition`.
 */
export type TaskName = "addition" | "sort" | "car" | "recursive-addition";
export const TASK_NAMES: readonly TaskName[] = ["addition", "sort", "car", "recursive-addition"];

/** Tasks whose problems are two numbers to add ("1007+3"), drawn, parsed, drawn on screen and checked alike. */
export function isAdditionTask(task: TaskName): task is "addition" | "recursive-addition" {
  return task === "addition" || task === "recursive-addition";
}

/** Parses a `--task` value (without `all`). */
export function parseTaskName(value: string): TaskName {
  const name = value.trim().toLowerCase();
  if (name === "addition" || name === "add") return "addition";
  if (name === "sort" || name === "sorting") return "sort";
  if (name === "car") return "car";
  if (name === "recursive-addition" || name === "radd") return "recursive-addition";
  throw new NpiAppError("INVALID_OPTION", `--task must be addition, sort, car or recursive-addition, got "${value}"`);
}

/** The car task's default image side (npi-envs' and `repro npi car`'s: 32 × 32 renders). */
export const DEFAULT_CAR_IMAGE_SIZE = 32;

// One car task (and so one rendered-frame cache) per image size for the whole process: training,
// validation and evaluation ask for the same frames of the same cars.
const carTasks = new Map<number, Task>();

/** The car task (pixels, CNN encoder) for renders of `imageSize` × `imageSize`. */
export function carTaskOf(imageSize: number): Task {
  let task = carTasks.get(imageSize);
  if (task === undefined) carTasks.set(imageSize, (task = createCarTask({ imageSize }) as Task));
  return task;
}

/** The npi-envs task behind a name (the car task at its default image size unless `imageSize` is given). */
export function resolveTask(name: TaskName, options: { readonly imageSize?: number } = {}): Task {
  if (name === "addition") return additionTask as Task;
  if (name === "recursive-addition") return recursiveAdditionTask as Task;
  if (name === "sort") return sortingTask as Task;
  return carTaskOf(options.imageSize ?? DEFAULT_CAR_IMAGE_SIZE);
}

/**
 * The name random problems are drawn under (training sets, validation and test problems fork the seed
 * by it): recursive addition draws addition's, so with the same seed and lengths the recursive and the
 * non-recursive programs are trained and tested on exactly the same problems (Cai et al.'s comparison).
 */
export function problemFamilyOf(task: Task): string {
  return task.name === "recursive-addition" ? "addition" : task.name;
}

/** The CLI name of a task from its npi-core name (`sorting` → `sort`). */
export function taskNameOf(task: Task): TaskName {
  return task.name === "sorting" ? "sort" : (task.name as TaskName);
}

/** The image side of a car observation (`size² × 3` pixels + the target pad), or undefined if it is none. */
export function carImageSizeOf(observationShape: readonly number[]): number | undefined {
  const values = observationShape.reduce((a, b) => a * b, 1);
  const size = Math.round(Math.sqrt((values - CAR_PAD_SIZE) / 3));
  return size >= 8 && size % 8 === 0 && size * size * 3 + CAR_PAD_SIZE === values ? size : undefined;
}

/**
 * The task a model's encoder environment belongs to. A car model's observation length says its image
 * size (`size² × 3` pixels + the target pad), so a model trained on 16 × 16 renders gets 16 × 16 frames.
 */
export function taskForEnvironment(environment: string, observationShape: readonly number[], source: string): Task {
  if (environment === "addition") return additionTask as Task;
  if (environment === "recursive-addition") return recursiveAdditionTask as Task;
  if (environment === "sorting") return sortingTask as Task;
  if (environment === "car") {
    const size = carImageSizeOf(observationShape);
    if (size === undefined) {
      throw new NpiAppError(
        "MODEL_FILE",
        `${source}: a car model whose observations have ${observationShape.reduce((a, b) => a * b, 1)} ` +
          `values, which is no image size's (size² × 3 + ${CAR_PAD_SIZE}, size a multiple of 8)`,
      );
    }
    return carTaskOf(size);
  }
  throw new NpiAppError("MODEL_FILE", `${source}: the model's encoder is for environment "${environment}", which this app does not know`);
}
