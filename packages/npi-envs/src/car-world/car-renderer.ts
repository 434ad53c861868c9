import { cameraForPose, type Camera } from "./camera.js";
import { CarWorldError } from "./car-world-error.js";
import type { CarModel } from "./car-model.js";
import { FACE_EMISSIVE, type Mesh, type Rgb, type Vec3 } from "./mesh.js";
import type { CarPose } from "./pose-grid.js";
import { packRgb, Rasterizer } from "./rasterizer.js";

/**
 * Renders a car at a grid pose: an analytic backdrop (sky, ground plane, a round turntable and a
 * contact shadow) and the car mesh, flat Lambert-shaded under a light fixed in the world, drawn by
 * the z-buffer rasteriser. Output: r, g, b bytes per pixel, row-major from the top-left, H = W = size.
 */
export interface CarRenderOptions {
  /** Image width and height in pixels (the paper used 128; 64 trains faster). Integer in [16, 1024]. */
  readonly size: number;
  /** 2×2 supersampling, box-filtered (default true): smoother edges, about 3× the cost. */
  readonly antialias?: boolean;
}

/** Light and ambient of the car world; fixed, so the car's shading is part of its appearance. */
export interface Lighting {
  /** Unit vector towards the light (world frame). */
  readonly towardsLight: Vec3;
  readonly ambient: number;
  readonly diffuse: number;
}

function unit(v: Vec3): Vec3 {
  const n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}

/**
 * A key light above, in front and to the car's right: the roof is brightest, then the front, then the
 * right side; the left side and the back get the ambient term only (one more front/back cue).
 */
export const CAR_WORLD_LIGHTING: Lighting = Object.freeze({ towardsLight: unit([0.7, 0.6, 0.3]), ambient: 0.4, diffuse: 0.6 });

export const SKY_COLOR: Rgb = [196, 212, 230];
export const GROUND_COLOR: Rgb = [170, 162, 148];
export const TURNTABLE_COLOR: Rgb = [138, 138, 144];
export const SHADOW_COLOR: Rgb = [84, 84, 90];
/** Radius of the round turntable the car stands on: it has no azimuth cue, but its outline's aspect ratio tracks the elevation. */
export const TURNTABLE_RADIUS_M = 3.2;
/** How far the contact shadow reaches beyond the car's footprint. */
const SHADOW_MARGIN_M = 0.08;

const shadedCache = new WeakMap<Mesh, Uint8Array>();

/** Per-face colours after flat Lambert shading: albedo × (ambient + diffuse·max(0, n·l)); lights keep their colour. */
export function shadeFaces(mesh: Mesh, lighting: Lighting = CAR_WORLD_LIGHTING): Uint8Array {
  const out = new Uint8Array(mesh.faceColors.length);
  const p = mesh.positions;
  const [lx, ly, lz] = lighting.towardsLight;
  for (let f = 0; f < mesh.faceFlags.length; f++) {
    const a = 3 * mesh.triangles[3 * f]!,
      b = 3 * mesh.triangles[3 * f + 1]!,
      c = 3 * mesh.triangles[3 * f + 2]!;
    const ux = p[b]! - p[a]!,
      uy = p[b + 1]! - p[a + 1]!,
      uz = p[b + 2]! - p[a + 2]!;
    const vx = p[c]! - p[a]!,
      vy = p[c + 1]! - p[a + 1]!,
      vz = p[c + 2]! - p[a + 2]!;
    const nx = uy * vz - uz * vy,
      ny = uz * vx - ux * vz,
      nz = ux * vy - uy * vx;
    const length = Math.sqrt(nx * nx + ny * ny + nz * nz);
    const lambert = length > 0 ? Math.max(0, (nx * lx + ny * ly + nz * lz) / length) : 0;
    const intensity = (mesh.faceFlags[f]! & FACE_EMISSIVE) !== 0 ? 1 : lighting.ambient + lighting.diffuse * lambert;
    for (let k = 0; k < 3; k++) out[3 * f + k] = Math.min(255, Math.round(mesh.faceColors[3 * f + k]! * intensity));
  }
  return out;
}

function shadedColorsOf(mesh: Mesh): Uint8Array {
  let colors = shadedCache.get(mesh);
  if (!colors) {
    colors = shadeFaces(mesh);
    shadedCache.set(mesh, colors);
  }
  return colors;
}

export function validateImageSize(size: number, what = "size"): number {
  if (!Number.isInteger(size) || size < 16 || size > 1024) {
    throw new CarWorldError("INVALID_SIZE", `${what}: expected an integer number of pixels in [16, 1024], got ${size}`);
  }
  return size;
}

/**
 * Paints the backdrop: for each pixel, the ray through its centre either misses the ground (sky) or
 * hits the plane y = 0, where it shows the contact shadow, the turntable or the ground. The camera
 * is always above the ground, and nothing lies below it, so the backdrop never hides the car.
 */
