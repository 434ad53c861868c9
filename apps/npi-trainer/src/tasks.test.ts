import { describe, expect, it } from "vitest";
import {
  carTaskOf,
  parseTaskName,
  recipeFor,
  resolveTask,
  sameFamily,
  TASK_NAMES,
  taskEntry,
  taskForEnvironment,
  taskNameOf,
  verifiableTaskNames,
} from "./tasks.js";

describe("tasks", () => {
  it("names the tasks", () => {
    expect(["addition", "add", "sort", "Sorting", "car", "radd"].map(parseTaskName)).toEqual([
      "addition",
      "addition",
      "sort",
      "sort",
      "car",
      "recursive-addition",
    ]);
    const error = (() => {
      try {
        parseTaskName("max");
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(error).toMatch(/^--task must be .* or [a-z-]+, got "max"$/);
    for (const name of TASK_NAMES) expect(error).toContain(name);
    expect(taskNameOf(resolveTask("sort"))).toBe("sort");
    expect(taskNameOf(resolveTask("car"))).toBe("car");
  });

  it("every registry entry is consistent with its npi-envs task", () => {
    for (const name of TASK_NAMES) {
      const entry = taskEntry(name);
      const task = resolveTask(name);
      expect(entry.name).toBe(name);
      expect(parseTaskName(name.toUpperCase())).toBe(name);
      for (const alias of entry.aliases) expect(parseTaskName(alias)).toBe(name);
      expect(task.name).toBe(entry.taskName);
      expect(taskNameOf(task)).toBe(name);
      // A stored model finds its task again from the encoder's environment and observation shape.
      expect(taskForEnvironment(task.environment, task.observationShape, "m")).toBe(task);
      expect(sameFamily(name, name)).toBe(true);
      for (const quick of [false, true]) expect(recipeFor(name, { quick }).trainLengths.length).toBeGreaterThan(0);
      expect(recipeFor(name, { quick: false, maxSteps: 7 }).maxSteps).toBe(7);
    }
    expect(sameFamily("addition", "recursive-addition")).toBe(true);
    expect(sameFamily("addition", "sort")).toBe(false);
    expect(verifiableTaskNames()).toContain("recursive-addition");
    expect(verifiableTaskNames()).not.toContain("addition");
  });

  it("recursive sort is the sorting family's, verifiable, with its own environment", () => {
    expect(["recursive-sort", "rsort", "Recursive-Sorting"].map(parseTaskName)).toEqual([
      "recursive-sort",
      "recursive-sort",
      "recursive-sort",
    ]);
    expect(sameFamily("sort", "recursive-sort")).toBe(true);
    expect(verifiableTaskNames()).toContain("recursive-sort");
    expect(verifiableTaskNames()).not.toContain("sort");
    expect(resolveTask("recursive-sort").environment).not.toBe(resolveTask("sort").environment);
  });

  it("reads a car model's image size from its observation length", () => {
    expect(taskForEnvironment("car", [16 * 16 * 3 + 48], "m")).toBe(carTaskOf(16));
    expect(taskForEnvironment("car", [32 * 32 * 3 + 48], "m")).toBe(resolveTask("car"));
    expect(() => taskForEnvironment("car", [1000], "m.dcnpi")).toThrow(/m\.dcnpi: a car model whose observations have 1000 values/);
    expect(() => taskForEnvironment("chess", [8], "m.dcnpi")).toThrow(/environment "chess", which this app does not know/);
  });
});
