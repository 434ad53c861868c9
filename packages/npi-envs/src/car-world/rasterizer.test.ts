import { describe, expect, it } from "vitest";
import { lookAtCamera } from "./camera.js";
import { CarWorldError } from "./car-world-error.js";
import { MeshBuilder } from "./mesh.js";
import { packRgb, Rasterizer } from "./rasterizer.js";

const RED = [255, 0, 0] as const;
const GREEN = [0, 255, 0] as const;
const BLACK = [0, 0, 0] as const;

/** Pixels whose colour is not black, as a 0/1 mask. */
function coverage(r: Rasterizer): Uint8Array {
  return Uint8Array.from(r.pixels, (p) => (p !== 0 ? 1 : 0));
}

function pixel(r: Rasterizer, x: number, y: number): number[] {
  const p = r.pixels[y * r.width + x]!;
  return [p & 0xff, (p >>> 8) & 0xff, p >>> 16];
}

// Camera at z = +5 looking at the origin: right = +x, up = +y. A face counter-clockwise in x-y faces it.
const camera = lookAtCamera([0, 0, 5], [0, 0, 0], 0.5);

describe("rasteriser", () => {
  it("z-buffer: the nearer triangle wins whatever the drawing order", () => {
    const near = new MeshBuilder()
      .addPolygon(
        [
          [-1, -1, 1],
          [1, -1, 1],
          [0, 1, 1],
        ],
        RED,
      )
      .build();
    const far = new MeshBuilder()
      .addPolygon(
        [
          [-3, -3, -1],
          [3, -3, -1],
          [0, 3, -1],
        ],
        GREEN,
      )
      .build();
    for (const order of [
      [near, far],
      [far, near],
    ]) {
      const r = new Rasterizer(32, 32);
      r.clear(BLACK);
      for (const m of order) r.drawMesh(m, camera);
      expect(pixel(r, 16, 16)).toEqual([255, 0, 0]);
      // Outside the near triangle, the far one shows.
      expect(pixel(r, 16, 27)).toEqual([0, 255, 0]);
    }
    // Without the depth test, the last one drawn wins.
    const painter = new Rasterizer(32, 32);
    painter.clear(BLACK);
    painter.drawMesh(near, camera, { depthTest: false });
    painter.drawMesh(far, camera, { depthTest: false });
    expect(pixel(painter, 16, 16)).toEqual([0, 255, 0]);
  });

  it("z-buffer: interpenetrating faces cross where their depths are equal (perspective-correct depth)", () => {
    // A flat red square at z = 0 and a green one tilted so that it is nearer on the left (x < 0).
    const flat = new MeshBuilder()
      .addPolygon(
        [
          [-1, -1, 0],
          [1, -1, 0],
          [1, 1, 0],
          [-1, 1, 0],
        ],
        RED,
      )
      .build();
    const tilted = new MeshBuilder()
      .addPolygon(
        [
          [-1, -1, 0.5],
          [1, -1, -0.5],
          [1, 1, -0.5],
          [-1, 1, 0.5],
        ],
        GREEN,
      )
      .build();
    const r = new Rasterizer(64, 64);
    r.clear(BLACK);
    r.drawMesh(flat, camera);
    r.drawMesh(tilted, camera);
    const row = 32;
    const colors = Array.from({ length: 64 }, (_, x) => r.pixels[row * 64 + x]!);
    const firstRed = colors.indexOf(packRgb(255, 0, 0));
    // Every covered pixel left of the crossing (x = 0, column 32) is green, every one right of it red.
    expect(firstRed).toBe(32);
    expect(
      colors
        .slice(0, 32)
        .filter((c) => c !== 0)
        .every((c) => c === packRgb(0, 255, 0)),
    ).toBe(true);
    expect(
      colors
        .slice(32)
        .filter((c) => c !== 0)
        .every((c) => c === packRgb(255, 0, 0)),
    ).toBe(true);
  });

  it("culls faces that turn away from the camera unless told not to", () => {
    const back = new MeshBuilder()
      .addPolygon(
        [
          [0, 1, 0],
          [1, -1, 0],
          [-1, -1, 0],
        ],
        RED,
      )
      .build(); // clockwise seen from +z
    const culled = new Rasterizer(16, 16);
    culled.clear(BLACK);
    culled.drawMesh(back, camera);
    expect(coverage(culled).reduce((a, b) => a + b, 0)).toBe(0);
    const kept = new Rasterizer(16, 16);
    kept.clear(BLACK);
    kept.drawMesh(back, camera, { cullBackFaces: false });
    expect(coverage(kept).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
    // A closed box draws the same picture with or without culling (the back is always hidden).
    const box = new MeshBuilder().addBox([-1, -1, -1], [1, 1, 1], GREEN).build();
    const tiltedCamera = lookAtCamera([3, 2.5, 4], [0, 0, 0], 0.6);
    const a = new Rasterizer(48, 48),
      b = new Rasterizer(48, 48);
    for (const [target, cull] of [
      [a, true],
      [b, false],
    ] as const) {
      target.clear(BLACK);
      target.drawMesh(box, tiltedCamera, { cullBackFaces: cull, faceColors: Uint8Array.from({ length: 36 }, (_, i) => (i * 37) % 256) });
    }
    expect(a.pixels).toEqual(b.pixels);
  });

  it("top-left fill rule: triangles sharing edges cover each pixel once, with no gaps", () => {
    // A square from (2.5, 2.5) to (6.5, 6.5): its edges pass through pixel centres. The left and top
    // edges own them, so the square covers columns 2..5 and rows 2..5: exactly 16 pixels.
    const tri = (r: Rasterizer, v: [number, number][], color = RED) =>
      r.drawScreenTriangle(
        v.map(([x, y]) => [x, y, 1] as const),
        color,
        { depthTest: false },
      );
    const square: [number, number][] = [
      [2.5, 2.5],
      [2.5, 6.5],
      [6.5, 6.5],
      [6.5, 2.5],
    ]; // counter-clockwise in the picture
    const counts = new Uint8Array(10 * 10);
    for (const triangle of [
      [square[0]!, square[1]!, square[2]!],
      [square[0]!, square[2]!, square[3]!],
    ]) {
      const r = new Rasterizer(10, 10);
      r.clear(BLACK);
      tri(r, triangle);
      coverage(r).forEach((c, i) => (counts[i]! += c));
    }
    const expected = new Uint8Array(100);
    for (let y = 2; y <= 5; y++) for (let x = 2; x <= 5; x++) expected[y * 10 + x] = 1;
    expect(counts).toEqual(expected);

    // A fan of 12 triangles around an off-grid centre, odd vertex positions: each pixel at most once,
    // and the union equals the polygon drawn as one piece.
    const center: [number, number] = [20.3, 19.7];
    const ring: [number, number][] = Array.from({ length: 12 }, (_, k) => [
      20.3 + 13.1 * Math.cos((k * Math.PI) / 6 + 0.1),
      19.7 - 12.7 * Math.sin((k * Math.PI) / 6 + 0.1),
    ]);
    const fanCounts = new Uint8Array(40 * 40);
    for (let k = 0; k < 12; k++) {
      const r = new Rasterizer(40, 40);
      r.clear(BLACK);
      tri(r, [center, ring[k]!, ring[(k + 1) % 12]!]);
      coverage(r).forEach((c, i) => (fanCounts[i]! += c));
    }
    expect(Math.max(...fanCounts)).toBe(1);
    const whole = new Rasterizer(40, 40);
    whole.clear(BLACK);
    for (let k = 1; k + 1 < 12; k++) tri(whole, [ring[0]!, ring[k]!, ring[k + 1]!]);
    expect(fanCounts).toEqual(coverage(whole));
  });

  it("clips at the near plane instead of drawing garbage behind the camera", () => {
    // A floor through the camera's position: the part in front is drawn, the part behind is not.
    const floor = new MeshBuilder()
      .addPolygon(
        [
          [-50, -1, -50],
          [-50, -1, 50],
          [50, -1, 50],
          [50, -1, -50],
        ],
        GREEN,
      )
      .build();
    const r = new Rasterizer(32, 32);
    r.clear(BLACK);
    r.drawMesh(floor, camera);
    // Bottom half (below the horizon) is floor, top half is empty.
    expect(pixel(r, 16, 28)).toEqual([0, 255, 0]);
    expect(pixel(r, 16, 4)).toEqual([0, 0, 0]);
    const behind = new MeshBuilder()
      .addPolygon(
        [
          [-1, -1, 6],
          [1, -1, 6],
          [0, 1, 6],
        ],
        RED,
      )
      .build();
    const s = new Rasterizer(16, 16);
    s.clear(BLACK);
    s.drawMesh(behind, camera, { cullBackFaces: false });
    expect(coverage(s).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("reads back r, g, b bytes row-major and rejects bad sizes and buffers", () => {
    const r = new Rasterizer(3, 2);
    r.clear([10, 20, 30]);
    r.pixels[4] = packRgb(1, 2, 3); // row 1, column 1
    const rgb = r.readRgb();
    expect(rgb.length).toBe(18);
    expect(Array.from(rgb.subarray(12, 15))).toEqual([1, 2, 3]);
    expect(Array.from(rgb.subarray(0, 3))).toEqual([10, 20, 30]);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof CarWorldError ? e.code : "other";
      }
      return "none";
    };
    expect(code(() => new Rasterizer(10.5, 10))).toBe("INVALID_SIZE");
    expect(code(() => new Rasterizer(0, 10))).toBe("INVALID_SIZE");
    expect(code(() => r.readRgb(new Uint8Array(5)))).toBe("INVALID_IMAGE");
    expect(
      code(() =>
        r.drawScreenTriangle(
          [
            [0, 0, 1],
            [1, 0, 1],
          ],
          RED,
        ),
      ),
    ).toBe("INVALID_MESH");
    expect(
      code(() =>
        r.drawScreenTriangle(
          [
            [0, 0, 1],
            [1, 0, 1],
            [0, 1, 0],
          ],
          RED,
        ),
      ),
    ).toBe("INVALID_MESH");
    const box = new MeshBuilder().addBox([-1, -1, -1], [1, 1, 1], RED).build();
    expect(code(() => r.drawMesh(box, camera, { faceColors: new Uint8Array(3) }))).toBe("INVALID_MESH");
    expect(code(() => lookAtCamera([0, 5, 0], [0, 0, 0], 0.5))).toBe("INVALID_CAMERA");
  });
});
