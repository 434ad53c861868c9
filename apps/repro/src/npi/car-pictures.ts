import { mkdirSync } from "node:fs";
import { runProgram, type Task } from "@dcnpi/npi-core";
import { carRunPicture, type CarEnv, type CarInput } from "@dcnpi/npi-envs";
import { encodePng, generateCar, labelledSheetSvg, renderContactSheet, type CarPose } from "@dcnpi/npi-envs/car-world";
import type { NpiModel } from "@dcnpi/npi-core/tfjs";
import { writeFileAtomic } from "@dcnpi/run-kit";
import { join } from "node:path";

/** A picture written into the run directory: the PNG file and an SVG page (labels + the PNG inline). */
export interface CarPicture {
  readonly pngFile: string;
  readonly svg: string;
}

/** One car at all 24 × 5 grid poses, at the size the model sees, into `<dir>/contact-sheet-car-<seed>.png`. */
export function writeContactSheet(dir: string, carSeed: number, imageSize: number): CarPicture {
  const sheet = renderContactSheet(generateCar(carSeed), { size: imageSize });
  const png = encodePng(sheet.image);
  mkdirSync(dir, { recursive: true });
  const pngFile = join(dir, `contact-sheet-car-${carSeed}.png`);
  writeFileAtomic(pngFile, png);
  const svg = labelledSheetSvg({
    png,
    width: sheet.image.width,
    height: sheet.image.height,
    cellPx: sheet.cellPx,
    gutterPx: sheet.gutterPx,
    title: `Synthetic car ${carSeed} at every grid pose (${imageSize}×${imageSize}, what the CNN sees); columns azimuth, rows elevation`,
    columnLabels: sheet.azimuthsDegrees.map((a) => (a % 45 === 0 ? `${a}°` : "")),
    rowLabels: sheet.elevationsDegrees.map((e) => `${e}°`),
    scale: imageSize >= 64 ? 1 : 2,
  });
  return { pngFile, svg };
}

export interface ModelRun {
  readonly input: CarInput;
  readonly poses: readonly CarPose[];
  readonly moves: readonly string[];
  readonly status: string;
  readonly solved: boolean;
  readonly picture: CarPicture;
}

/**
 * The model's own canonicalisation run on one problem: the frames it saw, one per pose it visited
 * (start, then after every ACT), into `<dir>/run-car-<seed>.png`.
 */
export function writeModelRun(
  dir: string,
  model: NpiModel,
  task: Task<CarEnv, CarInput>,
  input: CarInput,
  options: { readonly imageSize: number; readonly maxSteps: number; readonly label: string },
): ModelRun {
  const env = task.createEnvironment(input);
  const result = runProgram(model, { task, env, maxSteps: options.maxSteps }, { log: true });
  const solved = result.status === "returned" && task.isSolved(input, env);
  const title = (moves: readonly string[]) =>
    `The model's run on ${options.label} ${input.carSeed}: ${moves.join(" ") || "no moves"} ` +
    `(${solved ? "reached the target" : `did not reach the target: ${result.status}`})`;
  const picture = carRunPicture(env.car, input.start, result.log ?? [], { imageSize: options.imageSize, title });
  mkdirSync(dir, { recursive: true });
  const pngFile = join(dir, `run-car-${input.carSeed}.png`);
  writeFileAtomic(pngFile, picture.png);
  return { input, poses: picture.poses, moves: picture.moves, status: result.status, solved, picture: { pngFile, svg: picture.svg } };
}
