import { join } from "node:path";
import { marked } from "marked";
import { writeFileAtomic } from "@dcnpi/base/node";
import { ReportError } from "./errors.js";

export type ReportBlock =
  | { readonly kind: "markdown"; readonly text: string }
  | { readonly kind: "figure"; readonly name: string; readonly title: string; readonly svg: string; readonly caption?: string };

export interface Report {
  readonly title: string;
  readonly blocks: readonly ReportBlock[];
}

export interface WrittenReport {
  readonly markdownPath: string;
  readonly htmlPath: string;
  readonly figurePaths: readonly string[];
}

const figureName = /^[a-z0-9][a-z0-9-]*$/;

const style = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; line-height: 1.45; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #d0d0d6; padding: 0.25rem 0.55rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead { background: #f2f2f6; }
figure { margin: 1.5rem 0; }
figcaption { color: #555; font-size: 0.9rem; }
code { background: #f2f2f6; padding: 0 0.2rem; border-radius: 3px; }
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/**
 * Writes `report.md` (figures as files under `figures/`) and a self-contained `report.html`
 * (figures inline as SVG, so the one file opens and renders in any browser).
 */
export function writeReport(dir: string, report: Report): WrittenReport {
  const seen = new Set<string>();
  const markdown: string[] = [`# ${report.title}`, ""];
  const html: string[] = [];
  const figurePaths: string[] = [];
  for (const block of report.blocks) {
    if (block.kind === "markdown") {
      markdown.push(block.text, "");
      html.push(marked.parse(block.text, { async: false }));
      continue;
    }
    if (!figureName.test(block.name) || seen.has(block.name)) {
      throw new ReportError("INVALID_PLOT", `figure name "${block.name}" must be unique, lower-case letters, digits and "-"`);
    }
    seen.add(block.name);
    const file = join(dir, "figures", `${block.name}.svg`);
    writeFileAtomic(file, block.svg);
    figurePaths.push(file);
    markdown.push(`![${block.title}](figures/${block.name}.svg)`, "");
    if (block.caption) markdown.push(`*${block.caption}*`, "");
    html.push(
      `<figure id="${block.name}">${block.svg}<figcaption><strong>${escapeHtml(block.title)}</strong>` +
        `${block.caption ? ` ${escapeHtml(block.caption)}` : ""}</figcaption></figure>`,
    );
  }
  const markdownPath = join(dir, "report.md");
  const htmlPath = join(dir, "report.html");
  writeFileAtomic(markdownPath, markdown.join("\n"));
  writeFileAtomic(
    htmlPath,
    `<!doctype html>\n<html lang="en"><head><meta ` +
      `charset="utf-8"><title>${escapeHtml(report.title)}</title><style>${style}</style></head>\n` +
      `<body><h1>${escapeHtml(report.title)}</h1>\n${html.join("\n")}\n</body></html>\n`,
  );
  return { markdownPath, htmlPath, figurePaths };
}

/** A markdown table from a header row and body rows. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(header), `|${header.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`, ...rows.map(line)].join("\n");
}
