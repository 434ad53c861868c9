import { CarWorldError } from "./car-world-error.js";

/**
 * The camera pose grid of the car canonicalisation task (paper §4.1, Fig. 7; npi.md §2.4).
 *
 * Conventions (ours; the paper gives none):
 * - The car stands on the ground with its front towards +x, roof towards +y, right-hand side towards
 *   +z. The camera sits on a sphere around the car's centre and always looks at that centre.
 * - Azimuth 0° puts the camera in front of the car (it sees the grille and headlights). Azimuth grows
 *   counter-clockwise seen from above: +90° sees the car's left side, ±180° its back, −90° its right
 *   side. Degrees are normalised to (−180, 180]; bin k (0..23) is k·15° (bin 23 is −15°).
 * - Elevation 0° puts the camera level with the car's centre; 60° looks down steeply. Bin k (0..4)
 *   is k·15°.
 * - Moves are camera moves, named as the camera sees them:
 *   LEFT  = azimuth −15°: the camera orbits to its own left (the car's near side slides right in the image);
 *   RIGHT = azimuth +15°: the camera orbits to its own right;
 *   UP    = elevation +15°: the camera rises (more roof, less side);
 *   DOWN  = elevation −15°.
 *   So the paper's HGOTO ("azimuth > target: LGOTO") decreases azimuth with LEFT, as in Fig. 1.
 *   Azimuth wraps around; elevation saturates at 0° and 60° (the move is then a no-op).
 */
export interface CarPose {
  /** Multiple of 15 in (−180, 180]. */
  readonly azimuthDegrees: number;
  /** Multiple of 15 in [0, 60]. */
  readonly elevationDegrees: number;
}

export const AZIMUTH_STEP_DEGREES = 15;
export const AZIMUTH_BINS = 24;
export const ELEVATION_STEP_DEGREES = 15;
export const ELEVATION_BINS = 5;
export const MIN_ELEVATION_DEGREES = 0;
export const MAX_ELEVATION_DEGREES = 60;

/** The canonical pose every trajectory must reach (paper Fig. 7 caption). */
export const TARGET_POSE: CarPose = Object.freeze({ azimuthDegrees: 0, elevationDegrees: 15 });

/** Start azimuths: −75°…75° in 15° steps (11 values, paper §4.1). */
export const START_AZIMUTHS_DEGREES: readonly number[] = Object.freeze(Array.from({ length: 11 }, (_, i) => -75 + 15 * i));
/** Start elevations: 0°…60° in 15° steps (5 values). */
export const START_ELEVATIONS_DEGREES: readonly number[] = Object.freeze(Array.from({ length: 5 }, (_, i) => 15 * i));

export const CameraMove = { LEFT: 0, RIGHT: 1, UP: 2, DOWN: 3 } as const;
export type CameraMove = (typeof CameraMove)[keyof typeof CameraMove];
export const CAMERA_MOVE_NAMES = ["LEFT", "RIGHT", "UP", "DOWN"] as const;

/** Normalises a multiple of 15 to (−180, 180]. */
function wrapAzimuth(degrees: number): number {
  const wrapped = (((degrees % 360) + 360) % 360) | 0;
  return wrapped > 180 ? wrapped - 360 : wrapped;
}

/** Checks a pose lies on the grid and returns it with its azimuth normalised to (−180, 180]. */
export function validatePose(pose: CarPose): CarPose {
  const { azimuthDegrees: a, elevationDegrees: e } = pose ?? ({} as CarPose);
  if (!Number.isInteger(a) || a % AZIMUTH_STEP_DEGREES !== 0 || a < -180 || a > 180) {
    throw new CarWorldError("POSE_OFF_GRID", `pose.azimuthDegrees: expected a multiple of 15 in [-180, 180], got ${a}`);
  }
  if (!Number.isInteger(e) || e % ELEVATION_STEP_DEGREES !== 0 || e < MIN_ELEVATION_DEGREES || e > MAX_ELEVATION_DEGREES) {
    throw new CarWorldError("POSE_OFF_GRID", `pose.elevationDegrees: expected a multiple of 15 in [0, 60], got ${e}`);
  }
  return { azimuthDegrees: wrapAzimuth(a), elevationDegrees: e };
}

/** Azimuth bin 0..23 of a grid azimuth (0° → 0, 15° → 1, −15° → 23, 180° → 12). */
export function azimuthBinOf(azimuthDegrees: number): number {
  const { azimuthDegrees: a } = validatePose({ azimuthDegrees, elevationDegrees: 0 });
  return (a / AZIMUTH_STEP_DEGREES + AZIMUTH_BINS) % AZIMUTH_BINS;
}

