import { describe, expect, it } from "vitest";
import { bytesBarsSvg, histogramSvg } from "./plots.js";

describe("histogramSvg", () => {
  it("draws one bar per centroid, the tallest for the most shared weight, and escapes the title", () => {
    const svg = histogramSvg(
      [
        { value: -0.1, count: 10 },
        { value: 0.05, count: 40 },
        { value: 0.2, count: 20 },
      ],
      { title: "ip1 <kernel>", height: 140 },
    );
    const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(3);
    expect(Math.max(...heights)).toBe(heights[1]);
    expect(heights[1]! / heights[0]!).toBeCloseTo(4, 0);
    expect(svg).toContain("ip1 &#60;kernel&#62;");
    expect(svg).not.toContain("<kernel>");
  });

  it("handles an empty layer and a single centroid", () => {
    expect(histogramSvg([])).toMatch(/^<svg [\s\S]*<\/svg>$/);
    expect(histogramSvg([{ value: 0.3, count: 5 }]).match(/<rect /g)).toHaveLength(1);
  });
});

describe("bytesBarsSvg", () => {
  it("scales bars to the largest entry and labels each with its bytes", () => {
    const svg = bytesBarsSvg([
      { label: "ip1/kernel", bytes: 23440 },
      { label: "ip1/bias", bytes: 1200 },
    ]);
    const widths = [...svg.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths[0]! / widths[1]!).toBeCloseTo(23440 / 1200, 0);
    expect(svg).toContain("23,440 B");
  });
});
