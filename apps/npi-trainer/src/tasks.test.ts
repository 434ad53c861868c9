import { describe, expect, it } from "vitest";
import { carTaskOf, parseTaskName, resolveTask, taskForEnvironment, taskNameOf } from "./tasks.js";

describe("tasks", () => {
  it("names the four tasks", () => {
    expect(["addition", "add", "sort", "Sorting", "car"].map(parseTaskName)).toEqual(["addition", "addition", "sort", "sort", "car"]);
    expect(() => parseTaskName("max")).toThrow(/--task must be addition, sort, car or recursive-addition, got "max"/);
    expect(taskNameOf(resolveTask("sort"))).toBe("sort");
    expect(taskNameOf(resolveTask("car"))).toBe("car");
  });

  it("reads a car model's image size from its observation length", () => {
    expect(taskForEnvironment("car", [16 * 16 * 3 + 48], "m")).toBe(carTaskOf(16));
    expect(taskForEnvironment("car", [32 * 32 * 3 + 48], "m")).toBe(resolveTask("car"));
    expect(() => taskForEnvironment("car", [1000], "m.dcnpi")).toThrow(/m\.dcnpi: a car model whose observations have 1000 values/);
    expect(() => taskForEnvironment("chess", [8], "m.dcnpi")).toThrow(/environment "chess", which this app does not know/);
  });
});
