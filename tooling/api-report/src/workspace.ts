// The workspace as these checks see it: every package under packages/, apps/ and tooling/, its
// manifest, its exports map and its TypeScript files. Paths in everything we print are relative to
// the workspace root with forward slashes, so reports and messages are the same on every machine.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export type PackageKind = "library" | "app" | "tooling";

export interface Manifest {
  name: string;
  private?: boolean;
  exports?: Record<string, unknown> | string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** One public entry: the subpath of the exports map and the source file its `@dcnpi/source` condition names. */
export interface Entry {
  subpath: string;
  /** Workspace-relative path of the `src/*.ts` entry. */
  sourceFile: string;
}

export interface WorkspacePackage {
  name: string;
  kind: PackageKind;
  /** Workspace-relative directory, e.g. `packages/tensor`. */
  dir: string;
  manifest: Manifest;
  /** Subpaths of the exports map (`.`, `./tfjs`, `./package.json`); empty when there is no map. */
  exportSubpaths: string[];
  entries: Entry[];
}

const KIND_BY_FOLDER: Record<string, PackageKind> = { packages: "library", apps: "app", tooling: "tooling" };

/** The workspace root: three levels above this file (tooling/api-report/src). */
export const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

export function listPackages(root: string = workspaceRoot): WorkspacePackage[] {
  const packages: WorkspacePackage[] = [];
  for (const folder of Object.keys(KIND_BY_FOLDER)) {
    const base = join(root, folder);
    if (!existsSync(base)) continue;
    for (const child of readdirSync(base).sort()) {
      const manifestPath = join(base, child, "package.json");
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
      const dir = `${folder}/${child}`;
      packages.push({ name: manifest.name, kind: KIND_BY_FOLDER[folder]!, dir, manifest, ...readExports(manifest, dir) });
    }
  }
  return packages;
}

function readExports(manifest: Manifest, dir: string): { exportSubpaths: string[]; entries: Entry[] } {
  const map = manifest.exports;
  if (map === undefined) return { exportSubpaths: [], entries: [] };
  if (typeof map === "string") return { exportSubpaths: ["."], entries: [] };
  const exportSubpaths = Object.keys(map).sort();
  const entries: Entry[] = [];
  for (const subpath of exportSubpaths) {
    const target = map[subpath];
    if (target === null || typeof target !== "object") continue;
    const source = (target as Record<string, unknown>)["@dcnpi/source"];
    if (typeof source !== "string") continue;
    entries.push({ subpath, sourceFile: `${dir}/${source.replace(/^\.\//, "")}` });
  }
  return { exportSubpaths, entries };
}

const SKIPPED_DIRS = new Set(["node_modules", "dist", ".turbo", "coverage", "results", "bench-results", ".tmp", ".cache"]);

/** Every TypeScript/JavaScript source file of a package (src, test, bench, configs), workspace-relative, sorted. */
export function listCodeFiles(pkg: WorkspacePackage, root: string = workspaceRoot): string[] {
  const files: string[] = [];
  const walk = (absolute: string): void => {
    for (const name of readdirSync(absolute).sort()) {
      if (SKIPPED_DIRS.has(name) || name.startsWith(".")) continue;
      const child = join(absolute, name);
      if (statSync(child).isDirectory()) walk(child);
      else if (/\.(?:ts|tsx|mts|cts|js|mjs|cjs)$/.test(name) && !name.endsWith(".d.ts")) files.push(toPosix(relative(root, child)));
    }
  };
  walk(join(root, pkg.dir));
  return files;
}

/** Test files: `*.test.ts` anywhere, and anything under a package's `test/`. */
export function isTestFile(file: string): boolean {
  return /\.test\.[cm]?[jt]sx?$/.test(file) || /^(?:packages|apps|tooling)\/[^/]+\/test\//.test(file);
}

/** Benchmark files: anything under a package's `bench/`. */
export function isBenchFile(file: string): boolean {
  return /^(?:packages|apps|tooling)\/[^/]+\/bench\//.test(file);
}

/** Helpers only tests reach: a package's `src/testing/` folder and its top-level `*.config.ts` files. */
export function isTestSupportFile(file: string): boolean {
  return (
    /^(?:packages|apps|tooling)\/[^/]+\/src\/testing\//.test(file) ||
    /^(?:packages|apps|tooling)\/[^/]+\/[^/]+\.config\.[cm]?[jt]s$/.test(file)
  );
}

/** Tests, benchmarks and test support: exempt from the run-time rules. */
export function isDevelopmentFile(file: string): boolean {
  return isTestFile(file) || isBenchFile(file) || isTestSupportFile(file);
}

/** Files that ship (or would ship) as the package's code: under `src/`, not tests or test support. */
export function isShippedSource(file: string): boolean {
  return /^(?:packages|apps|tooling)\/[^/]+\/src\//.test(file) && !isDevelopmentFile(file);
}
