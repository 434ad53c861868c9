// The workspace-wide runs behind the CLI modes and the tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  collectApi,
  compareReports,
  createApiProgram,
  findExportStars,
  type ExportStar,
  type PackageApi,
  type ReportDrift,
} from "./api-report.ts";
import { checkBoundaries, type BoundaryPackage, type Violation } from "./boundaries.ts";
import { scanWorkspaceImports } from "./import-scan.ts";
import { isTestFile, listCodeFiles, listPackages, workspaceRoot, type WorkspacePackage } from "./workspace.ts";

export function loadApis(root: string = workspaceRoot): { packages: WorkspacePackage[]; apis: PackageApi[] } {
  const packages = listPackages(root);
  const program = createApiProgram(packages, root);
  return { packages, apis: collectApi(packages, program, root) };
}

export function checkApiReports(root: string = workspaceRoot): { drifts: ReportDrift[]; apis: PackageApi[]; packages: WorkspacePackage[] } {
  const { packages, apis } = loadApis(root);
  return { drifts: compareReports(packages, apis, root), apis, packages };
}

/** `export *` in any non-test file under a library's or app's src/. */
export function findWorkspaceExportStars(root: string = workspaceRoot): ExportStar[] {
  return listPackages(root)
    .filter((pkg) => pkg.kind !== "tooling")
    .flatMap((pkg) => listCodeFiles(pkg, root).filter((file) => file.startsWith(`${pkg.dir}/src/`) && !isTestFile(file)))
    .flatMap((file) => findExportStars(readFileSync(join(root, file), "utf8"), file));
}

export function toBoundaryPackage(pkg: WorkspacePackage): BoundaryPackage {
  const { dependencies, devDependencies, peerDependencies, optionalDependencies } = pkg.manifest;
  return {
    name: pkg.name,
    kind: pkg.kind,
    dir: pkg.dir,
    exportSubpaths: pkg.exportSubpaths,
    entryFiles: [...pkg.entries.map((entry) => entry.sourceFile), ...binSources(pkg)],
    ...(dependencies === undefined ? {} : { dependencies }),
    ...(devDependencies === undefined ? {} : { devDependencies }),
    ...(peerDependencies === undefined ? {} : { peerDependencies }),
    ...(optionalDependencies === undefined ? {} : { optionalDependencies }),
  };
}

export function checkWorkspaceBoundaries(root: string = workspaceRoot): Violation[] {
  const packages = listPackages(root);
  return checkBoundaries(packages.map(toBoundaryPackage), scanWorkspaceImports(packages, root));
}

/** `bin` targets mapped back to their sources: `./dist/cli.js` -> `<dir>/src/cli.ts`. */
function binSources(pkg: WorkspacePackage): string[] {
  const bin = (pkg.manifest as { bin?: string | Record<string, string> }).bin;
  const targets = bin === undefined ? [] : typeof bin === "string" ? [bin] : Object.values(bin);
  return targets.map(
    (target) =>
      `${pkg.dir}/${target
        .replace(/^\.\//, "")
        .replace(/^dist\//, "src/")
        .replace(/\.[cm]?js$/, ".ts")}`,
  );
}
