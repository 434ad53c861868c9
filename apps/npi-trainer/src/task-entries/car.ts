import type { Task } from "@dcnpi/npi-core";
import { CAR_PAD_SIZE, createCarTask, DEFAULT_CAR_SPLIT, type CarEnv } from "@dcnpi/npi-envs";
import type { CarPose } from "@dcnpi/npi-envs/car-world";
import { NpiAppError } from "../errors.js";
import { drawCarPad, type CarSnapshot } from "../execution-view.js";
import { parseCarInput } from "../input-parsing.js";
import { quickRecipeOf, trainer, TRAINING_RECIPE_VERSION, type TaskRecipe } from "../recipes.js";
import type { TaskEntry } from "../task-entry.js";

/** The car task's default image side (npi-envs' and `repro npi car`'s: 32 × 32 renders). */
export const DEFAULT_CAR_IMAGE_SIZE = 32;

// One car task (and so one rendered-frame cache) per image size for the whole process: training,
// validation and evaluation ask for the same frames of the same cars.
const carTasks = new Map<number, Task>();

/** The car task (pixels, CNN encoder) for renders of `imageSize` × `imageSize`. */
export function carTaskOf(imageSize: number): Task {
  let task = carTasks.get(imageSize);
  if (task === undefined) carTasks.set(imageSize, (task = createCarTask({ imageSize }) as Task));
  return task;
}

/** The image side of a car observation (`size² × 3` pixels + the target pad), or undefined if it is none. */
export function carImageSizeOf(observationShape: readonly number[]): number | undefined {
  const values = observationShape.reduce((a, b) => a * b, 1);
  const size = Math.round(Math.sqrt((values - CAR_PAD_SIZE) / 3));
  return size >= 8 && size % 8 === 0 && size * size * 3 + CAR_PAD_SIZE === values ? size : undefined;
}

// As `repro npi car` (apps/repro car-recipes.ts), so the two train the same model on the same split
// (npi-envs' DEFAULT_CAR_SPLIT: 1,480 training traces at seed 1; seen- and unseen-car problems held
// out); 32 × 32 renders; validation on 40 problems of the 10 validation cars. That run's validation
// stayed at 95% (vision errors) from step 300, so it used all 800 steps.
const recipe: TaskRecipe = {
  version: TRAINING_RECIPE_VERSION,
  trainLengths: [1, 2, 3, 4, 5, 6, 7, 8],
  tracesPerLength: 0,
  extraPrograms: [],
  model: {},
  trainer,
  maxSteps: 800,
  checkEverySteps: 100,
  stopAfterPerfectChecks: 3,
  validationProblems: 40,
  cars: { ...DEFAULT_CAR_SPLIT, imageSize: DEFAULT_CAR_IMAGE_SIZE },
};

/** The car (the paper's §4.3, synthetic): pictures in, camera moves out; its test problems are a fixed held-out set. */
export const carEntry: TaskEntry = {
  name: "car",
  aliases: [],
  taskName: "car",
  environment: "car",
  family: "car",
  resolve: ({ imageSize }) => carTaskOf(imageSize ?? DEFAULT_CAR_IMAGE_SIZE),
  // A car model's observation length says its image size (`size² × 3` pixels + the target pad), so a
  // model trained on 16 × 16 renders gets 16 × 16 frames.
  resolveForModel(observationShape, source) {
    const size = carImageSizeOf(observationShape);
    if (size === undefined) {
      throw new NpiAppError(
        "MODEL_FILE",
        `${source}: a car model whose observations have ${observationShape.reduce((a, b) => a * b, 1)} ` +
          `values, which is no image size's (size² × 3 + ${CAR_PAD_SIZE}, size a multiple of 8)`,
      );
    }
    return carTaskOf(size);
  },
  recipe,
  quickRecipe: quickRecipeOf(recipe, {
    trainLengths: [1, 2, 3, 4],
    cars: { trainCars: 4, trainStartFraction: 2 / 3, unseenCars: 2, validationCars: 2, maxPathLength: 8, imageSize: 16 },
  }),
  // GOTO path lengths (camera moves) of the paper's start poses.
  evalLengths: [1, 2, 3, 4, 5, 6, 7, 8],
  lengthTitle: "camera moves to the target pose",
  logLengthAxis: false,
  sweepRefusal: "a car model; sweep covers addition and sort (compare car models with npi eval --task car)",
  parseInput: parseCarInput,
  answerOf: (env) => ({ ...(env as CarEnv).pose }),
  expectedAnswer: (_input, env) => ({ ...(env as CarEnv).target }),
  formatAnswer: (answer) => {
    const pose = answer as CarPose;
    return `azimuth ${pose.azimuthDegrees}°, elevation ${pose.elevationDegrees}°`;
  },
  drawPad: (snapshot) => drawCarPad(snapshot as CarSnapshot),
};
