import { describe, expect, it } from "vitest";
import { generateCar } from "./car-model.js";
import { CarRenderer } from "./car-renderer.js";
import { labelledSheetSvg, renderCanonicalisationStrip, renderCarGallery, renderContactSheet, tileImages } from "./contact-sheet.js";
import { encodePng } from "./png.js";
import { CameraMove, TARGET_POSE } from "./pose-grid.js";

describe("pictures", () => {
  it("tiles images row by row with gutters", () => {
    const cell = (v: number) => ({ width: 2, height: 3, data: new Uint8Array(18).fill(v) });
    const sheet = tileImages([cell(1), cell(2), cell(3)], 2, 1, [9, 9, 9]);
    expect([sheet.width, sheet.height]).toEqual([2 * 2 + 3, 2 * 3 + 3]);
    const at = (x: number, y: number) => sheet.data[(y * sheet.width + x) * 3];
    expect([at(0, 0), at(1, 1), at(4, 1), at(1, 5), at(4, 5), at(3, 2)]).toEqual([9, 1, 2, 3, 9, 9]);
    expect(() => tileImages([cell(1), { width: 3, height: 3, data: new Uint8Array(27) }], 2)).toThrow(/expected 2×3/);
  });

  it("the contact sheet holds all 120 poses in place: column 11 is azimuth 0°, row 1 elevation 15°", () => {
    const car = generateCar(5);
    const sheet = renderContactSheet(car, { size: 32, gutterPx: 2 });
    expect([sheet.image.width, sheet.image.height]).toEqual([24 * 32 + 25 * 2, 5 * 32 + 6 * 2]);
    expect(sheet.azimuthsDegrees[11]).toBe(0);
    expect(sheet.elevationsDegrees).toEqual([0, 15, 30, 45, 60]);
    const expected = new CarRenderer({ size: 32 }).render(car, TARGET_POSE);
    const left = 2 + 11 * 34;
    const top = 2 + 1 * 34;
    for (let y = 0; y < 32; y++) {
      const row = sheet.image.data.subarray(((top + y) * sheet.image.width + left) * 3, ((top + y) * sheet.image.width + left + 32) * 3);
      expect(row).toEqual(expected.subarray(y * 96, (y + 1) * 96));
    }
  });

  it("the strip follows the GOTO path and ends at the target", () => {
    const strip = renderCanonicalisationStrip(generateCar(1), { azimuthDegrees: -30, elevationDegrees: 45 }, { size: 32 });
    expect(strip.moves).toEqual([CameraMove.RIGHT, CameraMove.RIGHT, CameraMove.DOWN, CameraMove.DOWN]);
    expect(strip.poses[strip.poses.length - 1]).toEqual(TARGET_POSE);
    expect(strip.image.width).toBe(5 * 32 + 6 * 2);
    const gallery = renderCarGallery([generateCar(1), generateCar(2), generateCar(3)], TARGET_POSE, { size: 32, columns: 2 });
    expect([gallery.width, gallery.height]).toEqual([2 * 32 + 3 * 2, 2 * 32 + 3 * 2]);
  });

  it("the SVG embeds the PNG (base64, as Buffer writes it) with its labels", () => {
    const png = encodePng({ width: 10, height: 4, data: new Uint8Array(120) });
    const svg = labelledSheetSvg({
      png,
      width: 10,
      height: 4,
      cellPx: 4,
      gutterPx: 1,
      title: "cars <&> poses",
      columnLabels: ["0°", "15°"],
      rowLabels: ["0°"],
    });
    expect(svg).toContain(`href="data:image/png;base64,${Buffer.from(png).toString("base64")}"`);
    expect(svg).toContain("cars &lt;&amp;&gt; poses");
    expect(svg).toContain(">15°</text>");
    expect(svg.startsWith("<svg")).toBe(true);
  });
});
