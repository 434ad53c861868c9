import { encodeBase64 } from "@dcnpi/base";
import { CarWorldError } from "./car-world-error.js";
import type { CarModel } from "./car-model.js";
import { CarRenderer, type CarRenderOptions } from "./car-renderer.js";
import type { Rgb } from "./mesh.js";
import { validateRgbImage, type RgbImage } from "./png.js";
import { CAMERA_MOVE_NAMES, moveCamera, planCameraMoves, TARGET_POSE, validatePose, type CameraMove, type CarPose } from "./pose-grid.js";

/** Pictures a person can check: every pose of one car, a canonicalisation run, many cars. */

const SHEET_BACKGROUND: Rgb = [255, 255, 255];

/** Lays equally sized images out in a grid, row by row, `gutterPx` apart and around. */
export function tileImages(images: readonly RgbImage[], columns: number, gutterPx = 2, background: Rgb = SHEET_BACKGROUND): RgbImage {
  if (images.length === 0) throw new CarWorldError("INVALID_IMAGE", "tileImages: no images");
  if (!Number.isInteger(columns) || columns < 1)
    throw new CarWorldError("INVALID_IMAGE", `tileImages columns: expected a positive integer, got ${columns}`);
  if (!Number.isInteger(gutterPx) || gutterPx < 0)
    throw new CarWorldError("INVALID_IMAGE", `tileImages gutterPx: expected a non-negative integer, got ${gutterPx}`);
  const { width: w, height: h } = validateRgbImage(images[0]!, "tileImages image 0");
  images.forEach((im, i) => {
    validateRgbImage(im, `tileImages image ${i}`);
    if (im.width !== w || im.height !== h)
      throw new CarWorldError("INVALID_IMAGE", `tileImages image ${i}: expected ${w}×${h}, got ${im.width}×${im.height}`);
  });
  const rows = Math.ceil(images.length / columns);
  const width = columns * w + (columns + 1) * gutterPx;
  const height = rows * h + (rows + 1) * gutterPx;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(background, i);
  images.forEach((im, i) => {
    const left = gutterPx + (i % columns) * (w + gutterPx);
    const top = gutterPx + Math.floor(i / columns) * (h + gutterPx);
    for (let y = 0; y < h; y++) data.set(im.data.subarray(y * w * 3, (y + 1) * w * 3), ((top + y) * width + left) * 3);
  });
  return { width, height, data };
}

export interface ContactSheet {
  readonly image: RgbImage;
  /** Azimuth of each column, left to right (−165° … 180°). */
  readonly azimuthsDegrees: readonly number[];
  /** Elevation of each row, top to bottom (0° … 60°). */
  readonly elevationsDegrees: readonly number[];
  readonly cellPx: number;
  readonly gutterPx: number;
}

/** One car at all 24 × 5 grid poses: columns are azimuths −165°…180° (0°, the front, in column 11), rows elevations 0°…60°. */
export function renderContactSheet(car: CarModel, options: CarRenderOptions & { readonly gutterPx?: number }): ContactSheet {
  const renderer = new CarRenderer(options);
  const azimuthsDegrees = Array.from({ length: 24 }, (_, i) => -165 + 15 * i);
  const elevationsDegrees = [0, 15, 30, 45, 60];
  const images = elevationsDegrees.flatMap((elevationDegrees) =>
    azimuthsDegrees.map((azimuthDegrees) => ({
      width: renderer.size,
      height: renderer.size,
      data: renderer.render(car, { azimuthDegrees, elevationDegrees }),
    })),
  );
  const gutterPx = options.gutterPx ?? 2;
  return { image: tileImages(images, 24, gutterPx), azimuthsDegrees, elevationsDegrees, cellPx: renderer.size, gutterPx };
}

export interface PoseStrip {
  readonly image: RgbImage;
  readonly poses: readonly CarPose[];
  /** moves[i] leads from poses[i] to poses[i + 1]. */
  readonly moves: readonly CameraMove[];
}

/** The frames of one canonicalisation run (the paper's GOTO path, azimuth first) from `start` to `target`. */
export function renderCanonicalisationStrip(
  car: CarModel,
  start: CarPose,
  options: CarRenderOptions & { readonly gutterPx?: number; readonly target?: CarPose },
): PoseStrip {
  const moves = planCameraMoves(start, options.target ?? TARGET_POSE);
  const poses = [validatePose(start)];
  for (const m of moves) poses.push(moveCamera(poses[poses.length - 1]!, m));
  const renderer = new CarRenderer(options);
  const images = poses.map((pose) => ({ width: renderer.size, height: renderer.size, data: renderer.render(car, pose) }));
  return { image: tileImages(images, images.length, options.gutterPx ?? 2), poses, moves };
}

/** Many cars at one pose, `columns` per row (for checking variety). */
export function renderCarGallery(
  cars: readonly CarModel[],
  pose: CarPose,
  options: CarRenderOptions & { readonly gutterPx?: number; readonly columns?: number },
): RgbImage {
  const renderer = new CarRenderer(options);
  const images = cars.map((car) => ({ width: renderer.size, height: renderer.size, data: renderer.render(car, pose) }));
  return tileImages(images, options.columns ?? Math.min(8, cars.length), options.gutterPx ?? 2);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export interface LabelledSheetSvg {
  /** The PNG file of the tiled image. */
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly cellPx: number;
  readonly gutterPx: number;
  readonly title: string;
  readonly columnLabels: readonly string[];
  readonly rowLabels?: readonly string[];
  /** Display scale of the pixels (default 2, nearest-neighbour). */
  readonly scale?: number;
}

/** An SVG page: a title, column labels above and row labels left of an embedded PNG (data URI). */
export function labelledSheetSvg(sheet: LabelledSheetSvg): string {
  const scale = sheet.scale ?? 2;
  const left = sheet.rowLabels ? 48 : 8;
  const top = 44;
  const pitch = (sheet.cellPx + sheet.gutterPx) * scale;
  const width = left + sheet.width * scale + 8;
  const height = top + sheet.height * scale + 8;
  const text: string[] = [];
  sheet.columnLabels.forEach((label, i) => {
    const x = left + (sheet.gutterPx + i * (sheet.cellPx + sheet.gutterPx) + sheet.cellPx / 2) * scale;
    text.push(`<text x="${x}" y="${top - 6}" text-anchor="middle">${escapeXml(label)}</text>`);
  });
  sheet.rowLabels?.forEach((label, i) => {
    const y = top + (sheet.gutterPx + sheet.cellPx / 2) * scale + i * pitch;
    text.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(label)}</text>`);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="16" font-size="13">${escapeXml(sheet.title)}</text>`,
    ...text,
    `<image x="${left}" y="${top}" width="${sheet.width * scale}" height="${sheet.height * scale}" ` +
      `style="image-rendering:pixelated" href="data:image/png;base64,${encodeBase64(sheet.png)}"/>`,
    `</svg>`,
    "",
  ].join("\n");
}

/** "LEFT RIGHT …" for a list of moves. */
export function formatMoves(moves: readonly CameraMove[]): string {
  return moves.map((m) => CAMERA_MOVE_NAMES[m]).join(" ");
}
