import { CarWorldError } from "./car-world-error.js";

/** A point or direction in world units (metres for cars). */
export type Vec3 = readonly [number, number, number];
/** An sRGB colour, 0..255 per channel. */
export type Rgb = readonly [number, number, number];

/** Face flag: the face glows (lights): drawn at its own colour, not Lambert-shaded. */
export const FACE_EMISSIVE = 1;
/** Face flag: a one-sided detail floating just off a surface (lights, grille, hub caps), not part of a closed solid. */
export const FACE_DECAL = 2;

/**
 * An indexed triangle mesh with one colour per face (flat shading needs no vertex colours).
 * Front faces wind counter-clockwise seen from outside (their right-hand normal points out).
 */
export interface Mesh {
  /** x, y, z per vertex. */
  readonly positions: Float64Array;
  /** Three vertex indices per triangle. */
  readonly triangles: Uint32Array;
  /** r, g, b per triangle. */
  readonly faceColors: Uint8Array;
  /** Bit flags per triangle (`FACE_EMISSIVE`). */
  readonly faceFlags: Uint8Array;
}

export function triangleCount(mesh: Mesh): number {
  return mesh.triangles.length / 3;
}

/** Checks the arrays agree with each other (for meshes that come from outside this module). */
export function validateMesh(mesh: Mesh, what = "mesh"): Mesh {
  const vertices = mesh.positions.length / 3;
  const faces = mesh.triangles.length / 3;
  if (!Number.isInteger(vertices) || !Number.isInteger(faces)) {
    throw new CarWorldError(
      "INVALID_MESH",
      `${what}: positions and triangles must hold whole triples, got ${mesh.positions.length} and ${mesh.triangles.length} numbers`,
    );
  }
  if (mesh.faceColors.length !== faces * 3 || mesh.faceFlags.length !== faces) {
    throw new CarWorldError(
      "INVALID_MESH",
      `${what}: expected ${faces * 3} face colour bytes and ${faces} flags, got ${mesh.faceColors.length} and ${mesh.faceFlags.length}`,
    );
  }
  for (let i = 0; i < mesh.triangles.length; i++) {
    if (mesh.triangles[i]! >= vertices)
      throw new CarWorldError(
        "INVALID_MESH",
        `${what}: triangle ${Math.floor(i / 3)} uses vertex ${mesh.triangles[i]}, mesh has ${vertices}`,
      );
  }
  for (let i = 0; i < mesh.positions.length; i++) {
    if (!Number.isFinite(mesh.positions[i]!)) throw new CarWorldError("INVALID_MESH", `${what}: vertex ${Math.floor(i / 3)} is not finite`);
  }
  return mesh;
}

/** Collects convex polygons into a `Mesh`. */
export class MeshBuilder {
  readonly #positions: number[] = [];
  readonly #triangles: number[] = [];
  readonly #colors: number[] = [];
  readonly #flags: number[] = [];

  /**
   * Adds a planar convex polygon, corners counter-clockwise seen from the side it faces, as a fan of
   * triangles.
   */
  addPolygon(corners: readonly Vec3[], color: Rgb, flags = 0): this {
    if (corners.length < 3) throw new CarWorldError("INVALID_MESH", `polygon: expected at least 3 corners, got ${corners.length}`);
    const base = this.#positions.length / 3;
    for (const [x, y, z] of corners) this.#positions.push(x, y, z);
    for (let i = 1; i + 1 < corners.length; i++) {
      this.#triangles.push(base, base + i, base + i + 1);
      this.#colors.push(color[0], color[1], color[2]);
      this.#flags.push(flags);
    }
    return this;
  }

