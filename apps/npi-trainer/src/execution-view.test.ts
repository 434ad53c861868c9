import type { ExecutionLogEntry } from "@dcnpi/npi-core";
import { describe, expect, it } from "vitest";
import { describeCall, drawAdditionPad, drawCarPad, drawFrame, drawSortingPad, formatStepLine, PAD_WINDOW } from "./execution-view.js";

const entry = (over: Partial<ExecutionLogEntry>): ExecutionLogEntry => ({
  step: 3,
  depth: 2,
  stack: ["ADD", "ADD1"],
  program: "ADD1",
  args: [0, 0, 0],
  endProbability: 0.97,
  end: true,
  call: { program: "ACT", args: [1, 3, 0] },
  action: "WRITE OUT 0",
  ...over,
});

describe("execution view", () => {
  it("draws the addition pad with the pointed cells in brackets and blanks as dots", () => {
    const lines = drawAdditionPad({
      rows: [
        [10, 1, 0, 0, 7],
        [10, 10, 10, 10, 3],
        [10, 10, 10, 10, 10],
        [10, 10, 10, 10, 0],
      ],
      pointers: [4, 4, 4, 4],
    });
    expect(lines).toEqual(["  INP1    .  1  0  0 [7]", "  INP2    .  .  .  . [3]", "  CARRY   .  .  .  . [.]", "  OUT     .  .  .  . [0]"]);
  });
  it("shows a window that follows the pointers on a wide pad", () => {
    const width = 200;
    const row = Array.from({ length: width }, (_, i) => i % 10);
    const lines = drawAdditionPad({ rows: [row, row, row, row], pointers: [150, 150, 150, 150] });
    for (const line of lines) {
      expect(line).toContain("…");
      expect(line.length).toBeLessThan(PAD_WINDOW * 3 + 12);
      expect(line).toContain("[0]");
    }
  });
  it("draws the sorting array with a marker line per pointer, past-the-end as a dot", () => {
    expect(drawSortingPad({ values: [9, 2, 5], pointers: [0, 3, 1] })).toEqual([
      "  array   9  2  5  ·",
      "  P1      ^",
      "  P2               ^",
      "  P3         ^",
    ]);
  });
  it("describes calls, returns and actions", () => {
    expect(describeCall(entry({}))).toBe("ACT(WRITE OUT 0)");
    expect(describeCall(entry({ call: { program: "CARRY", args: [0, 0, 0] }, action: undefined }))).toBe("CARRY");
    expect(describeCall(entry({ call: null, end: true, action: undefined }))).toBe("return");
    expect(formatStepLine(entry({}))).toMatch(/^ {5}3 {2}ADD > ADD1 +-> ACT\(WRITE OUT 0\) {2}\[end\]$/);
  });
  it("draws a frame with the stack, the decision and the pad", () => {
    const lines = drawFrame(
      "header",
      entry({ stack: ["BUBBLESORT", "BUBBLE", "BSTEP", "COMPSWAP"], action: "SWAP P1 P2", call: { program: "ACT", args: [1, 0, 1] } }),
      drawSortingPad({ values: [2, 9], pointers: [0, 1, 0] }),
    );
    expect(lines[0]).toBe("header");
    expect(lines).toContain("      └ BUBBLE");
    expect(lines.some((l) => l.includes("└ COMPSWAP  → ACT(SWAP P1 P2)  (end)   p(end)=0.97"))).toBe(true);
    expect(lines.slice(-4)).toEqual(["  array   2  9  ·", "  P1      ^", "  P2         ^", "  P3      ^"]);
  });
  it("draws the car's camera and the target on the pose grid", () => {
    const lines = drawCarPad({ carSeed: 2097152, pose: { azimuthDegrees: -45, elevationDegrees: 30 } });
    expect(lines[0]).toBe("  car 2097152 (test split): camera at azimuth -45°, elevation 30°; target 0°, 15°");
    // Rows 60° down to 0°, 24 azimuth columns from -180°: -45° is column 9, the target 0° column 12.
    expect(lines.slice(1, 6)).toEqual([
      "   60° ............|...........",
      "   45° ............|...........",
      "   30° .........@..|...........",
      "   15° ............T...........",
      "    0° ............|...........",
    ]);
    expect(drawCarPad({ carSeed: 3, pose: { azimuthDegrees: 0, elevationDegrees: 15 } })[4]).toBe("   15° ............@...........");
  });
});
