import { describe, expect, it } from "vitest";
import { NpiAppError } from "./errors.js";
import { parseAdditionInput, parseLengths, parseSortingInput } from "./input-parsing.js";
import { parseTaskInput } from "./tasks.js";

describe("addition input", () => {
  it("parses two operands with optional spaces", () => {
    expect(parseAdditionInput("1007+3")).toEqual({ a: "1007", b: "3" });
    expect(parseAdditionInput("  96 + 125 ")).toEqual({ a: "96", b: "125" });
    expect(parseAdditionInput("0+0")).toEqual({ a: "0", b: "0" });
  });
  it.each(["", "1007", "1007+", "+3", "10-3", "1.5+2", "a+b", "1+2+3", "-1+2", "007+3", "3+01"])(
    "rejects %j with one named line",
    (text) => {
      expect(() => parseAdditionInput(text)).toThrow(NpiAppError);
      try {
        parseAdditionInput(text);
      } catch (error) {
        expect((error as NpiAppError).code).toBe("INVALID_INPUT");
        expect((error as Error).message).not.toContain("\n");
      }
    },
  );
  it("rejects operands longer than run takes", () => {
    expect(() => parseAdditionInput(`${"9".repeat(10_001)}+1`)).toThrow(/at most 1000 \(a step budget of 22036 steps/);
    expect(() => parseAdditionInput(`1+${"9".repeat(1_001)}`)).toThrow(/operand has 1001 digits; run takes at most 1000/);
    expect(parseAdditionInput(`${"9".repeat(1_000)}+1`).a).toHaveLength(1_000);
  });
});

describe("sort input", () => {
  it("parses digits with or without brackets and spaces", () => {
    expect(parseSortingInput("9,2,5,1")).toEqual({ values: [9, 2, 5, 1] });
    expect(parseSortingInput("[9, 2, 5, 1]")).toEqual({ values: [9, 2, 5, 1] });
    expect(parseSortingInput("7")).toEqual({ values: [7] });
  });
  it.each(["", "[]", "9,,2", "9,2,", "10,2", "a,b", "9;2", "-1,2", "9 2"])("rejects %j", (text) => {
    expect(() => parseSortingInput(text)).toThrow(/sort input/);
  });
});

describe("task inputs and lengths", () => {
  it("dispatches on the task (car: seed and start pose on the camera grid)", () => {
    expect(parseTaskInput("addition", "1+2")).toEqual({ a: "1", b: "2" });
    expect(parseTaskInput("sort", "3,1")).toEqual({ values: [3, 1] });
    expect(parseTaskInput("car", "2097152, -45, 30")).toEqual({ carSeed: 2097152, start: { azimuthDegrees: -45, elevationDegrees: 30 } });
    expect(() => parseTaskInput("car", "x")).toThrow(/car input must be "<car seed>,<azimuth>,<elevation>"/);
    expect(() => parseTaskInput("car", "5,-40,30")).toThrow(/car input "5,-40,30": pose.azimuthDegrees: expected a multiple of 15/);
    expect(() => parseTaskInput("car", "5,0,75")).toThrow(/elevationDegrees: expected a multiple of 15 in \[0, 60\]/);
    expect(() => parseTaskInput("car", "9999999999,0,15")).toThrow(/car input "9999999999,0,15": carSplitOf seed/);
  });
  it("parses --lengths", () => {
    expect(parseLengths("1,10,100,1000,3000")).toEqual([1, 10, 100, 1000, 3000]);
    expect(parseLengths("5, 5 ,2")).toEqual([5, 2]);
    expect(() => parseLengths("1,x")).toThrow(/--lengths/);
    expect(() => parseLengths("0,1")).toThrow(/--lengths/);
    expect(() => parseLengths("")).toThrow(/--lengths/);
  });
});
