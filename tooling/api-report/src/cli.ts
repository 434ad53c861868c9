// tsx --conditions=@dcnpi/source src/cli.ts <update|check|count|metrics|boundaries>
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatDrift, renderReport, reportPath } from "./api-report.ts";
import { formatViolation } from "./boundaries.ts";
import { checkApiReports, checkWorkspaceBoundaries, findWorkspaceExportStars, loadApis } from "./checks.ts";
import { countExports, countLines, findLongestFunctions } from "./metrics.ts";
import { workspaceRoot } from "./workspace.ts";

const USAGE = `usage: api <mode>
  update      write every package's api-report.md
  check       compare the public API with the committed reports; fail on drift or on any \`export *\`
  count       exported names per package, and how many no other package imports (--names lists them)
  metrics     count, plus lines of src per package and the longest functions (--top N, default 10)
  boundaries  the import-boundary check over the whole workspace`;

function main(argv: string[]): number {
  const [mode, ...rest] = argv;
  switch (mode) {
    case "update": {
      const { packages, apis } = loadApis();
      const byName = new Map(apis.map((api) => [api.name, api]));
      for (const pkg of packages) {
        const api = byName.get(pkg.name);
        const path = join(workspaceRoot, reportPath(pkg));
        if (api === undefined) rmSync(path, { force: true });
        else writeFileSync(path, renderReport(api));
      }
      console.log(`api-report: wrote ${apis.length} reports (${apis.map((api) => reportPath(api)).join(", ")})`);
      return reportExportStars();
    }
    case "check": {
      const { drifts } = checkApiReports();
      const output = formatDrift(drifts);
      (drifts.length === 0 ? console.log : console.error)(output);
      return Math.max(drifts.length === 0 ? 0 : 1, reportExportStars());
    }
    case "count": {
      const { packages, apis } = loadApis();
      printCounts(countExports(packages, apis), rest.includes("--names"));
      return 0;
    }
    case "metrics": {
      const topIndex = rest.indexOf("--top");
      const top = topIndex >= 0 ? Number(rest[topIndex + 1]) : 10;
      const { packages, apis } = loadApis();
      printCounts(countExports(packages, apis), rest.includes("--names"));
      console.log("\n## Lines of source per package (non-test .ts under src/, every line as wc -l)\n");
      console.log("| package | files | lines |\n| --- | ---: | ---: |");
      let files = 0;
      let lines = 0;
      // packages/ and apps/ only: the tooling measuring itself would be noise in a before/after comparison.
      const measured = packages.filter((pkg) => pkg.kind !== "tooling");
      for (const row of countLines(measured)) {
        console.log(`| ${row.name} | ${row.files} | ${row.lines} |`);
        files += row.files;
        lines += row.lines;
      }
      console.log(`| **total** | ${files} | ${lines} |`);
      console.log(`\n## The ${top} longest functions (non-test .ts files of packages/ and apps/: src, bench, configs)\n`);
      console.log("| # | function | file:line | lines |\n| ---: | --- | --- | ---: |");
      findLongestFunctions(measured, top).forEach((fn, index) =>
        console.log(`| ${index + 1} | \`${fn.name}\` | ${fn.file}:${fn.line} | ${fn.lines} |`),
      );
      return 0;
    }
    case "boundaries": {
      const violations = checkWorkspaceBoundaries();
      for (const violation of violations) console.error(formatViolation(violation));
      console.log(violations.length === 0 ? "boundaries: no violations" : `boundaries: ${violations.length} violations`);
      return violations.length === 0 ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return mode === undefined || mode === "--help" ? 0 : 2;
  }
}

function reportExportStars(): number {
  const stars = findWorkspaceExportStars();
  for (const star of stars)
    console.error(
      `${star.file}:${star.line}: no-export-star: \`${star.text}\` re-exports a whole module; list the names instead (issue 13)`,
    );
  return stars.length === 0 ? 0 : 1;
}

function printCounts(counts: ReturnType<typeof countExports>, withNames: boolean): void {
  console.log("## Exported names per package\n");
  console.log("| package | exported names | imported by no other package |\n| --- | ---: | ---: |");
  let total = 0;
  let unused = 0;
  for (const row of counts) {
    console.log(`| ${row.name} | ${row.total} | ${row.unused} |`);
    total += row.total;
    unused += row.unused;
  }
  console.log(`| **total** | ${total} | ${unused} |`);
  if (withNames)
    for (const row of counts) if (row.unused > 0) console.log(`\n${row.name} (not imported elsewhere): ${row.unusedNames.join(", ")}`);
}

process.exitCode = main(process.argv.slice(2));
