import type { Camera } from "./camera.js";
import { CarWorldError } from "./car-world-error.js";
import type { Mesh } from "./mesh.js";

/** Sub-pixel precision of vertex positions: 8 bits (1/256 pixel), as GPUs do with fewer. */
const SUBPIXEL_BITS = 8;
const SUBPIXEL = 1 << SUBPIXEL_BITS;
const HALF_PIXEL = SUBPIXEL >> 1;
/** Geometry closer than this to the eye (in view depth) is clipped away. */
export const NEAR_PLANE_M = 0.05;

export interface DrawOptions {
  /** Skip triangles that face away from the camera (default true). */
  readonly cullBackFaces?: boolean;
  /** Depth-test and depth-write (default true); false paints in submission order. */
  readonly depthTest?: boolean;
  /** Per-face r, g, b to draw instead of `mesh.faceColors` (e.g. after shading). */
  readonly faceColors?: Uint8Array;
}

/**
 * A deterministic scan-converting rasteriser with a z-buffer.
 *
 * Rules that make it exact: vertices snap to 1/256 pixel, so the three edge functions are integers
 * (computed exactly in doubles) and coverage is decided by integer comparisons with the top-left fill
 * rule: two triangles sharing an edge never both draw a pixel and never leave a gap. Depth is 1/z
 * interpolated with those integer weights (linear in screen space, so perspective-correct) and the
 * test is strict, so with equal depths the first-drawn face wins. Only + − × ÷ and rounding are used,
 * all correctly rounded in IEEE-754, so the bytes are the same on every engine.
 */
export class Rasterizer {
  readonly width: number;
  readonly height: number;
  /**
   * One packed colour per pixel, row-major from the top-left: r | g << 8 | b << 16 (always packed and
   * unpacked with shifts, never viewed as bytes, so the platform's byte order does not matter).
   */
  readonly pixels: Uint32Array;
  /** 1/depth per pixel; 0 means nothing drawn. */
  readonly depth: Float64Array;
  #viewX = new Float64Array(0);
  #viewY = new Float64Array(0);
  #viewZ = new Float64Array(0);
  #screenX = new Float64Array(0);
  #screenY = new Float64Array(0);

