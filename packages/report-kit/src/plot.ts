import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { ReportError } from "./errors.js";

export type VegaLiteSpec = TopLevelSpec;

/**
 * Renders a Vega-Lite spec to a standalone SVG string in Node (no canvas, no browser).
 * Deterministic: the same spec gives the same bytes.
 */
export async function renderVegaLiteSvg(spec: VegaLiteSpec): Promise<string> {
  let compiled: vega.Spec;
  try {
    compiled = compile(spec).spec;
  } catch (error) {
    throw new ReportError("INVALID_PLOT", `Vega-Lite spec does not compile: ${(error as Error).message}`);
  }
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
