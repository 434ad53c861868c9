/**
 * How much of the pose a trivial reader gets from the pixels: a 1-nearest-neighbour on box-filtered
 * thumbnails (squared distance on raw r, g, b), trained on every grid pose of `--train` seen cars and
 * tested on every grid pose of `--test` unseen cars. Not a model of ours: a floor for the CNN encoder
 * and a measure of how easy this synthetic world is compared with the paper's CAD renders.
 *
 * npx tsx --conditions=@dcnpi/source packages/npi-envs/src/car-world/measure-pose-recoverability.ts [--train 40] [--test 20] [--size 64] [--thumbnail 16]
 */
import { carSeeds } from "./car-seeds.js";
import { generateCar } from "./car-model.js";
import { CarRenderer } from "./car-renderer.js";
import { allPoses, type CarPose } from "./pose-grid.js";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const trainCount = flag("train", 40);
const testCount = flag("test", 20);
const size = flag("size", 64);
const thumb = flag("thumbnail", 16);
if (!Number.isInteger(size / thumb)) throw new Error(`--thumbnail must divide --size`);
const factor = size / thumb;
const renderer = new CarRenderer({ size });
const poses = allPoses();

function thumbnail(image: Uint8Array): Float64Array {
  const t = new Float64Array(thumb * thumb * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = (Math.floor(y / factor) * thumb + Math.floor(x / factor)) * 3;
      for (let c = 0; c < 3; c++) t[o + c]! += image[(y * size + x) * 3 + c]!;
    }
  }
  return t;
}
const views = (seeds: number[]) =>
  seeds.flatMap((seed) => {
    const car = generateCar(seed);
    return poses.map((pose) => ({ pose, t: thumbnail(renderer.render(car, pose)) }));
  });
const seen = views(carSeeds({ split: "train", count: trainCount }));
const unseen = views(carSeeds({ split: "test", count: testCount }));

let azimuth = 0,
  elevation = 0,
  both = 0,
  within15 = 0,
  frontBack = 0;
const angle = (a: CarPose, b: CarPose) => Math.abs(((a.azimuthDegrees - b.azimuthDegrees + 540) % 360) - 180);
for (const q of unseen) {
  let best = Infinity;
  let guess = q.pose;
  for (const s of seen) {
    let d = 0;
    for (let i = 0; i < q.t.length && d < best; i++) d += (q.t[i]! - s.t[i]!) ** 2;
    if (d < best) [best, guess] = [d, s.pose];
  }
  const error = angle(guess, q.pose);
  if (error === 0) azimuth++;
  if (error <= 15) within15++;
  if (error > 90) frontBack++;
  if (guess.elevationDegrees === q.pose.elevationDegrees) elevation++;
  if (error === 0 && guess.elevationDegrees === q.pose.elevationDegrees) both++;
}
const pct = (n: number) => `${((100 * n) / unseen.length).toFixed(1)}%`;
console.log(
  `1-NN on ${thumb}×${thumb} thumbnails of ${size}×${size} renders; ${trainCount} seen cars × ` +
    `120 poses as references, ${testCount} unseen cars × 120 poses as queries`,
);
console.log(
  `azimuth exact ${pct(azimuth)}, within ±15° ${pct(within15)}, off by more than 90° ${pct(frontBack)}; ` +
    `elevation exact ${pct(elevation)}; both exact ${pct(both)}`,
);
