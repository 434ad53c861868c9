import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderVegaLiteSvg } from "./plot.js";
import { markdownTable, writeReport } from "./report.js";

const root = mkdtempSync(join(tmpdir(), "dcnpi-report-kit-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("plots and reports", () => {
  it("renders a Vega-Lite chart to SVG deterministically", async () => {
    const spec = {
      data: {
        values: [
          { bits: 2, error: 3.1 },
          { bits: 4, error: 1.7 },
        ],
      },
      mark: "line" as const,
      encoding: { x: { field: "bits", type: "quantitative" as const }, y: { field: "error", type: "quantitative" as const } },
    };
    const svg = await renderVegaLiteSvg(spec);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("bits");
    expect(await renderVegaLiteSvg(spec)).toBe(svg);
    await expect(renderVegaLiteSvg({ mark: "nonsense" } as never)).rejects.toThrow(/does not compile/);
  });

  it("writes report.md with figure files and a self-contained report.html", () => {
    const dir = join(root, "report");
    const written = writeReport(dir, {
      title: "Test report",
      blocks: [
        {
          kind: "markdown",
          text: markdownTable(
            ["layer", "kept %"],
            [
              ["ip1", 8],
              ["ip2", 9],
            ],
          ),
        },
        { kind: "figure", name: "tiny", title: "A tiny figure", svg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' },
      ],
    });
    expect(readFileSync(written.markdownPath, "utf8")).toContain("![A tiny figure](figures/tiny.svg)");
    const html = readFileSync(written.htmlPath, "utf8");
    expect(html).toContain("<table>");
    expect(html).toContain('<figure id="tiny"><svg');
    expect(existsSync(join(dir, "figures", "tiny.svg"))).toBe(true);
  });
});
