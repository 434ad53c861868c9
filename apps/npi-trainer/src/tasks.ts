import type { Task } from "@dcnpi/npi-core";
import * as envs from "@dcnpi/npi-envs";
import { NpiAppError } from "./errors.js";

/** The tasks the CLI names (`sort` is the sorting task; `sorting` is accepted too). */
export type TaskName = "addition" | "sort" | "car";
export const TASK_NAMES: readonly TaskName[] = ["addition", "sort", "car"];

/** Parses a `--task` value (without `all`). */
export function parseTaskName(value: string): TaskName {
  const name = value.trim().toLowerCase();
  if (name === "addition" || name === "add") return "addition";
  if (name === "sort" || name === "sorting") return "sort";
  if (name === "car") return "car";
  throw new NpiAppError("INVALID_OPTION", `--task must be addition, sort or car, got "${value}"`);
}

/**
 * The npi-envs task behind a name. The car task is another issue: npi-envs has the car-world renderer
 * but (yet) no car task; as soon as it exports `carTask` this picks it up.
 */
export function resolveTask(name: TaskName): Task {
  if (name === "addition") return envs.additionTask as Task;
  if (name === "sort") return envs.sortingTask as Task;
  const car = (envs as Record<string, unknown>)["carTask"];
  if (car !== undefined) return car as Task;
  throw new NpiAppError("TASK_UNAVAILABLE", "--task car is not available yet: @dcnpi/npi-envs has the car-world renderer but no car task for the NPI");
}

/** The CLI name of a task from its npi-core name (`sorting` → `sort`). */
export function taskNameOf(task: Task): TaskName {
  return task.name === "sorting" ? "sort" : (task.name as TaskName);
}

/** The task a model's encoder environment belongs to. */
export function taskForEnvironment(environment: string, source: string): Task {
  if (environment === "addition") return envs.additionTask as Task;
  if (environment === "sorting") return envs.sortingTask as Task;
  if (environment === "car") return resolveTask("car");
  throw new NpiAppError("MODEL_FILE", `${source}: the model's encoder is for environment "${environment}", which this app does not know`);
}