/** Degrees in (−180, 180] of azimuth bin 0..23. */
export function azimuthDegreesOf(bin: number): number {
  if (!Number.isInteger(bin) || bin < 0 || bin >= AZIMUTH_BINS) {
    throw new CarWorldError("INVALID_BIN", `azimuth bin: expected an integer in [0, 24), got ${bin}`);
  }
  return wrapAzimuth(bin * AZIMUTH_STEP_DEGREES);
}

/** Elevation bin 0..4 of a grid elevation (0° → 0 … 60° → 4). */
export function elevationBinOf(elevationDegrees: number): number {
  const { elevationDegrees: e } = validatePose({ azimuthDegrees: 0, elevationDegrees });
  return e / ELEVATION_STEP_DEGREES;
}

/** Degrees of elevation bin 0..4. */
export function elevationDegreesOf(bin: number): number {
  if (!Number.isInteger(bin) || bin < 0 || bin >= ELEVATION_BINS) {
    throw new CarWorldError("INVALID_BIN", `elevation bin: expected an integer in [0, 5), got ${bin}`);
  }
  return bin * ELEVATION_STEP_DEGREES;
}

/** The pose after one camera move (azimuth wraps; elevation saturates at 0° and 60°). */
export function moveCamera(pose: CarPose, move: CameraMove): CarPose {
  const p = validatePose(pose);
  switch (move) {
    case CameraMove.LEFT:
      return { azimuthDegrees: wrapAzimuth(p.azimuthDegrees - AZIMUTH_STEP_DEGREES), elevationDegrees: p.elevationDegrees };
    case CameraMove.RIGHT:
      return { azimuthDegrees: wrapAzimuth(p.azimuthDegrees + AZIMUTH_STEP_DEGREES), elevationDegrees: p.elevationDegrees };
    case CameraMove.UP:
      return {
        azimuthDegrees: p.azimuthDegrees,
        elevationDegrees: Math.min(MAX_ELEVATION_DEGREES, p.elevationDegrees + ELEVATION_STEP_DEGREES),
      };
    case CameraMove.DOWN:
      return {
        azimuthDegrees: p.azimuthDegrees,
        elevationDegrees: Math.max(MIN_ELEVATION_DEGREES, p.elevationDegrees - ELEVATION_STEP_DEGREES),
      };
    default:
      throw new CarWorldError("INVALID_MOVE", `camera move: expected 0 (LEFT), 1 (RIGHT), 2 (UP) or 3 (DOWN), got ${String(move)}`);
  }
}

/**
 * The moves of the paper's GOTO program from `start` to `target`: the azimuth first (HGOTO: LEFT while
 * azimuth > target, RIGHT while azimuth < target, comparing signed degrees in (−180, 180]), then the
 * elevation (VGOTO: DOWN while above, UP while below). A reference for teachers and for picture strips.
 */
export function planCameraMoves(start: CarPose, target: CarPose = TARGET_POSE): CameraMove[] {
  const s = validatePose(start);
  const t = validatePose(target);
  const moves: CameraMove[] = [];
  const azimuthSteps = (t.azimuthDegrees - s.azimuthDegrees) / AZIMUTH_STEP_DEGREES;
  for (let i = 0; i < Math.abs(azimuthSteps); i++) moves.push(azimuthSteps < 0 ? CameraMove.LEFT : CameraMove.RIGHT);
  const elevationSteps = (t.elevationDegrees - s.elevationDegrees) / ELEVATION_STEP_DEGREES;
  for (let i = 0; i < Math.abs(elevationSteps); i++) moves.push(elevationSteps < 0 ? CameraMove.DOWN : CameraMove.UP);
  return moves;
}

/** The 55 start poses (11 azimuths × 5 elevations), azimuth-major. */
export function startPoses(): CarPose[] {
  return START_AZIMUTHS_DEGREES.flatMap((azimuthDegrees) =>
    START_ELEVATIONS_DEGREES.map((elevationDegrees) => ({ azimuthDegrees, elevationDegrees })),
  );
}

/** All 120 grid poses, elevation-major then azimuth bin 0..23 (rows of a contact sheet). */
export function allPoses(): CarPose[] {
  const poses: CarPose[] = [];
  for (let e = 0; e < ELEVATION_BINS; e++) {
    for (let a = 0; a < AZIMUTH_BINS; a++) poses.push({ azimuthDegrees: azimuthDegreesOf(a), elevationDegrees: elevationDegreesOf(e) });
  }
  return poses;
}
