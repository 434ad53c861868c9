import { mkdirSync } from "node:fs";
import { runProgram, type Task } from "@dcnpi/npi-core";
import {
  CAMERA_MOVE_NAMES,
  CarRenderer,
  encodePng,
  generateCar,
  labelledSheetSvg,
  moveCamera,
  renderContactSheet,
  tileImages,
  type CarEnv,
  type CarInput,
  type CarPose,
} from "@dcnpi/npi-envs";
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
export function writeModelRun(dir: string, model: NpiModel, task: Task<CarEnv, CarInput>, input: CarInput, options: { readonly imageSize: number; readonly maxSteps: number; readonly label: string }): ModelRun {
  const { imageSize, maxSteps } = options;
  const env = task.createEnvironment(input);
  const result = runProgram(model, { task, env, maxSteps }, { log: true });
  const poses: CarPose[] = [input.start];
  const moves: string[] = [];
  for (const entry of result.log ?? []) {
    if (entry.call === null || entry.call.program !== "ACT") continue;
    const move = entry.call.args[0]!;
    moves.push(CAMERA_MOVE_NAMES[move] ?? `?${move}`);
    poses.push(moveCamera(poses[poses.length - 1]!, move as 0 | 1 | 2 | 3));
  }
  const renderer = new CarRenderer({ size: imageSize });
  const images = poses.map((pose) => ({ width: imageSize, height: imageSize, data: renderer.render(env.car, pose) }));
  const tiled = tileImages(images, images.length, 2);
  const png = encodePng(tiled);
  mkdirSync(dir, { recursive: true });
  const pngFile = join(dir, `run-car-${input.carSeed}.png`);
  writeFileAtomic(pngFile, png);
  const solved = result.status === "returned" && task.isSolved(input, env);
  const svg = labelledSheetSvg({
    png,
    width: tiled.width,
    height: tiled.height,
    cellPx: imageSize,
    gutterPx: 2,
    title: `The model's run on ${options.label} ${input.carSeed}: ${moves.join(" ") || "no moves"} (${solved ? "reached the target" : `did not reach the target: ${result.status}`})`,
    columnLabels: poses.map((p) => `${p.azimuthDegrees}°/${p.elevationDegrees}°`),
    scale: imageSize >= 64 ? 2 : 4,
  });
  return { input, poses, moves, status: result.status, solved, picture: { pngFile, svg } };
}