  constructor(width: number, height: number) {
    for (const [name, v] of [
      ["width", width],
      ["height", height],
    ] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 4096)
        throw new CarWorldError("INVALID_SIZE", `rasterizer ${name}: expected an integer in [1, 4096], got ${v}`);
    }
    this.width = width;
    this.height = height;
    this.pixels = new Uint32Array(width * height);
    this.depth = new Float64Array(width * height);
  }

  /** Fills the colour buffer with `rgb` and empties the depth buffer. */
  clear(rgb: readonly [number, number, number]): void {
    this.pixels.fill(packRgb(rgb[0], rgb[1], rgb[2]));
    this.depth.fill(0);
  }

  /** The colour buffer as r, g, b bytes per pixel, row-major from the top-left. */
  readRgb(out: Uint8Array = new Uint8Array(this.width * this.height * 3)): Uint8Array {
    if (out.length !== this.width * this.height * 3)
      throw new CarWorldError("INVALID_IMAGE", `readRgb: expected ${this.width * this.height * 3} bytes, got ${out.length}`);
    const px = this.pixels;
    for (let i = 0, o = 0; i < px.length; i++, o += 3) {
      const c = px[i]!;
      out[o] = c & 0xff;
      out[o + 1] = (c >>> 8) & 0xff;
      out[o + 2] = (c >>> 16) & 0xff;
    }
    return out;
  }

  /** Empties the depth buffer only (keeps what is painted). */
  clearDepth(): void {
    this.depth.fill(0);
  }

  /** Draws every triangle of `mesh` seen from `camera`, flat-coloured. */
  drawMesh(mesh: Mesh, camera: Camera, options: DrawOptions = {}): void {
    const cull = options.cullBackFaces ?? true;
    const depthTest = options.depthTest ?? true;
    const colors = options.faceColors ?? mesh.faceColors;
    const vertexCount = mesh.positions.length / 3;
    if (colors.length !== mesh.triangles.length) {
      throw new CarWorldError(
        "INVALID_MESH",
        `drawMesh faceColors: expected ${mesh.triangles.length} bytes (3 per face), got ${colors.length}`,
      );
    }
    this.#ensureScratch(vertexCount);
    const vx = this.#viewX,
      vy = this.#viewY,
      vz = this.#viewZ,
      sx = this.#screenX,
      sy = this.#screenY;
    const { eye, right, up, forward } = camera;
    const scale = this.width / 2 / camera.tanHalfFov;
    const cx = this.width / 2;
    const cy = this.height / 2;
    const pos = mesh.positions;
    for (let v = 0; v < vertexCount; v++) {
      const dx = pos[3 * v]! - eye[0];
      const dy = pos[3 * v + 1]! - eye[1];
      const dz = pos[3 * v + 2]! - eye[2];
      const x = dx * right[0] + dy * right[1] + dz * right[2];
      const y = dx * up[0] + dy * up[1] + dz * up[2];
      const z = dx * forward[0] + dy * forward[1] + dz * forward[2];
      vx[v] = x;
      vy[v] = y;
      vz[v] = z;
      if (z >= NEAR_PLANE_M) {
        sx[v] = Math.round((cx + (scale * x) / z) * SUBPIXEL);
        sy[v] = Math.round((cy - (scale * y) / z) * SUBPIXEL);
      }
    }
    const tris = mesh.triangles;
    for (let t = 0; t < tris.length; t += 3) {
      const a = tris[t]!,
        b = tris[t + 1]!,
        c = tris[t + 2]!;
      const packed = packRgb(colors[t]!, colors[t + 1]!, colors[t + 2]!);
      if (vz[a]! >= NEAR_PLANE_M && vz[b]! >= NEAR_PLANE_M && vz[c]! >= NEAR_PLANE_M) {
        this.#fillTriangle(sx[a]!, sy[a]!, 1 / vz[a]!, sx[b]!, sy[b]!, 1 / vz[b]!, sx[c]!, sy[c]!, 1 / vz[c]!, packed, cull, depthTest);
      } else {
        this.#fillClipped([a, b, c], scale, cx, cy, packed, cull, depthTest);
      }
    }
  }

  /**
   * Draws one triangle given in pixel coordinates (column, row from the top-left corner, pixel centres
   * at +0.5) with a positive depth per vertex. Front-facing means counter-clockwise as the picture is
   * seen, just as a mesh face seen from outside.
   */
  drawScreenTriangle(
    vertices: readonly (readonly [number, number, number])[],
    rgb: readonly [number, number, number],
    options: Omit<DrawOptions, "faceColors"> = {},
  ): void {
    if (vertices.length !== 3 || vertices.some((v) => v.length !== 3 || !v.every(Number.isFinite) || !(v[2] > 0))) {
      throw new CarWorldError("INVALID_MESH", "drawScreenTriangle: expected three [column, row, depth > 0] vertices");
    }
    const [a, b, c] = vertices as readonly (readonly [number, number, number])[];
    this.#fillTriangle(
      Math.round(a![0] * SUBPIXEL),
      Math.round(a![1] * SUBPIXEL),
      1 / a![2],
      Math.round(b![0] * SUBPIXEL),
      Math.round(b![1] * SUBPIXEL),
      1 / b![2],
      Math.round(c![0] * SUBPIXEL),
      Math.round(c![1] * SUBPIXEL),
      1 / c![2],
      packRgb(rgb[0], rgb[1], rgb[2]),
      options.cullBackFaces ?? true,
      options.depthTest ?? true,
    );
  }

  #ensureScratch(n: number): void {
    if (this.#viewX.length >= n) return;
    this.#viewX = new Float64Array(n);
    this.#viewY = new Float64Array(n);
    this.#viewZ = new Float64Array(n);
    this.#screenX = new Float64Array(n);
    this.#screenY = new Float64Array(n);
  }

  /** Clips a triangle against the near plane in view space (Sutherland–Hodgman) and fills the rest. */
  #fillClipped(ids: readonly number[], scale: number, cx: number, cy: number, packed: number, cull: boolean, depthTest: boolean): void {
    const inX: number[] = [],
      inY: number[] = [],
      inZ: number[] = [];
    for (let i = 0; i < 3; i++) {
      const p = ids[i]!;
      const q = ids[(i + 1) % 3]!;
      const pz = this.#viewZ[p]!,
        qz = this.#viewZ[q]!;
      if (pz >= NEAR_PLANE_M) {
        inX.push(this.#viewX[p]!);
        inY.push(this.#viewY[p]!);
        inZ.push(pz);
      }
      if (pz >= NEAR_PLANE_M !== qz >= NEAR_PLANE_M) {
        const t = (NEAR_PLANE_M - pz) / (qz - pz);
        inX.push(this.#viewX[p]! + t * (this.#viewX[q]! - this.#viewX[p]!));
        inY.push(this.#viewY[p]! + t * (this.#viewY[q]! - this.#viewY[p]!));
        inZ.push(NEAR_PLANE_M);
      }
    }
    if (inX.length < 3) return;
    const px = inX.map((x, i) => Math.round((cx + (scale * x) / inZ[i]!) * SUBPIXEL));
    const py = inY.map((y, i) => Math.round((cy - (scale * y) / inZ[i]!) * SUBPIXEL));
    for (let i = 1; i + 1 < px.length; i++) {
      this.#fillTriangle(
        px[0]!,
        py[0]!,
        1 / inZ[0]!,
        px[i]!,
        py[i]!,
        1 / inZ[i]!,
        px[i + 1]!,
        py[i + 1]!,
        1 / inZ[i + 1]!,
        packed,
        cull,
        depthTest,
      );
    }
  }

  /** Fills one triangle given in fixed-point screen coordinates with its vertices' 1/depth. */
  #fillTriangle(
    x0: number,
    y0: number,
    z0: number,
    x1: number,
    y1: number,
    z1: number,
    x2: number,
    y2: number,
    z2: number,
    packed: number,
    cull: boolean,
    depthTest: boolean,
  ): void {
    let area = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
    // Rows grow downwards, so a face that looks counter-clockwise in the picture (a front face) has negative area.
    if (area === 0 || (cull && area > 0)) return;
    if (area < 0) {
      let t = x1;
      x1 = x2;
      x2 = t;
      t = y1;
      y1 = y2;
      y2 = t;
      t = z1;
      z1 = z2;
      z2 = t;
      area = -area;
    }
    const minPx = Math.max(0, Math.ceil((Math.min(x0, x1, x2) - HALF_PIXEL) / SUBPIXEL));
    const maxPx = Math.min(this.width - 1, Math.floor((Math.max(x0, x1, x2) - HALF_PIXEL) / SUBPIXEL));
    const minPy = Math.max(0, Math.ceil((Math.min(y0, y1, y2) - HALF_PIXEL) / SUBPIXEL));
    const maxPy = Math.min(this.height - 1, Math.floor((Math.max(y0, y1, y2) - HALF_PIXEL) / SUBPIXEL));
    if (minPx > maxPx || minPy > maxPy) return;

    // Edge i is opposite vertex i; e_i(P) = (Xb − Xa)(Py − Ya) − (Yb − Ya)(Px − Xa) is ≥ 0 inside.
    const ax0 = x1,
      ay0 = y1,
      dx0 = x2 - x1,
      dy0 = y2 - y1;
    const ax1 = x2,
      ay1 = y2,
      dx1 = x0 - x2,
      dy1 = y0 - y2;
    const ax2 = x0,
      ay2 = y0,
      dx2 = x1 - x0,
      dy2 = y1 - y0;
    // Top-left rule: pixels exactly on an edge belong to it only if it is a top or a left edge.
    const bias0 = dy0 < 0 || (dy0 === 0 && dx0 > 0) ? 0 : -1;
    const bias1 = dy1 < 0 || (dy1 === 0 && dx1 > 0) ? 0 : -1;
    const bias2 = dy2 < 0 || (dy2 === 0 && dx2 > 0) ? 0 : -1;
    const startX = minPx * SUBPIXEL + HALF_PIXEL;
    const startY = minPy * SUBPIXEL + HALF_PIXEL;
    let row0 = dx0 * (startY - ay0) - dy0 * (startX - ax0) + bias0;
    let row1 = dx1 * (startY - ay1) - dy1 * (startX - ax1) + bias1;
    let row2 = dx2 * (startY - ay2) - dy2 * (startX - ax2) + bias2;
    const stepX0 = -dy0 * SUBPIXEL,
      stepX1 = -dy1 * SUBPIXEL,
      stepX2 = -dy2 * SUBPIXEL;
    const stepY0 = dx0 * SUBPIXEL,
      stepY1 = dx1 * SUBPIXEL,
      stepY2 = dx2 * SUBPIXEL;
    const invArea = 1 / area;
    const pixels = this.pixels;
    const depth = this.depth;
    const width = this.width;
    for (let py = minPy; py <= maxPy; py++) {
      let e0 = row0,
        e1 = row1,
        e2 = row2;
      let i = py * width + minPx;
      for (let px = minPx; px <= maxPx; px++, i++) {
        if (e0 >= 0 && e1 >= 0 && e2 >= 0) {
          // Undo the bias so the weights are the exact edge values.
          const inverseDepth = ((e0 - bias0) * z0 + (e1 - bias1) * z1 + (e2 - bias2) * z2) * invArea;
          if (!depthTest || inverseDepth > depth[i]!) {
            if (depthTest) depth[i] = inverseDepth;
            pixels[i] = packed;
          }
        }
        e0 += stepX0;
        e1 += stepX1;
        e2 += stepX2;
      }
      row0 += stepY0;
      row1 += stepY1;
      row2 += stepY2;
    }
  }
}

/** r | g << 8 | b << 16 (bytes 0..255). */
export function packRgb(r: number, g: number, b: number): number {
  return (r | (g << 8) | (b << 16)) >>> 0;
}
