import { generateCar, type CarModel } from "./car-world/car-model.js";
import { CarRenderer } from "./car-world/car-renderer.js";
import { validatePose, type CarPose } from "./car-world/pose-grid.js";
import { NpiEnvError } from "./errors.js";

/**
 * Rendered frames of the car task, kept per (car seed, pose). The pose grid is finite (120 poses), so
 * a trajectory, a training set and an evaluation keep asking for the same few frames; rendering one
 * costs 0.1-0.3 ms, a cached copy microseconds. Frames are the renderer's bytes scaled to [0, 1]
 * (float32, row-major h × w × rgb), which is what the CNN encoder reads.
 */
export class CarFrameCache {
  readonly size: number;
  readonly antialias: boolean;
  /** Frames kept at most; the cache is emptied when it is full (simpler than LRU and as good here: a run touches a small, fixed set). */
  readonly maxFrames: number;
  readonly #renderer: CarRenderer;
  readonly #bytes: Uint8Array;
  readonly #frames = new Map<string, Float32Array>();
  readonly #cars = new Map<number, CarModel>();
  #renders = 0;

  constructor(options: { readonly size: number; readonly antialias?: boolean; readonly maxFrames?: number }) {
    this.#renderer = new CarRenderer({ size: options.size, antialias: options.antialias ?? true });
    this.size = this.#renderer.size;
    this.antialias = this.#renderer.antialias;
    this.maxFrames = options.maxFrames ?? 20_000;
    if (!Number.isInteger(this.maxFrames) || this.maxFrames < 1) {
      throw new NpiEnvError("INVALID_OPTION", `CarFrameCache: maxFrames must be a positive integer, got ${this.maxFrames}`);
    }
    this.#bytes = new Uint8Array(this.#renderer.imageBytes);
  }

  /** Floats per frame: size × size × 3. */
  get frameSize(): number {
    return this.#renderer.imageBytes;
  }

  /** How many frames were actually rendered (the rest came from the cache). */
  get renders(): number {
    return this.#renders;
  }

  /** The car model of a seed (built once per seed: `generateCar` costs ~0.5 ms). */
  car(seed: number): CarModel {
    let car = this.#cars.get(seed);
    if (car === undefined) {
      car = generateCar(seed);
      this.#cars.set(seed, car);
    }
    return car;
  }

  /** The frame of car `seed` at `pose` (shared: do not modify; copy it out). */
  frame(seed: number, pose: CarPose): Float32Array {
    const p = validatePose(pose);
    const key = `${seed}|${p.azimuthDegrees}|${p.elevationDegrees}`;
    let frame = this.#frames.get(key);
    if (frame === undefined) {
      this.#renderer.render(this.car(seed), p, this.#bytes);
      this.#renders++;
      frame = new Float32Array(this.#bytes.length);
      for (let i = 0; i < frame.length; i++) frame[i] = this.#bytes[i]! / 255;
      if (this.#frames.size >= this.maxFrames) this.#frames.clear();
      this.#frames.set(key, frame);
    }
    return frame;
  }
}
