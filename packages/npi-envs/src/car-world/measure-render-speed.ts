/**
 * Render throughput of the car world on this machine (one core): renders/second for each image size,
 * with and without 2×2 antialiasing, cycling through 32 training cars and all 120 grid poses.
 * The mesh transform + rasterisation is timed separately from the backdrop by rendering cars
 * already in the cache (shading is cached per car on the first render).
 *
 * npx tsx --conditions=@dcnpi/source packages/npi-envs/src/car-world/measure-render-speed.ts [--seconds 2]
 */
import { carSeeds } from "./car-seeds.js";
import { generateCar } from "./car-model.js";
import { CarRenderer } from "./car-renderer.js";
import { allPoses } from "./pose-grid.js";

const secondsFlag = process.argv.indexOf("--seconds");
const seconds = secondsFlag >= 0 ? Number(process.argv[secondsFlag + 1]) : 2;
const cars = carSeeds({ split: "train", count: 32 }).map(generateCar);
const poses = allPoses();

const generateStart = performance.now();
for (let i = 0; i < 200; i++) generateCar(1000 + i);
const generateMs = (performance.now() - generateStart) / 200;

const rows: string[] = [];
for (const size of [64, 128]) {
  for (const antialias of [false, true]) {
    const renderer = new CarRenderer({ size, antialias });
    const out = new Uint8Array(renderer.imageBytes);
    for (const car of cars) renderer.render(car, poses[0]!, out); // warm-up, fills the shading cache
    // Five timed rounds; the best round is the least disturbed by other load.
    let best = Infinity;
    for (let round = 0; round < 5; round++) {
      let n = 0;
      const start = performance.now();
      let now = start;
      while (now - start < (seconds * 1000) / 5) {
        for (let k = 0; k < 64; k++, n++) renderer.render(cars[n % cars.length]!, poses[(n * 7) % poses.length]!, out);
        now = performance.now();
      }
      best = Math.min(best, (now - start) / n);
    }
    rows.push(
      `${String(size).padStart(4)}×${size}  antialias=${antialias ? "yes" : "no "}  ${(best * 1000).toFixed(0).padStart(5)} µs/render  ${Math.round(
        1000 / best,
      )
        .toString()
        .padStart(6)} renders/s`,
    );
  }
}
console.log(
  `car world render speed (node ${process.version}, one thread; ${cars.length} cars × ${poses.length} ` +
    `poses, ${cars[0]!.mesh.triangles.length / 3} triangles in car 0)`,
);
for (const r of rows) console.log(r);
console.log(`generateCar: ${(generateMs * 1000).toFixed(0)} µs per car`);
