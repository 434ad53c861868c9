/**
 * Writes pictures of the synthetic car world a person can check (not committed; regenerate them):
 *   contact-sheet-car-<seed>.png / .svg   one car at all 24 × 5 poses (labelled in the SVG)
 *   strip-car-<seed>.png / .svg           the frames of one canonicalisation run (GOTO path)
 *   gallery-<split>.png                   16 cars of a split at the target pose and at 3/4 views
 *
 * npx tsx --conditions=@dcnpi/source packages/npi-envs/src/car-world/render-contact-sheet.ts <out-dir> [--seed 0] [--size 64] [--no-antialias]
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { writeFileAtomic } from "@dcnpi/base/node";
import { carSeeds } from "./car-seeds.js";
import { generateCar } from "./car-model.js";
import {
  labelledSheetSvg,
  formatMoves,
  renderCanonicalisationStrip,
  renderCarGallery,
  renderContactSheet,
  tileImages,
} from "./contact-sheet.js";
import { encodePng, type RgbImage } from "./png.js";
import { TARGET_POSE } from "./pose-grid.js";

function parseArgs(argv: readonly string[]) {
  const positional: string[] = [];
  let seed = 0;
  let size = 64;
  let antialias = true;
  let startAzimuth = -60;
  let startElevation = 45;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v)) throw new Error(`${arg}: expected an integer, got ${argv[i]}`);
      return v;
    };
    if (arg === "--seed") seed = next();
    else if (arg === "--size") size = next();
    else if (arg === "--start-azimuth") startAzimuth = next();
    else if (arg === "--start-elevation") startElevation = next();
    else if (arg === "--no-antialias") antialias = false;
    else if (arg.startsWith("--")) throw new Error(`unknown flag ${arg}`);
    else positional.push(arg);
  }
  if (positional.length !== 1)
    throw new Error(
      "usage: render-contact-sheet.ts <out-dir> [--seed N] [--size 64|128] [--no-antialias] [--start-azimuth -60] [--start-elevation 45]",
    );
  return { outDir: positional[0]!, seed, size, antialias, startAzimuth, startElevation };
}

const png = (image: RgbImage) => encodePng(image, { deflate: (raw) => deflateSync(raw, { level: 9 }) });

const args = parseArgs(process.argv.slice(2));
mkdirSync(args.outDir, { recursive: true });
const car = generateCar(args.seed);
const options = { size: args.size, antialias: args.antialias };
const written: string[] = [];

const sheet = renderContactSheet(car, options);
const sheetPng = png(sheet.image);
writeFileAtomic(join(args.outDir, `contact-sheet-car-${args.seed}.png`), sheetPng);
writeFileAtomic(
  join(args.outDir, `contact-sheet-car-${args.seed}.svg`),
  labelledSheetSvg({
    png: sheetPng,
    width: sheet.image.width,
    height: sheet.image.height,
    cellPx: sheet.cellPx,
    gutterPx: sheet.gutterPx,
    title:
      `Synthetic car canonicalisation (procedural meshes): car ${args.seed} (${car.params.style}), ` +
      `all 24 azimuths × 5 elevations, ${args.size}×${args.size}`,
    columnLabels: sheet.azimuthsDegrees.map((a) => `${a}°`),
    rowLabels: sheet.elevationsDegrees.map((e) => `${e}°`),
  }),
);
written.push(`contact-sheet-car-${args.seed}.png`, `contact-sheet-car-${args.seed}.svg`);

const strip = renderCanonicalisationStrip(car, { azimuthDegrees: args.startAzimuth, elevationDegrees: args.startElevation }, options);
const stripPng = png(strip.image);
writeFileAtomic(join(args.outDir, `strip-car-${args.seed}.png`), stripPng);
writeFileAtomic(
  join(args.outDir, `strip-car-${args.seed}.svg`),
  labelledSheetSvg({
    png: stripPng,
    width: strip.image.width,
    height: strip.image.height,
    cellPx: args.size,
    gutterPx: 2,
    scale: 2,
    title: `Car ${args.seed}: GOTO from (${args.startAzimuth}°, ${args.startElevation}°) to (0°, 15°): ${formatMoves(strip.moves)}`,
    columnLabels: strip.poses.map((p) => `${p.azimuthDegrees}°/${p.elevationDegrees}°`),
  }),
);
written.push(`strip-car-${args.seed}.png`, `strip-car-${args.seed}.svg`);

for (const split of ["train", "test"] as const) {
  const cars = carSeeds({ split, count: 16 }).map(generateCar);
  const rows = [
    TARGET_POSE,
    { azimuthDegrees: -45, elevationDegrees: 30 },
    { azimuthDegrees: 60, elevationDegrees: 15 },
    { azimuthDegrees: 180, elevationDegrees: 15 },
  ].map((pose) => renderCarGallery(cars, pose, { ...options, columns: 16, gutterPx: 0 }));
  writeFileAtomic(join(args.outDir, `gallery-${split}.png`), png(tileImages(rows, 1, 2)));
  written.push(`gallery-${split}.png`);
}
console.log(`wrote ${written.map((f) => join(args.outDir, f)).join("\n      ")}`);