  /**
   * Extrudes a convex profile in the x-y plane (corners counter-clockwise seen from +z) along z through
   * the increasing stations `zs` (at least two): caps at the first and last, side quads between every
   * pair of stations, so another solid resting on the sides can share vertices at the inner stations
   * instead of meeting them at T-junctions (which leave one-pixel cracks after snapping).
   * `sideColors[i]` colours the side between corner i and i+1; the caps get `capColor`.
   */
  addExtrudedProfile(
    profile: readonly (readonly [number, number])[],
    zs: readonly number[],
    capColor: Rgb,
    sideColors: readonly Rgb[],
  ): this {
    const n = profile.length;
    if (zs.length < 2 || zs.some((z, i) => i > 0 && !(z > zs[i - 1]!)))
      throw new CarWorldError("INVALID_MESH", `extrusion stations must increase, got [${zs.join(", ")}]`);
    const zMin = zs[0]!;
    const zMax = zs[zs.length - 1]!;
    this.addPolygon(
      profile.map(([x, y]) => [x, y, zMax] as const),
      capColor,
    );
    this.addPolygon(
      [...profile].reverse().map(([x, y]) => [x, y, zMin] as const),
      capColor,
    );
    for (let s = 0; s + 1 < zs.length; s++) {
      const z0 = zs[s]!;
      const z1 = zs[s + 1]!;
      for (let i = 0; i < n; i++) {
        const [x0, y0] = profile[i]!;
        const [x1, y1] = profile[(i + 1) % n]!;
        this.addPolygon(
          [
            [x0, y0, z0],
            [x1, y1, z0],
            [x1, y1, z1],
            [x0, y0, z1],
          ],
          sideColors[i] ?? capColor,
        );
      }
    }
    return this;
  }

  /**
   * Adds a hexahedron from its bottom and top faces (each four corners counter-clockwise seen from
   * above, corner i of the top above corner i of the bottom). Each face must be planar.
   * `colors` are [bottom, top, side 0-1, side 1-2, side 2-3, side 3-0]; `null` leaves a face out.
   */
  addHexahedron(bottom: readonly Vec3[], top: readonly Vec3[], colors: readonly (Rgb | null)[]): this {
    if (colors[0]) this.addPolygon([bottom[3]!, bottom[2]!, bottom[1]!, bottom[0]!], colors[0]);
    if (colors[1]) this.addPolygon([top[0]!, top[1]!, top[2]!, top[3]!], colors[1]);
    for (let i = 0; i < 4; i++) {
      const c = colors[2 + i];
      const j = (i + 1) % 4;
      if (c) this.addPolygon([bottom[i]!, bottom[j]!, top[j]!, top[i]!], c);
    }
    return this;
  }

  /** An axis-aligned box. */
  addBox(min: Vec3, max: Vec3, color: Rgb, flags = 0): this {
    const [x0, y0, z0] = min;
    const [x1, y1, z1] = max;
    const faces: Vec3[][] = [
      [
        [x1, y0, z0],
        [x1, y1, z0],
        [x1, y1, z1],
        [x1, y0, z1],
      ], // +x
      [
        [x0, y0, z1],
        [x0, y1, z1],
        [x0, y1, z0],
        [x0, y0, z0],
      ], // -x
      [
        [x0, y1, z0],
        [x0, y1, z1],
        [x1, y1, z1],
        [x1, y1, z0],
      ], // +y
      [
        [x0, y0, z1],
        [x0, y0, z0],
        [x1, y0, z0],
        [x1, y0, z1],
      ], // -y
      [
        [x0, y0, z1],
        [x1, y0, z1],
        [x1, y1, z1],
        [x0, y1, z1],
      ], // +z
      [
        [x1, y0, z0],
        [x0, y0, z0],
        [x0, y1, z0],
        [x1, y1, z0],
      ], // -z
    ];
    for (const f of faces) this.addPolygon(f, color, flags);
    return this;
  }

  build(): Mesh {
    return {
      positions: Float64Array.from(this.#positions),
      triangles: Uint32Array.from(this.#triangles),
      faceColors: Uint8Array.from(this.#colors),
      faceFlags: Uint8Array.from(this.#flags),
    };
  }
}

/** The faces of `mesh` for which `keep(flags)` holds (vertices are shared, not copied). */
export function filterFaces(mesh: Mesh, keep: (flags: number, face: number) => boolean): Mesh {
  const faces: number[] = [];
  for (let f = 0; f < mesh.faceFlags.length; f++) if (keep(mesh.faceFlags[f]!, f)) faces.push(f);
  const triangles = new Uint32Array(faces.length * 3);
  const faceColors = new Uint8Array(faces.length * 3);
  const faceFlags = new Uint8Array(faces.length);
  faces.forEach((f, i) => {
    triangles.set(mesh.triangles.subarray(3 * f, 3 * f + 3), 3 * i);
    faceColors.set(mesh.faceColors.subarray(3 * f, 3 * f + 3), 3 * i);
    faceFlags[i] = mesh.faceFlags[f]!;
  });
  return { positions: mesh.positions, triangles, faceColors, faceFlags };
}
