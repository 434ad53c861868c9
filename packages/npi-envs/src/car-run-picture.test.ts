import type { ExecutionLogEntry } from "@dcnpi/npi-core";
import { describe, expect, it } from "vitest";
import { carRunPicture } from "./car-run-picture.js";
import { generateCar } from "./car-world/car-model.js";
import { decodeStoredPng } from "./car-world/png.js";
import { CameraMove } from "./car-world/pose-grid.js";

const act = (move: number): ExecutionLogEntry => ({
  step: 0,
  depth: 3,
  stack: ["GOTO", "HGOTO", "LGOTO"],
  program: "LGOTO",
  args: [0, 0, 0],
  endProbability: 0,
  end: false,
  call: { program: "ACT", args: [move, 0, 0] },
});
const call = (program: string): ExecutionLogEntry => ({
  step: 0,
  depth: 1,
  stack: ["GOTO"],
  program: "GOTO",
  args: [0, 0, 0],
  endProbability: 0,
  end: false,
  call: { program, args: [0, 0, 0] },
});

describe("car run picture", () => {
  it("follows the ACT moves of the log from the start pose and draws one frame per pose", () => {
    const log = [call("HGOTO"), call("LGOTO"), act(CameraMove.LEFT), act(CameraMove.LEFT), call("VGOTO"), act(CameraMove.DOWN)];
    const picture = carRunPicture(generateCar(7), { azimuthDegrees: 30, elevationDegrees: 30 }, log, {
      imageSize: 16,
      title: (moves) => `moves: ${moves.join(" ")}`,
    });
    expect(picture.moves).toEqual(["LEFT", "LEFT", "DOWN"]);
    expect(picture.poses).toEqual([
      { azimuthDegrees: 30, elevationDegrees: 30 },
      { azimuthDegrees: 15, elevationDegrees: 30 },
      { azimuthDegrees: 0, elevationDegrees: 30 },
      { azimuthDegrees: 0, elevationDegrees: 15 },
    ]);
    const image = decodeStoredPng(picture.png);
    expect(image.height).toBe(16 + 2 * 2);
    expect(image.width).toBe(4 * 16 + 5 * 2);
    expect(picture.svg).toContain("moves: LEFT LEFT DOWN");
    expect(picture.svg).toContain("0°/15°");
  });
});
