import { defineTask, type Task, type TeacherContext } from "@dcnpi/npi-core";
import type { Rng } from "@dcnpi/tensor";
import { carCnnEncoder } from "./car-cnn-encoder.js";
import { CarFrameCache } from "./car-frame-cache.js";
import { carSeeds } from "./car-world/car-seeds.js";
import type { CarModel } from "./car-world/car-model.js";
import {
  AZIMUTH_BINS,
  CAMERA_MOVE_NAMES,
  CameraMove,
  TARGET_POSE,
  azimuthBinOf,
  elevationBinOf,
  moveCamera,
  planCameraMoves,
  startPoses,
  validatePose,
  type CarPose,
} from "./car-world/pose-grid.js";
import { NpiEnvError } from "./errors.js";

/** A problem: which car (a seed, see `carSeeds`) and the camera pose the run starts from. */
export interface CarInput {
  readonly carSeed: number;
  readonly start: CarPose;
}

/**
 * The car environment: the car, the current camera pose (the model never sees it, only the pixels,
 * unless the pose oracle is on) and the read-only target pose.
 */
export class CarEnv {
  readonly carSeed: number;
  readonly car: CarModel;
  readonly target: CarPose;
  pose: CarPose;

  constructor(carSeed: number, car: CarModel, start: CarPose, target: CarPose) {
    this.carSeed = carSeed;
    this.car = car;
    this.pose = validatePose(start);
    this.target = target;
  }
}

/** What the encoder sees instead of the image (ours). */
export type CarObservation = "pixels" | "pose-oracle";

export interface CarTaskOptions {
  /**
   * Image side in pixels (ours: 32 by default, a multiple of 8). The paper used 128 × 128; 32 × 32 keeps
   * the CNN cheap enough to train on 2 shared CPU cores, and the pose stays readable (see README).
   */
  readonly imageSize?: number;
  /** 2×2 supersampled renders (default true). */
  readonly antialias?: boolean;
  /**
   * `pixels` (default, the paper's task): image + target pad. `pose-oracle` (our ablation): the true
   * current pose as one-hots + target pad, through an MLP, to separate vision errors from program errors.
   */
  readonly observation?: CarObservation;
  /** Cars `randomInput` draws from (default: the first 40 seeds of the "train" split, the "seen" cars). */
  readonly cars?: readonly number[];
  /** Target pose (default the paper's: azimuth 0°, elevation 15°). */
  readonly target?: CarPose;
  /** Rendered-frame cache (default: a new one of the task's image size). Pass one to share frames between task instances. */
  readonly frames?: CarFrameCache;
}

/** Length of the target pad: two one-hots of K = 24 (paper §4.1: azimuth and elevation bins of 15°). */
export const CAR_PAD_SIZE = 2 * AZIMUTH_BINS;

const DEFAULT_CAR_COUNT = 40;

function writePoseOneHots(out: Float32Array, offset: number, pose: CarPose): void {
  out[offset + azimuthBinOf(pose.azimuthDegrees)] = 1;
  out[offset + AZIMUTH_BINS + elevationBinOf(pose.elevationDegrees)] = 1;
}

/** Number of camera moves of the teacher's GOTO path from `start` (the problem "size" of the car task). */
export function carPathLength(start: CarPose, target: CarPose = TARGET_POSE): number {
  return planCameraMoves(start, target).length;
}

/** Every (car, start pose) pair for `cars` and the paper's 55 start poses, car-major. */
export function carStartInputs(cars: readonly number[]): CarInput[] {
  const starts = startPoses();
  return cars.flatMap((carSeed) => starts.map((start) => ({ carSeed, start })));
}

/** A repeat-until-equal program: one move per step, the end flag on the move that reaches the target. */
function moveUntil(t: TeacherContext<CarEnv>, move: CameraMove, reached: (pose: CarPose) => boolean): void {
  for (let guard = 0; guard < AZIMUTH_BINS; guard++) {
    const last = reached(moveCamera(t.env.pose, move));
    t.act([move, 0, 0], { end: last });
    if (last) return;
  }
  throw new NpiEnvError("NO_PATH", `car teacher: ${CAMERA_MOVE_NAMES[move]} never reaches the target from ${JSON.stringify(t.env.pose)}`);
}

/**
 * The 3D car canonicalisation task (paper §4.1, Fig. 1 and 7, eq. 11; npi.md §2.4): bring the camera
 * from a start pose to the target pose (azimuth 0°, elevation 15°) by 15° moves, seeing only the
 * rendered image and the target pad. Programs GOTO, HGOTO, LGOTO, RGOTO, VGOTO, UGOTO, DGOTO, ACT.
 * ACT(a1, 0, 0): a1 = LEFT, RIGHT, UP or DOWN (camera moves, `CameraMove`).
 *
 * `randomInput(rng, size)` draws a car from `cars` and a start pose among the 55 of the paper whose
 * GOTO path takes exactly `size` moves (0-8 with the default target).
 */
