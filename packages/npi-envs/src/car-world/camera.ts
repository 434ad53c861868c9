import { CarWorldError } from "./car-world-error.js";
import { MAX_CAR_RADIUS_M } from "./car-model.js";
import { cosSteps15, sinSteps15 } from "./exact-trig.js";
import type { Vec3 } from "./mesh.js";
import { validatePose, type CarPose } from "./pose-grid.js";

/**
 * A pinhole camera with no roll: an orthonormal basis and the tangent of half the field of view.
 * View space: x along `right`, y along `up`, depth along `forward` (positive in front).
 */
export interface Camera {
  readonly eye: Vec3;
  readonly right: Vec3;
  readonly up: Vec3;
  readonly forward: Vec3;
  /** tan(half the field of view), the same horizontally and vertically (square images). */
  readonly tanHalfFov: number;
}

/** Distance from the camera to the car's centre, the same for every car and pose. */
export const CAMERA_DISTANCE_M = 8;

/**
 * Field of view chosen so the largest car's bounding sphere (radius MAX_CAR_RADIUS_M) fits inside the
 * frame at every pose with 3% to spare: a sphere of radius r at distance d spans a cone of half-angle
 * asin(r/d), whose tangent is r / sqrt(d² − r²).
 */
export const CAMERA_TAN_HALF_FOV =
  (1.03 * MAX_CAR_RADIUS_M) / Math.sqrt(CAMERA_DISTANCE_M * CAMERA_DISTANCE_M - MAX_CAR_RADIUS_M * MAX_CAR_RADIUS_M);

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function normalize(v: Vec3, what: string): Vec3 {
  const length = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  if (!(length > 1e-12)) throw new CarWorldError("INVALID_CAMERA", `${what}: zero-length vector`);
  return [v[0] / length, v[1] / length, v[2] / length];
}

/** A camera at `eye` looking at `target` with world +y up (the view must not be vertical). */
export function lookAtCamera(eye: Vec3, target: Vec3, tanHalfFov: number): Camera {
  if (!(tanHalfFov > 0) || !Number.isFinite(tanHalfFov))
    throw new CarWorldError("INVALID_CAMERA", `camera tanHalfFov: expected a positive number, got ${tanHalfFov}`);
  const forward = normalize([target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]], "camera forward (eye == target?)");
  const right = normalize(cross(forward, [0, 1, 0]), "camera right (looking straight up or down?)");
  const up = cross(right, forward);
  return { eye, right, up, forward, tanHalfFov };
}

/**
 * The task camera for a grid pose, looking at `center` from CAMERA_DISTANCE_M away. Built from exact
 * sines of multiples of 15° (see exact-trig.ts) so it is bit-identical on every JavaScript engine.
 *
 * With a = azimuth, e = elevation: eye = center + d·(cos e cos a, sin e, −cos e sin a), so a = 0 is
 * in front of the car (+x) and a = 90° on its left (−z).
 */
export function cameraForPose(pose: CarPose, center: Vec3): Camera {
  const { azimuthDegrees, elevationDegrees } = validatePose(pose);
  const a = azimuthDegrees / 15;
  const e = elevationDegrees / 15;
  const ca = cosSteps15(a);
  const sa = sinSteps15(a);
  const ce = cosSteps15(e);
  const se = sinSteps15(e);
  const d = CAMERA_DISTANCE_M;
  return {
    eye: [center[0] + d * ce * ca, center[1] + d * se, center[2] - d * ce * sa],
    forward: [-ce * ca, -se, ce * sa],
    // forward × (0,1,0) divided by cos e, and right × forward, written out.
    right: [-sa, 0, -ca],
    up: [-ca * se, ce, sa * se],
    tanHalfFov: CAMERA_TAN_HALF_FOV,
  };
}

/**
 * Where a world point lands in a `size`×`size` image: [column, row, depth] in pixels with (0, 0) the
 * top-left corner of the top-left pixel (pixel centres at +0.5), row growing downwards.
 */
export function projectPoint(camera: Camera, point: Vec3, size: number): Vec3 {
  const dx = point[0] - camera.eye[0];
  const dy = point[1] - camera.eye[1];
  const dz = point[2] - camera.eye[2];
  const x = dx * camera.right[0] + dy * camera.right[1] + dz * camera.right[2];
  const y = dx * camera.up[0] + dy * camera.up[1] + dz * camera.up[2];
  const z = dx * camera.forward[0] + dy * camera.forward[1] + dz * camera.forward[2];
  const scale = size / 2 / camera.tanHalfFov;
  return [size / 2 + (scale * x) / z, size / 2 - (scale * y) / z, z];
}
