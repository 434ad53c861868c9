import { describe, expect, it } from "vitest";
import { cameraForPose } from "./camera.js";
import { CarWorldError } from "./car-world-error.js";
import { cosSteps15, sinSteps15 } from "./exact-trig.js";
import {
  allPoses,
  azimuthBinOf,
  azimuthDegreesOf,
  CameraMove,
  elevationBinOf,
  elevationDegreesOf,
  moveCamera,
  planCameraMoves,
  startPoses,
  TARGET_POSE,
  validatePose,
  type CarPose,
} from "./pose-grid.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof CarWorldError) return e.code;
    throw e;
  }
  return undefined;
}

describe("pose grid", () => {
  it("maps azimuth bins to degrees in (-180, 180] and back", () => {
    expect(Array.from({ length: 24 }, (_, b) => azimuthDegreesOf(b))).toEqual([
      0, 15, 30, 45, 60, 75, 90, 105, 120, 135, 150, 165, 180, -165, -150, -135, -120, -105, -90, -75, -60, -45, -30, -15,
    ]);
    for (let b = 0; b < 24; b++) expect(azimuthBinOf(azimuthDegreesOf(b))).toBe(b);
    expect(azimuthBinOf(-180)).toBe(12);
    expect(azimuthBinOf(-75)).toBe(19);
    expect(validatePose({ azimuthDegrees: -180, elevationDegrees: 0 }).azimuthDegrees).toBe(180);
  });

  it("maps elevation bins 0..4 to 0..60 degrees and back", () => {
    expect([0, 1, 2, 3, 4].map(elevationDegreesOf)).toEqual([0, 15, 30, 45, 60]);
    for (let b = 0; b < 5; b++) expect(elevationBinOf(elevationDegreesOf(b))).toBe(b);
  });

  it("has the paper's start range and target", () => {
    const starts = startPoses();
    expect(starts).toHaveLength(55);
    expect(new Set(starts.map((p) => p.azimuthDegrees))).toEqual(new Set([-75, -60, -45, -30, -15, 0, 15, 30, 45, 60, 75]));
    expect(new Set(starts.map((p) => p.elevationDegrees))).toEqual(new Set([0, 15, 30, 45, 60]));
    expect(TARGET_POSE).toEqual({ azimuthDegrees: 0, elevationDegrees: 15 });
    expect(allPoses()).toHaveLength(120);
    expect(new Set(allPoses().map((p) => `${p.azimuthDegrees}/${p.elevationDegrees}`)).size).toBe(120);
  });

  it("moves: LEFT/RIGHT change azimuth by ∓15° and wrap, UP/DOWN change elevation and saturate", () => {
    const p: CarPose = { azimuthDegrees: 0, elevationDegrees: 30 };
    expect(moveCamera(p, CameraMove.LEFT)).toEqual({ azimuthDegrees: -15, elevationDegrees: 30 });
    expect(moveCamera(p, CameraMove.RIGHT)).toEqual({ azimuthDegrees: 15, elevationDegrees: 30 });
    expect(moveCamera(p, CameraMove.UP)).toEqual({ azimuthDegrees: 0, elevationDegrees: 45 });
    expect(moveCamera(p, CameraMove.DOWN)).toEqual({ azimuthDegrees: 0, elevationDegrees: 15 });
    expect(moveCamera({ azimuthDegrees: 180, elevationDegrees: 0 }, CameraMove.RIGHT).azimuthDegrees).toBe(-165);
    expect(moveCamera({ azimuthDegrees: -165, elevationDegrees: 0 }, CameraMove.LEFT).azimuthDegrees).toBe(180);
    expect(moveCamera({ azimuthDegrees: 0, elevationDegrees: 60 }, CameraMove.UP).elevationDegrees).toBe(60);
    expect(moveCamera({ azimuthDegrees: 0, elevationDegrees: 0 }, CameraMove.DOWN).elevationDegrees).toBe(0);
    let q: CarPose = { azimuthDegrees: 45, elevationDegrees: 15 };
    for (let i = 0; i < 24; i++) q = moveCamera(q, CameraMove.LEFT);
    expect(q).toEqual({ azimuthDegrees: 45, elevationDegrees: 15 });
  });

  it("LEFT moves the camera towards its own left, UP raises it; azimuth +90° looks at the car's left side (-z)", () => {
    for (const pose of allPoses()) {
      const before = cameraForPose(pose, [0, 0.7, 0]);
      const afterLeft = cameraForPose(moveCamera(pose, CameraMove.LEFT), [0, 0.7, 0]);
      const moved = [0, 1, 2].map((k) => afterLeft.eye[k]! - before.eye[k]!);
      expect(moved[0]! * before.right[0] + moved[1]! * before.right[1] + moved[2]! * before.right[2]).toBeLessThan(0);
      if (pose.elevationDegrees < 60) {
        expect(cameraForPose(moveCamera(pose, CameraMove.UP), [0, 0.7, 0]).eye[1]).toBeGreaterThan(before.eye[1]);
      }
    }
    expect(cameraForPose({ azimuthDegrees: 0, elevationDegrees: 0 }, [0, 0, 0]).eye).toEqual([8, 0, 0]);
    const side = cameraForPose({ azimuthDegrees: 90, elevationDegrees: 0 }, [0, 0, 0]);
    expect(side.eye[2]).toBeCloseTo(-8, 12);
  });

  it("the camera basis is orthonormal at every pose", () => {
    for (const pose of allPoses()) {
      const { right, up, forward } = cameraForPose(pose, [0, 0.7, 0]);
      const dot = (a: readonly number[], b: readonly number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
      for (const v of [right, up, forward]) expect(dot(v, v)).toBeCloseTo(1, 14);
      expect(dot(right, up)).toBeCloseTo(0, 14);
      expect(dot(right, forward)).toBeCloseTo(0, 14);
      expect(dot(up, forward)).toBeCloseTo(0, 14);
    }
  });

  it("plans the paper's GOTO path: azimuth first, then elevation, ending at the target", () => {
    for (const start of startPoses()) {
      const moves = planCameraMoves(start);
      let p = start;
      for (const m of moves) p = moveCamera(p, m);
      expect(p).toEqual(TARGET_POSE);
      expect(moves.length).toBe(Math.abs(start.azimuthDegrees) / 15 + Math.abs(start.elevationDegrees - 15) / 15);
      const firstVertical = moves.findIndex((m) => m === CameraMove.UP || m === CameraMove.DOWN);
      if (firstVertical >= 0) expect(moves.slice(firstVertical).every((m) => m === CameraMove.UP || m === CameraMove.DOWN)).toBe(true);
    }
    expect(planCameraMoves({ azimuthDegrees: 30, elevationDegrees: 45 })).toEqual([
      CameraMove.LEFT,
      CameraMove.LEFT,
      CameraMove.DOWN,
      CameraMove.DOWN,
    ]);
    expect(planCameraMoves({ azimuthDegrees: -15, elevationDegrees: 0 })).toEqual([CameraMove.RIGHT, CameraMove.UP]);
  });

  it("rejects poses off the grid, bad bins and bad moves with typed errors", () => {
    expect(codeOf(() => validatePose({ azimuthDegrees: 7, elevationDegrees: 15 }))).toBe("POSE_OFF_GRID");
    expect(codeOf(() => validatePose({ azimuthDegrees: 195, elevationDegrees: 15 }))).toBe("POSE_OFF_GRID");
    expect(codeOf(() => validatePose({ azimuthDegrees: 0, elevationDegrees: 75 }))).toBe("POSE_OFF_GRID");
    expect(codeOf(() => validatePose({ azimuthDegrees: 0, elevationDegrees: -15 }))).toBe("POSE_OFF_GRID");
    expect(codeOf(() => validatePose({ azimuthDegrees: Number.NaN, elevationDegrees: 0 }))).toBe("POSE_OFF_GRID");
    expect(codeOf(() => validatePose({ azimuthDegrees: 15.5, elevationDegrees: 0 }))).toBe("POSE_OFF_GRID");
    expect(codeOf(() => azimuthDegreesOf(24))).toBe("INVALID_BIN");
    expect(codeOf(() => elevationDegreesOf(-1))).toBe("INVALID_BIN");
    expect(codeOf(() => elevationDegreesOf(1.5))).toBe("INVALID_BIN");
    expect(codeOf(() => moveCamera(TARGET_POSE, 4 as CameraMove))).toBe("INVALID_MOVE");
    expect(() => validatePose({ azimuthDegrees: 7, elevationDegrees: 15 })).toThrow(/azimuthDegrees.*got 7/);
  });
});

describe("exact sines of multiples of 15°", () => {
  it("agree with Math.sin/Math.cos (up to the rounding of Math.PI in their arguments) and are exact where they should be", () => {
    for (let k = -48; k <= 48; k++) {
      expect(Math.abs(sinSteps15(k) - Math.sin((k * Math.PI) / 12))).toBeLessThan(3e-15);
      expect(Math.abs(cosSteps15(k) - Math.cos((k * Math.PI) / 12))).toBeLessThan(3e-15);
    }
    expect([0, 2, 6, 12, 18].map(sinSteps15)).toEqual([0, 0.5, 1, 0, -1]);
    expect(cosSteps15(4)).toBe(0.5);
  });
});