export function createCarTask(options: CarTaskOptions = {}): Task<CarEnv, CarInput> {
  const observation = options.observation ?? "pixels";
  if (observation !== "pixels" && observation !== "pose-oracle") {
    throw new NpiEnvError("INVALID_OPTION", `car task: observation must be "pixels" or "pose-oracle", got ${String(observation)}`);
  }
  const imageSize = options.frames?.size ?? options.imageSize ?? 32;
  if (options.frames !== undefined && options.imageSize !== undefined && options.imageSize !== options.frames.size) {
    throw new NpiEnvError(
      "INVALID_OPTION",
      `car task: imageSize ${options.imageSize} differs from the frame cache's ${options.frames.size}`,
    );
  }
  const frames =
    options.frames ?? new CarFrameCache({ size: imageSize, ...(options.antialias !== undefined ? { antialias: options.antialias } : {}) });
  const target = validatePose(options.target ?? TARGET_POSE);
  const cars = [...(options.cars ?? carSeeds({ split: "train", count: DEFAULT_CAR_COUNT }))];
  if (cars.length === 0 || cars.some((s) => !Number.isSafeInteger(s) || s < 0)) {
    throw new NpiEnvError("INVALID_OPTION", `car task: cars must be a non-empty list of car seeds`);
  }
  const startsBySize = new Map<number, CarPose[]>();
  for (const start of startPoses()) {
    const size = carPathLength(start, target);
    let list = startsBySize.get(size);
    if (list === undefined) startsBySize.set(size, (list = []));
    list.push(start);
  }
  const pixels = observation === "pixels";
  const pixelCount = frames.frameSize;
  // pixels: image then target pad; pose oracle: current-pose one-hots then target pad (same layout as the pad).
  const observationSize = (pixels ? pixelCount : CAR_PAD_SIZE) + CAR_PAD_SIZE;

  return defineTask<CarEnv, CarInput>({
    name: pixels ? "car" : "car-pose-oracle",
    rootProgram: "GOTO",
    observationShape: [observationSize],
    argumentSizes: [4, 1, 1],
    encoder: pixels ? carCnnEncoder({ imageSize, padSize: CAR_PAD_SIZE }) : { kind: "mlp", hiddenSizes: [128] },
    programs: [
      {
        name: "GOTO",
        description: "reach the target pose: HGOTO, then VGOTO",
        teach(t) {
          t.call("HGOTO");
          t.call("VGOTO", { end: true });
        },
      },
      {
        name: "HGOTO",
        description: "fix the azimuth: LGOTO if it is above the target, RGOTO if below, else return",
        teach(t) {
          const delta = t.env.pose.azimuthDegrees - t.env.target.azimuthDegrees;
          if (delta > 0) t.call("LGOTO", { end: true });
          else if (delta < 0) t.call("RGOTO", { end: true });
          else t.stop();
        },
      },
      {
        name: "LGOTO",
        description: "ACT(LEFT) until the azimuth equals the target's",
        teach: (t) => moveUntil(t, CameraMove.LEFT, (p) => p.azimuthDegrees === t.env.target.azimuthDegrees),
      },
      {
        name: "RGOTO",
        description: "ACT(RIGHT) until the azimuth equals the target's",
        teach: (t) => moveUntil(t, CameraMove.RIGHT, (p) => p.azimuthDegrees === t.env.target.azimuthDegrees),
      },
      {
        name: "VGOTO",
        description: "fix the elevation: DGOTO if it is above the target, UGOTO if below, else return",
        teach(t) {
          const delta = t.env.pose.elevationDegrees - t.env.target.elevationDegrees;
          if (delta > 0) t.call("DGOTO", { end: true });
          else if (delta < 0) t.call("UGOTO", { end: true });
          else t.stop();
        },
      },
      {
        name: "UGOTO",
        description: "ACT(UP) until the elevation equals the target's",
        teach: (t) => moveUntil(t, CameraMove.UP, (p) => p.elevationDegrees === t.env.target.elevationDegrees),
      },
      {
        name: "DGOTO",
        description: "ACT(DOWN) until the elevation equals the target's",
        teach: (t) => moveUntil(t, CameraMove.DOWN, (p) => p.elevationDegrees === t.env.target.elevationDegrees),
      },
      { name: "ACT", act: true, description: "move the camera 15° left, right, up or down" },
    ],
    createEnvironment(input) {
      if (input === null || typeof input !== "object" || !Number.isSafeInteger(input.carSeed) || input.carSeed < 0) {
        throw new NpiEnvError("INVALID_INPUT", `car task: carSeed must be a non-negative integer, got ${String(input?.carSeed)}`);
      }
      return new CarEnv(input.carSeed, frames.car(input.carSeed), input.start, target);
    },
    observe(env) {
      const out = new Float32Array(observationSize);
      if (pixels) out.set(frames.frame(env.carSeed, env.pose));
      else writePoseOneHots(out, 0, env.pose);
      writePoseOneHots(out, observationSize - CAR_PAD_SIZE, env.target);
      return out;
    },
    act(env, [move]) {
      env.pose = moveCamera(env.pose, move as CameraMove);
    },
    isSolved(_input, env) {
      return env.pose.azimuthDegrees === target.azimuthDegrees && env.pose.elevationDegrees === target.elevationDegrees;
    },
    randomInput(rng: Rng, size: number) {
      const starts = startsBySize.get(size);
      if (starts === undefined) {
        const sizes = [...startsBySize.keys()].sort((a, b) => a - b).join(", ");
        throw new NpiEnvError("NO_PATH", `car task: no start pose has a ${size}-move path to the target (sizes ${sizes})`);
      }
      return { carSeed: cars[rng.int(cars.length)]!, start: starts[rng.int(starts.length)]! };
    },
    formatInput: (input) => `car ${input.carSeed} from (${input.start.azimuthDegrees}°, ${input.start.elevationDegrees}°)`,
    describeAction: ([move]) => CAMERA_MOVE_NAMES[move!] ?? `?${move}`,
    snapshot: (env) => ({ carSeed: env.carSeed, pose: { ...env.pose } }),
  });
}

/** The car task with our defaults: 32 × 32 renders, the CNN encoder, the first 40 "train" cars. */
export const carTask: Task<CarEnv, CarInput> = createCarTask();
