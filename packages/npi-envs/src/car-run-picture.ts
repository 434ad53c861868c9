import type { ExecutionLogEntry } from "@dcnpi/npi-core";
import type { CarModel } from "./car-world/car-model.js";
import { CarRenderer } from "./car-world/car-renderer.js";
import { labelledSheetSvg, tileImages } from "./car-world/contact-sheet.js";
import { encodePng } from "./car-world/png.js";
import { CAMERA_MOVE_NAMES, moveCamera, type CameraMove, type CarPose } from "./car-world/pose-grid.js";

/** The frames of a model's car run, side by side: a PNG and a labelled SVG page (the PNG inline). */
export interface CarRunPicture {
  /** Every pose the camera visited: the start, then one after every ACT. */
  readonly poses: readonly CarPose[];
  /** The ACT moves in order (LEFT, RIGHT, UP, DOWN). */
  readonly moves: readonly string[];
  readonly png: Uint8Array;
  readonly svg: string;
}

/**
 * Pictures a car canonicalisation run from its execution log (`runProgram(..., { log: true })`): the
 * frame the model saw at each pose it visited, rendered again at `imageSize`, labelled with the pose.
 * `title` heads the SVG page (a function gets the moves, to name them).
 */
export function carRunPicture(
  car: CarModel,
  start: CarPose,
  log: readonly ExecutionLogEntry[],
  options: { readonly imageSize: number; readonly title: string | ((moves: readonly string[]) => string) },
): CarRunPicture {
  const poses: CarPose[] = [start];
  const moves: string[] = [];
  for (const entry of log) {
    if (entry.call === null || entry.call.program !== "ACT") continue;
    const move = entry.call.args[0]!;
    moves.push(CAMERA_MOVE_NAMES[move] ?? `?${move}`);
    poses.push(moveCamera(poses[poses.length - 1]!, move as CameraMove));
  }
  const { imageSize } = options;
  const renderer = new CarRenderer({ size: imageSize });
  const tiled = tileImages(
    poses.map((pose) => ({ width: imageSize, height: imageSize, data: renderer.render(car, pose) })),
    poses.length,
    2,
  );
  const png = encodePng(tiled);
  const svg = labelledSheetSvg({
    png,
    width: tiled.width,
    height: tiled.height,
    cellPx: imageSize,
    gutterPx: 2,
    title: typeof options.title === "string" ? options.title : options.title(moves),
    columnLabels: poses.map((p) => `${p.azimuthDegrees}°/${p.elevationDegrees}°`),
    scale: imageSize >= 64 ? 2 : 4,
  });
  return { poses, moves, png, svg };
}