function paintBackdrop(raster: Rasterizer, camera: Camera, car: CarModel): void {
  const size = raster.width;
  const pixels = raster.pixels;
  const { eye, right, up, forward, tanHalfFov } = camera;
  const halfL = car.footprintHalfLengthM + SHADOW_MARGIN_M;
  const halfW = car.footprintHalfWidthM + SHADOW_MARGIN_M;
  const turntable2 = TURNTABLE_RADIUS_M * TURNTABLE_RADIUS_M;
  const pixelAngle = (2 * tanHalfFov) / size;
  const sky = packRgb(...SKY_COLOR);
  const ground = packRgb(...GROUND_COLOR);
  const turntable = packRgb(...TURNTABLE_COLOR);
  const shadow = packRgb(...SHADOW_COLOR);
  for (let py = 0; py < size; py++) {
    const ny = tanHalfFov - (py + 0.5) * pixelAngle;
    // Ray direction at the left edge of the row and its change per pixel (linear along the row).
    const rowX = forward[0] + ny * up[0] - tanHalfFov * right[0];
    const rowY = forward[1] + ny * up[1] - tanHalfFov * right[1];
    const rowZ = forward[2] + ny * up[2] - tanHalfFov * right[2];
    const rowStart = py * size;
    if (right[1] === 0 && rowY >= 0) {
      // No roll (every grid camera): the horizon is a row, and this row is all sky.
      pixels.fill(sky, rowStart, rowStart + size);
      continue;
    }
    for (let px = 0; px < size; px++) {
      const across = (px + 0.5) * pixelAngle;
      const dirY = rowY + across * right[1];
      let c = sky;
      if (dirY < 0) {
        const t = -eye[1] / dirY;
        const hx = eye[0] + t * (rowX + across * right[0]);
        const hz = eye[2] + t * (rowZ + across * right[2]);
        c = Math.abs(hx) <= halfL && Math.abs(hz) <= halfW ? shadow : hx * hx + hz * hz <= turntable2 ? turntable : ground;
      }
      pixels[rowStart + px] = c;
    }
  }
}

/** Renders cars into reusable buffers; one per worker/size. */
export class CarRenderer {
  readonly size: number;
  readonly antialias: boolean;
  readonly #raster: Rasterizer;

  constructor(options: CarRenderOptions) {
    this.size = validateImageSize(options?.size, "car render size");
    if (options.antialias !== undefined && typeof options.antialias !== "boolean") {
      throw new CarWorldError("INVALID_SIZE", `car render antialias: expected a boolean, got ${String(options.antialias)}`);
    }
    this.antialias = options.antialias ?? true;
    const rasterSize = this.antialias ? 2 * this.size : this.size;
    this.#raster = new Rasterizer(rasterSize, rasterSize);
  }

  /** Bytes of one image: size × size × 3. */
  get imageBytes(): number {
    return this.size * this.size * 3;
  }

  /**
   * The image of `car` from grid pose `pose` (validated: multiples of 15°, elevation 0–60°), written to
   * `out` if given (length size·size·3) and returned.
   */
  render(car: CarModel, pose: CarPose, out?: Uint8Array): Uint8Array {
    const camera = cameraForPose(pose, car.center);
    const image = out ?? new Uint8Array(this.imageBytes);
    if (image.length !== this.imageBytes) {
      throw new CarWorldError(
        "INVALID_IMAGE",
        `render output: expected ${this.imageBytes} bytes (${this.size}×${this.size}×3), got ${image.length}`,
      );
    }
    const raster = this.#raster;
    paintBackdrop(raster, camera, car);
    raster.clearDepth();
    raster.drawMesh(car.mesh, camera, { faceColors: shadedColorsOf(car.mesh), cullBackFaces: true, depthTest: true });
    if (this.antialias) downsample2x2(raster.pixels, this.size, image);
    else raster.readRgb(image);
    return image;
  }
}

/** Box-filters a (2s)×(2s) packed image to s×s RGB bytes with round-half-up integer averages. */
function downsample2x2(source: Uint32Array, size: number, out: Uint8Array): void {
  const sourceRow = 2 * size;
  for (let y = 0; y < size; y++) {
    let s = 2 * y * sourceRow;
    let o = y * size * 3;
    for (let x = 0; x < size; x++, s += 2, o += 3) {
      const a = source[s]!,
        b = source[s + 1]!,
        c = source[s + sourceRow]!,
        d = source[s + sourceRow + 1]!;
      out[o] = ((a & 0xff) + (b & 0xff) + (c & 0xff) + (d & 0xff) + 2) >> 2;
      out[o + 1] = (((a >>> 8) & 0xff) + ((b >>> 8) & 0xff) + ((c >>> 8) & 0xff) + ((d >>> 8) & 0xff) + 2) >> 2;
      out[o + 2] = ((a >>> 16) + (b >>> 16) + (c >>> 16) + (d >>> 16) + 2) >> 2;
    }
  }
}

/** One-off render (allocates buffers; use a `CarRenderer` in loops). */
export function renderCar(car: CarModel, pose: CarPose, options: CarRenderOptions): Uint8Array {
  return new CarRenderer(options).render(car, pose);
}
