import { describe, expect, it } from "vitest";
import { CarWorldError } from "./car-world-error.js";
import { CAR_STYLES, generateCar, MAX_CAR_RADIUS_M, sampleCarParams } from "./car-model.js";
import { FACE_DECAL, FACE_EMISSIVE, validateMesh } from "./mesh.js";

/** Unnormalised normal and centroid of face f. */
function faceGeometry(positions: Float64Array, triangles: Uint32Array, f: number) {
  const v = [0, 1, 2].map((k) => Array.from(positions.subarray(3 * triangles[3 * f + k]!, 3 * triangles[3 * f + k]! + 3)));
  const [a, b, c] = v as [number[], number[], number[]];
  const u = [b[0]! - a[0]!, b[1]! - a[1]!, b[2]! - a[2]!];
  const w = [c[0]! - a[0]!, c[1]! - a[1]!, c[2]! - a[2]!];
  const normal = [u[1]! * w[2]! - u[2]! * w[1]!, u[2]! * w[0]! - u[0]! * w[2]!, u[0]! * w[1]! - u[1]! * w[0]!];
  const centroid = [0, 1, 2].map((k) => (a[k]! + b[k]! + c[k]!) / 3);
  return { normal, centroid };
}

describe("procedural cars", () => {
  it("are a pure function of the seed", () => {
    const a = generateCar(42);
    const b = generateCar(42);
    expect(b.params).toEqual(a.params);
    expect(b.mesh.positions).toEqual(a.mesh.positions);
    expect(b.mesh.faceColors).toEqual(a.mesh.faceColors);
  });

  it("differ between seeds, and cover every style", () => {
    const cars = Array.from({ length: 60 }, (_, i) => generateCar(i));
    const keys = new Set(cars.map((c) => JSON.stringify(c.params)));
    expect(keys.size).toBe(60);
    expect(new Set(cars.map((c) => c.params.style))).toEqual(new Set(CAR_STYLES));
    expect(new Set(cars.map((c) => c.params.colors.body.join(","))).size).toBeGreaterThan(50);
    const lengths = cars.map((c) => c.params.lengthM);
    expect(Math.max(...lengths) - Math.min(...lengths)).toBeGreaterThan(0.8);
  });

  it("keep their invariants over 300 seeds: on the ground, symmetric, inside the camera's sphere, bonnet longer than boot, lights on the right ends", () => {
    for (let seed = 0; seed < 300; seed++) {
      const car = generateCar(seed * 7919);
      const { mesh, params } = car;
      validateMesh(mesh, `car ${seed}`);
      expect(car.boundingRadiusM).toBeLessThanOrEqual(MAX_CAR_RADIUS_M);
      let minY = Infinity;
      const key = (i: number, zSign: number) => `${mesh.positions[i]},${mesh.positions[i + 1]},${zSign * mesh.positions[i + 2]! + 0}`;
      const points = new Set<string>();
      for (let i = 0; i < mesh.positions.length; i += 3) {
        minY = Math.min(minY, mesh.positions[i + 1]!);
        points.add(key(i, 1));
      }
      // The wheels stand on the ground (the lowest vertex of a 12-sided wheel is at its bottom).
      expect(Math.abs(minY)).toBeLessThan(1e-12);
      // Left-right mirror symmetric: every vertex has its mirror image across z = 0.
      let unmirrored = 0;
      for (let i = 0; i < mesh.positions.length; i += 3) if (!points.has(key(i, -1))) unmirrored++;
      expect(unmirrored).toBe(0);
      expect(params.bonnetFraction).toBeGreaterThan(params.bootFraction + 0.04);
      let headlights = 0;
      let tailLights = 0;
      for (let f = 0; f < mesh.faceFlags.length; f++) {
        if (!(mesh.faceFlags[f]! & FACE_EMISSIVE)) continue;
        const { normal, centroid } = faceGeometry(mesh.positions, mesh.triangles, f);
        const color = Array.from(mesh.faceColors.subarray(3 * f, 3 * f + 3));
        if (color.join() === params.colors.headlight.join()) {
          headlights++;
          expect(normal[0]).toBeGreaterThan(0);
          expect(centroid[0]).toBeGreaterThan(params.lengthM / 2);
        } else {
          expect(color).toEqual([...params.colors.tailLight]);
          tailLights++;
          expect(normal[0]).toBeLessThan(0);
          expect(centroid[0]).toBeLessThan(-params.lengthM / 2);
        }
      }
      expect(headlights).toBe(4); // two quads, two triangles each
      expect(tailLights).toBe(4);
      // Every decal faces away from the surface it sits on: front details +x, back details -x, hubs outwards.
      let wrongDecals = 0;
      for (let f = 0; f < mesh.faceFlags.length; f++) {
        if (!(mesh.faceFlags[f]! & FACE_DECAL)) continue;
        const {
          normal: [nx, ny, nz],
          centroid: [cx, , cz],
        } = faceGeometry(mesh.positions, mesh.triangles, f);
        const ok =
          cx! > params.lengthM / 2
            ? nx! > 0 && ny === 0 && nz === 0
            : cx! < -params.lengthM / 2
              ? nx! < 0 && ny === 0 && nz === 0
              : Math.abs(cz!) > params.widthM / 2 &&
                Math.sign(nz!) === Math.sign(cz!) &&
                Math.abs(nz!) > 1e3 * Math.max(Math.abs(nx!), Math.abs(ny!));
        if (!ok) wrongDecals++;
      }
      expect(wrongDecals).toBe(0);
    }
  });

  it("rejects seeds that are not non-negative safe integers", () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => sampleCarParams(bad)).toThrow(CarWorldError);
      try {
        generateCar(bad);
      } catch (e) {
        expect((e as CarWorldError).code).toBe("INVALID_SEED");
      }
    }
  });
});
