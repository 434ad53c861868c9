// Which package may import what (CONTRIBUTING.md, "Dependency direction"; issue 13). A pure function
// over the packages' manifests and a list of imports, so it can be tested on made-up inputs.
import { posix } from "node:path";
import { isNodeBuiltin, isRelative, splitBareSpecifier, type ImportRecord } from "./import-scan.ts";
import { isShippedSource, type PackageKind } from "./workspace.ts";

export interface BoundaryPackage {
  name: string;
  kind: PackageKind;
  /** Workspace-relative directory, e.g. `packages/tensor`. */
  dir: string;
  /** Subpaths of the exports map; an empty list means nothing is importable from outside. */
  exportSubpaths: readonly string[];
  /**
   * Workspace-relative source files the package ships: its exports-map `@dcnpi/source` entries and
   * `bin` scripts. Files reachable from them by relative imports are "shipped"; when absent (apps,
   * tooling), every non-test file under `src/` is.
   */
  entryFiles?: readonly string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export type BoundaryRule =
  | "library-imports-app"
  | "deep-import"
  | "library-imports-engine"
  | "runtime-dependency"
  | "undeclared-dependency"
  | "dev-dependency-at-run-time";

export interface Violation {
  file: string;
  rule: BoundaryRule;
  explanation: string;
}

export interface BoundaryPolicy {
  /** The one package that chooses the backend; only apps may import it from shipped code. */
  enginePackage: string;
  /**
   * Packages whose run-time dependencies are pinned: package -> the only workspace or npm packages its
   * shipped source may import and its `dependencies` may list (node: builtins are always allowed).
   */
  runtimeDependencyAllowlist: Record<string, readonly string[]>;
  /** Extra run-time imports allowed below one folder of a package (a peer-dependency bridge such as `./tfjs`). */
  entryExceptions: ReadonlyArray<{ package: string; folder: string; allowed: readonly string[] }>;
}

export const DEFAULT_POLICY: BoundaryPolicy = {
  enginePackage: "@dcnpi/engine",
  runtimeDependencyAllowlist: {
    "@dcnpi/base": [],
    "@dcnpi/huffman": ["@dcnpi/base"],
    "@dcnpi/tensor": ["@dcnpi/base"],
  },
  entryExceptions: [{ package: "@dcnpi/tensor", folder: "src/tfjs/", allowed: ["@tensorflow/tfjs-core", "@tensorflow/tfjs-layers"] }],
};

export function formatViolation(violation: Violation): string {
  return `${violation.file}: ${violation.rule}: ${violation.explanation}`;
}

/**
 * The rules, in the order of issue 13:
 * (a) `library-imports-app`: a library (packages/*) imports an app (apps/*), type-only included.
 * (b) `deep-import`: a specifier names another package's `src/` or a subpath its exports map does not
 *     list, or a relative path reaches into another package's folder; type-only included.
 * (c) `library-imports-engine`: shipped library code imports the engine at run time, or a library lists
 *     it in `dependencies`. Exempt: the engine itself; files the package does not ship, i.e. not
 *     reachable from its exports entries or bin (tests, test/, bench/, test helpers such as
 *     src/testing/ or src/tfjs/test-backend.ts, configs), which set a backend up for tests;
 *     type-only imports (they choose nothing).
 * (d) `runtime-dependency`: a package in `runtimeDependencyAllowlist` lists or imports at run time
 *     (from shipped source) anything outside its allowlist; peer bridges per `entryExceptions`.
 * (e) `undeclared-dependency`: any file imports a workspace package its manifest does not list in
 *     dependencies, devDependencies or peerDependencies; and `dev-dependency-at-run-time`: a library's
 *     shipped source imports at run time a package listed only in devDependencies (it would break for
 *     whoever installs the package).
 */
export function checkBoundaries(
  packages: readonly BoundaryPackage[],
  imports: readonly ImportRecord[],
  policy: BoundaryPolicy = DEFAULT_POLICY,
): Violation[] {
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
  const violations: Violation[] = [];
  const report = (file: string, rule: BoundaryRule, explanation: string): void => {
    violations.push({ file, rule, explanation });
  };

  for (const pkg of packages) checkManifest(pkg, policy, report);
  const shipped = shippedFiles(packages, imports);
  const isShipped = (pkg: BoundaryPackage, file: string): boolean =>
    pkg.entryFiles !== undefined && pkg.entryFiles.length > 0 ? shipped.has(file) : isShippedSource(file);

  for (const record of imports) {
    const importer = byName.get(record.package);
    if (importer === undefined) continue;
    const { file, specifier, kind } = record;
    const isRuntime = kind === "runtime";

    if (isRelative(specifier)) {
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      const owner = packages.find((pkg) => target === pkg.dir || target.startsWith(`${pkg.dir}/`));
      if (owner === undefined || owner.name === importer.name) continue;
      if (importer.kind === "library" && owner.kind === "app") {
        report(file, "library-imports-app", `"${specifier}" reaches into the app ${owner.name}; libraries never import apps`);
      }
      report(file, "deep-import", `"${specifier}" reaches into ${owner.dir} by path; import "${owner.name}" (its exports map) instead`);
      continue;
    }
    if (isNodeBuiltin(specifier)) continue;

    const { name, subpath } = splitBareSpecifier(specifier);
    const target = byName.get(name);
    const isSelf = name === importer.name;

    if (target !== undefined && !isSelf) {
      if (importer.kind === "library" && target.kind === "app") {
        report(file, "library-imports-app", `imports the app ${name}; libraries never import apps (move the shared code into a library)`);
      }
      if (subpath === "./src" || subpath.startsWith("./src/")) {
        report(
          file,
          "deep-import",
          `"${specifier}" imports ${name}'s sources directly; use a subpath of its exports map (${listSubpaths(target)})`,
        );
      } else if (!target.exportSubpaths.includes(subpath)) {
        report(file, "deep-import", `"${specifier}": ${name} does not export "${subpath}" (exports: ${listSubpaths(target)})`);
      }
      if (!declares(importer, name)) {
        report(
          file,
          "undeclared-dependency",
          `imports ${name}, which ${importer.dir}/package.json does not list in dependencies, devDependencies or peerDependencies`,
        );
      }
    }

    if (!isRuntime) continue;

    if (importer.kind === "library" && name === policy.enginePackage && !isSelf && isShipped(importer, file)) {
      report(
        file,
        "library-imports-engine",
        `imports ${policy.enginePackage} at run time; only apps choose the backend (take a ready tfjs or a backend option instead)`,
      );
    }

    if (!isShipped(importer, file) || isSelf) continue;

    const allowlist = policy.runtimeDependencyAllowlist[importer.name];
    if (allowlist !== undefined) {
      const relativeFile = file.slice(importer.dir.length + 1);
      const bridged = policy.entryExceptions.some(
        (exception) => exception.package === importer.name && relativeFile.startsWith(exception.folder) && exception.allowed.includes(name),
      );
      if (!allowlist.includes(name) && !bridged) {
        const allowed = allowlist.length === 0 ? "nothing but node: builtins" : `only ${allowlist.join(", ")}`;
        report(file, "runtime-dependency", `imports ${name} at run time; ${importer.name} may import ${allowed}`);
      }
    }

    if (
      importer.kind === "library" &&
      importer.devDependencies?.[name] !== undefined &&
      importer.dependencies?.[name] === undefined &&
      importer.peerDependencies?.[name] === undefined &&
      importer.optionalDependencies?.[name] === undefined
    ) {
      report(
        file,
        "dev-dependency-at-run-time",
        `imports ${name} at run time from shipped code, but ${importer.dir}/package.json lists it only in devDependencies`,
      );
    }
  }

  return dedupe(violations);
}

function checkManifest(
  pkg: BoundaryPackage,
  policy: BoundaryPolicy,
  report: (file: string, rule: BoundaryRule, explanation: string) => void,
): void {
  const manifestFile = `${pkg.dir}/package.json`;
  if (pkg.kind === "library" && pkg.name !== policy.enginePackage && pkg.dependencies?.[policy.enginePackage] !== undefined) {
    report(
      manifestFile,
      "library-imports-engine",
      `lists ${policy.enginePackage} in dependencies; only apps choose the backend (a devDependency for tests is fine)`,
    );
  }
  const allowlist = policy.runtimeDependencyAllowlist[pkg.name];
  if (allowlist === undefined) return;
  const bridged = new Set(
    policy.entryExceptions.filter((exception) => exception.package === pkg.name).flatMap((exception) => exception.allowed),
  );
  for (const field of ["dependencies", "optionalDependencies"] as const) {
    for (const dependency of Object.keys(pkg[field] ?? {}).sort()) {
      if (!allowlist.includes(dependency)) {
        report(
          manifestFile,
          "runtime-dependency",
          `${field} lists ${dependency}; ${pkg.name} may depend on ${allowlist.length === 0 ? "nothing" : `only ${allowlist.join(", ")}`}`,
        );
      }
    }
  }
  for (const dependency of Object.keys(pkg.peerDependencies ?? {}).sort()) {
    if (!allowlist.includes(dependency) && !bridged.has(dependency)) {
      report(
        manifestFile,
        "runtime-dependency",
        `peerDependencies lists ${dependency}; ${pkg.name} may depend on ${allowlist.length === 0 ? "nothing" : `only ${allowlist.join(", ")}`}`,
      );
    }
  }
}

function declares(pkg: BoundaryPackage, name: string): boolean {
  return [pkg.dependencies, pkg.devDependencies, pkg.peerDependencies, pkg.optionalDependencies].some(
    (field) => field?.[name] !== undefined,
  );
}

function listSubpaths(pkg: BoundaryPackage): string {
  return pkg.exportSubpaths.length === 0 ? "none" : pkg.exportSubpaths.map((subpath) => `"${subpath}"`).join(", ");
}

function dedupe(violations: Violation[]): Violation[] {
  const seen = new Set<string>();
  const unique: Violation[] = [];
  for (const violation of violations) {
    const key = formatViolation(violation);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(violation);
  }
  return unique.sort((a, b) => compareStrings(formatViolation(a), formatViolation(b)));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Files reachable from each package's entry files through relative imports (`./x.js` -> `x.ts`). */
function shippedFiles(packages: readonly BoundaryPackage[], imports: readonly ImportRecord[]): Set<string> {
  const edges = new Map<string, string[]>();
  const known = new Set(imports.map((record) => record.file));
  for (const pkg of packages) for (const file of pkg.entryFiles ?? []) known.add(file);
  for (const record of imports) {
    if (!isRelative(record.specifier)) continue;
    const target = posix.normalize(posix.join(posix.dirname(record.file), record.specifier));
    const stem = target.replace(/\.(?:[cm]?js|tsx?)$/, "");
    const candidates = [target, `${stem}.ts`, `${stem}.tsx`, `${stem}/index.ts`];
    const resolved = candidates.filter((candidate) => known.has(candidate));
    edges.set(record.file, [...(edges.get(record.file) ?? []), ...resolved.slice(0, 1)]);
  }
  const reached = new Set<string>();
  const stack = packages.flatMap((pkg) => [...(pkg.entryFiles ?? [])]);
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (reached.has(file)) continue;
    reached.add(file);
    stack.push(...(edges.get(file) ?? []));
  }
  return reached;
}
