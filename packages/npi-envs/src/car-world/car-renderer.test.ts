import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cameraForPose, projectPoint } from "./camera.js";
import { carSeeds } from "./car-seeds.js";
import { CarWorldError } from "./car-world-error.js";
import { generateCar } from "./car-model.js";
import { CarRenderer, renderCar, shadeFaces } from "./car-renderer.js";
import { allPoses, type CarPose } from "./pose-grid.js";
import { FACE_DECAL, filterFaces } from "./mesh.js";
import { Rasterizer } from "./rasterizer.js";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof CarWorldError ? e.code : `other: ${String(e)}`;
  }
  return "none";
}

describe("car renderer", () => {
  it("returns size × size × 3 bytes and reuses a caller's buffer", () => {
    const car = generateCar(1);
    for (const size of [64, 128]) {
      const image = renderCar(car, { azimuthDegrees: 30, elevationDegrees: 15 }, { size });
      expect(image).toBeInstanceOf(Uint8Array);
      expect(image.length).toBe(size * size * 3);
    }
    const renderer = new CarRenderer({ size: 64 });
    const out = new Uint8Array(64 * 64 * 3);
    expect(renderer.render(car, { azimuthDegrees: 0, elevationDegrees: 15 }, out)).toBe(out);
    expect(out).toEqual(renderCar(car, { azimuthDegrees: 0, elevationDegrees: 15 }, { size: 64 }));
  });

  it("is bit-for-bit deterministic: same car and pose, same bytes, in any order and on any renderer; pinned hashes", () => {
    const poses: CarPose[] = [
      { azimuthDegrees: 0, elevationDegrees: 15 },
      { azimuthDegrees: -75, elevationDegrees: 60 },
      { azimuthDegrees: 135, elevationDegrees: 0 },
    ];
    const a = new CarRenderer({ size: 64 });
    const first = poses.map((p) => sha256(a.render(generateCar(7), p)));
    const b = new CarRenderer({ size: 64 });
    const second = [...poses]
      .reverse()
      .map((p) => sha256(b.render(generateCar(7), p)))
      .reverse();
    expect(second).toEqual(first);
    // Pinned across runs and machines. These change only when the car model or the renderer changes
    // on purpose; then update them (and say so in the commit), never to make a flaky test pass.
    const pinned = {
      aa64: sha256(renderCar(generateCar(0), { azimuthDegrees: 0, elevationDegrees: 15 }, { size: 64 })),
      aa128: sha256(renderCar(generateCar(3), { azimuthDegrees: -45, elevationDegrees: 30 }, { size: 128 })),
      plain64: sha256(renderCar(generateCar(2 ** 21), { azimuthDegrees: 75, elevationDegrees: 45 }, { size: 64, antialias: false })),
    };
    expect(pinned).toEqual({ aa64: "be5d1ee2ddab8f9b", aa128: "ba41023abcd8286f", plain64: "83c46da473ccdf22" });
  });

  it("different seeds give different pictures, and every one of the 120 poses gives a different picture", () => {
    const renderer = new CarRenderer({ size: 64 });
    const target = { azimuthDegrees: 0, elevationDegrees: 15 };
    const bySeed = new Set(Array.from({ length: 20 }, (_, s) => sha256(renderer.render(generateCar(s), target))));
    expect(bySeed.size).toBe(20);
    const car = generateCar(11);
    const byPose = new Set(allPoses().map((p) => sha256(renderer.render(car, p))));
    expect(byPose.size).toBe(120);
  });

  it("front and back look different: headlights only from the front, red tail lights only from the back", () => {
    const renderer = new CarRenderer({ size: 128, antialias: false });
    const count = (image: Uint8Array, rgb: readonly number[]) => {
      let n = 0;
      for (let i = 0; i < image.length; i += 3) if (image[i] === rgb[0] && image[i + 1] === rgb[1] && image[i + 2] === rgb[2]) n++;
      return n;
    };
    for (const seed of carSeeds({ split: "train", count: 20 })) {
      const car = generateCar(seed);
      for (const elevationDegrees of [0, 15, 30]) {
        const front = renderer.render(car, { azimuthDegrees: 0, elevationDegrees }).slice();
        const back = renderer.render(car, { azimuthDegrees: 180, elevationDegrees });
        const { headlight, tailLight } = car.params.colors;
        expect(count(front, headlight), `car ${seed} front`).toBeGreaterThan(6);
        expect(count(front, tailLight)).toBe(0);
        expect(count(back, tailLight), `car ${seed} back`).toBeGreaterThan(6);
        expect(count(back, headlight)).toBe(0);
      }
    }
  });

  it(
    "the pose can be read from pixels: a nearest-neighbour on thumbnails of seen cars finds the " +
      "azimuth of unseen cars, never mistaking front for back",
    () => {
      // 16×16 box-filtered thumbnails at elevation 15°, all 24 azimuths; 12 training cars, 6 held-out cars.
      const renderer = new CarRenderer({ size: 64 });
      const thumbnail = (image: Uint8Array) => {
        const t = new Float64Array(16 * 16 * 3);
        for (let y = 0; y < 64; y++)
          for (let x = 0; x < 64; x++) for (let c = 0; c < 3; c++) t[((y >> 2) * 16 + (x >> 2)) * 3 + c]! += image[(y * 64 + x) * 3 + c]!;
        return t;
      };
      const views = (seeds: number[]) =>
        seeds.flatMap((seed) => {
          const car = generateCar(seed);
          return Array.from({ length: 24 }, (_, k) => ({
            azimuth: -165 + 15 * k,
            t: thumbnail(renderer.render(car, { azimuthDegrees: -165 + 15 * k, elevationDegrees: 15 })),
          }));
        });
      const seen = views(carSeeds({ split: "train", count: 12 }));
      const unseen = views(carSeeds({ split: "test", count: 6 }));
      let exact = 0;
      let frontBackMistakes = 0;
      for (const q of unseen) {
        let best = Infinity;
        let guess = 0;
        for (const s of seen) {
          let d = 0;
          for (let i = 0; i < q.t.length && d < best; i++) d += (q.t[i]! - s.t[i]!) ** 2;
          if (d < best) [best, guess] = [d, s.azimuth];
        }
        const error = Math.abs(((guess - q.azimuth + 540) % 360) - 180);
        if (error === 0) exact++;
        if (error > 90) frontBackMistakes++;
      }
      expect(exact / unseen.length).toBeGreaterThan(0.8);
      expect(frontBackMistakes).toBe(0);
    },
  );

  it("every car fits inside the frame at every pose", () => {
    for (let seed = 0; seed < 60; seed++) {
      const car = generateCar(seed * 104729);
      for (const pose of allPoses()) {
        const camera = cameraForPose(pose, car.center);
        for (let i = 0; i < car.mesh.positions.length; i += 3) {
          const [x, y] = projectPoint(camera, [car.mesh.positions[i]!, car.mesh.positions[i + 1]!, car.mesh.positions[i + 2]!], 64);
          if (!(x > 0.5 && x < 63.5 && y > 0.5 && y < 63.5))
            throw new Error(`car ${seed} at ${JSON.stringify(pose)}: vertex lands at ${x}, ${y}`);
        }
      }
    }
  });

  it("meshes are closed and wound outwards: back-face culling shows no pixel the full depth test would not, except depth ties on silhouette edges", () => {
    // Without decals (one-sided details) the car is a set of closed solids. A face wound the wrong way
    // would be culled where it is visible, leaving a pixel whose depth differs from the unculled render.
    const size = 128;
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      const car = generateCar(seed);
      const solids = filterFaces(car.mesh, (flags) => (flags & FACE_DECAL) === 0);
      const colors = shadeFaces(solids);
      for (const pose of allPoses().filter((_, i) => i % 5 === seed % 5)) {
        const camera = cameraForPose(pose, car.center);
        const culled = new Rasterizer(size, size);
        const all = new Rasterizer(size, size);
        culled.clear([0, 0, 0]);
        all.clear([0, 0, 0]);
        culled.drawMesh(solids, camera, { faceColors: colors, cullBackFaces: true });
        all.drawMesh(solids, camera, { faceColors: colors, cullBackFaces: false });
        // Allowed: a back face on a silhouette edge whose interpolated depth rounds a few ulps nearer.
        let depthDiffers = 0;
        for (let i = 0; i < size * size; i++) {
          const a = culled.depth[i]!;
          const b = all.depth[i]!;
          if (a !== b && !(a > 0 && Math.abs(a - b) <= 1e-12 * a)) depthDiffers++;
        }
        expect(depthDiffers, `car ${seed} ${JSON.stringify(pose)}`).toBe(0);
      }
    }
  });

  it("rejects bad sizes, off-grid poses and wrong output buffers with typed errors", () => {
    const car = generateCar(0);
    const pose = { azimuthDegrees: 0, elevationDegrees: 15 };
    expect(codeOf(() => renderCar(car, pose, { size: 64.5 }))).toBe("INVALID_SIZE");
    expect(codeOf(() => renderCar(car, pose, { size: 8 }))).toBe("INVALID_SIZE");
    expect(codeOf(() => renderCar(car, pose, { size: Number.NaN }))).toBe("INVALID_SIZE");
    expect(codeOf(() => renderCar(car, pose, { size: 64, antialias: "yes" as unknown as boolean }))).toBe("INVALID_SIZE");
    expect(codeOf(() => renderCar(car, { azimuthDegrees: 10, elevationDegrees: 15 }, { size: 64 }))).toBe("POSE_OFF_GRID");
    expect(codeOf(() => renderCar(car, { azimuthDegrees: 0, elevationDegrees: 75 }, { size: 64 }))).toBe("POSE_OFF_GRID");
    expect(codeOf(() => new CarRenderer({ size: 64 }).render(car, pose, new Uint8Array(100)))).toBe("INVALID_IMAGE");
  });
});
