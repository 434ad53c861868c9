import { describe, expect, it } from "vitest";
import { checkBoundaries, formatViolation, type BoundaryPackage } from "./boundaries.ts";
import { checkWorkspaceBoundaries } from "./checks.ts";
import { scanSource, type ImportRecord } from "./import-scan.ts";

const lib = (name: string, extra: Partial<BoundaryPackage> = {}): BoundaryPackage => ({
  name: `@dcnpi/${name}`,
  kind: "library",
  dir: `packages/${name}`,
  exportSubpaths: [".", "./package.json"],
  entryFiles: [`packages/${name}/src/index.ts`],
  ...extra,
});

const workspace: BoundaryPackage[] = [
  lib("base"),
  lib("huffman"),
  lib("tensor", {
    exportSubpaths: [".", "./package.json", "./tfjs"],
    entryFiles: ["packages/tensor/src/index.ts", "packages/tensor/src/tfjs/index.ts"],
    peerDependencies: { "@tensorflow/tfjs-core": "^4.22.0" },
  }),
  lib("engine"),
  lib("pruning", {
    dependencies: { "@dcnpi/tensor": "workspace:*" },
    devDependencies: { "@dcnpi/engine": "workspace:*", "fast-check": "catalog:" },
  }),
  {
    name: "@dcnpi/repro",
    kind: "app",
    dir: "apps/repro",
    exportSubpaths: [],
    dependencies: { "@dcnpi/engine": "workspace:*", "@dcnpi/pruning": "workspace:*" },
  },
];

const runtime = (pkg: string, file: string, specifier: string): ImportRecord => ({
  package: `@dcnpi/${pkg}`,
  file,
  specifier,
  kind: "runtime",
});
const typeOnly = (pkg: string, file: string, specifier: string): ImportRecord => ({
  package: `@dcnpi/${pkg}`,
  file,
  specifier,
  kind: "type",
});

function violationsOf(...imports: ImportRecord[]): string[] {
  return checkBoundaries(workspace, imports).map(formatViolation);
}

describe("checkBoundaries on made-up imports", () => {
  it("passes a clean workspace", () => {
    expect(
      violationsOf(
        runtime("pruning", "packages/pruning/src/index.ts", "./compute-mask.js"),
        runtime("pruning", "packages/pruning/src/compute-mask.ts", "@dcnpi/tensor"),
        runtime("pruning", "packages/pruning/src/compute-mask.ts", "node:path"),
        runtime("tensor", "packages/tensor/src/tfjs/index.ts", "@tensorflow/tfjs-core"),
        runtime("repro", "apps/repro/src/cli.ts", "@dcnpi/engine"),
        runtime("repro", "apps/repro/src/cli.ts", "@dcnpi/pruning"),
        runtime("repro", "apps/repro/vitest.config.ts", "../../vitest.shared.ts"),
      ),
    ).toEqual([]);
  });

  it("(a) rejects a library importing an app, type-only included", () => {
    const found = violationsOf(
      typeOnly("pruning", "packages/pruning/src/index.ts", "@dcnpi/repro"),
      runtime("pruning", "packages/pruning/src/index.ts", "../../../apps/repro/src/cli.js"),
    );
    expect(found.filter((line) => line.includes(": library-imports-app: "))).toHaveLength(2);
    expect(found).toContain(
      "packages/pruning/src/index.ts: library-imports-app: imports the app @dcnpi/repro; libraries never import apps (move the shared code into a library)",
    );
  });

  it("(b) rejects src/ and subpaths missing from the exports map, and relative paths into another package", () => {
    const found = violationsOf(
      runtime("pruning", "packages/pruning/src/index.ts", "@dcnpi/tensor/src/rng.js"),
      typeOnly("pruning", "packages/pruning/src/index.ts", "@dcnpi/tensor/internal"),
      runtime("pruning", "packages/pruning/src/index.ts", "../../tensor/src/rng.js"),
      runtime("repro", "apps/repro/src/cli.ts", "@dcnpi/tensor/tfjs"),
    );
    expect(found.filter((line) => line.includes(": deep-import: "))).toEqual([
      `packages/pruning/src/index.ts: deep-import: "../../tensor/src/rng.js" reaches into packages/tensor ` +
        `by path; import "@dcnpi/tensor" (its exports map) instead`,
      `packages/pruning/src/index.ts: deep-import: "@dcnpi/tensor/internal": @dcnpi/tensor does not ` +
        `export "./internal" (exports: ".", "./package.json", "./tfjs")`,
      `packages/pruning/src/index.ts: deep-import: "@dcnpi/tensor/src/rng.js" imports @dcnpi/tensor's ` +
        `sources directly; use a subpath of its exports map (".", "./package.json", "./tfjs")`,
    ]);
  });

  it("(c) rejects a library importing the engine from shipped code or listing it in dependencies", () => {
    const packages = workspace.map((pkg) =>
      pkg.name === "@dcnpi/pruning" ? { ...pkg, dependencies: { ...pkg.dependencies, "@dcnpi/engine": "workspace:*" } } : pkg,
    );
    const found = checkBoundaries(packages, [
      runtime("pruning", "packages/pruning/src/index.ts", "./train.js"),
      runtime("pruning", "packages/pruning/src/train.ts", "@dcnpi/engine"),
    ]).map(formatViolation);
    expect(found).toEqual([
      "packages/pruning/package.json: library-imports-engine: lists @dcnpi/engine in dependencies; " +
        "only apps choose the backend (a devDependency for tests is fine)",
      "packages/pruning/src/train.ts: library-imports-engine: imports @dcnpi/engine at run time; " +
        "only apps choose the backend (take a ready tfjs or a backend option instead)",
    ]);
  });

  it("(c) exempts the engine itself, tests, benches, test helpers and type-only imports", () => {
    expect(
      violationsOf(
        runtime("pruning", "packages/pruning/src/mask.test.ts", "@dcnpi/engine"),
        runtime("pruning", "packages/pruning/src/mask.test.ts", "./test-backend.js"),
        runtime("pruning", "packages/pruning/src/test-backend.ts", "@dcnpi/engine"),
        runtime("pruning", "packages/pruning/bench/pruning.bench.ts", "@dcnpi/engine"),
        runtime("pruning", "packages/pruning/test/setup.ts", "@dcnpi/engine"),
        typeOnly("pruning", "packages/pruning/src/index.ts", "@dcnpi/engine"),
        runtime("engine", "packages/engine/src/index.ts", "@dcnpi/engine"),
      ),
    ).toEqual([]);
  });

  it("(d) rejects huffman or tensor depending on anything but base, and base depending on anything", () => {
    const packages = workspace.map((pkg) => {
      if (pkg.name === "@dcnpi/huffman") return { ...pkg, dependencies: { "@dcnpi/base": "workspace:*", zod: "catalog:" } };
      if (pkg.name === "@dcnpi/base") return { ...pkg, dependencies: { "@dcnpi/huffman": "workspace:*" } };
      return pkg;
    });
    const found = checkBoundaries(packages, [
      runtime("huffman", "packages/huffman/src/index.ts", "zod"),
      runtime("huffman", "packages/huffman/src/index.ts", "@dcnpi/base"),
      runtime("tensor", "packages/tensor/src/index.ts", "@tensorflow/tfjs-core"),
      typeOnly("tensor", "packages/tensor/src/index.ts", "@tensorflow/tfjs-layers"),
      runtime("base", "packages/base/src/index.ts", "node:fs"),
    ]).map(formatViolation);
    expect(found.filter((line) => line.includes(": runtime-dependency: "))).toEqual([
      "packages/base/package.json: runtime-dependency: dependencies lists @dcnpi/huffman; @dcnpi/base may depend on nothing",
      "packages/huffman/package.json: runtime-dependency: dependencies lists zod; @dcnpi/huffman may depend on only @dcnpi/base",
      "packages/huffman/src/index.ts: runtime-dependency: imports zod at run time; @dcnpi/huffman may import only @dcnpi/base",
      "packages/tensor/src/index.ts: runtime-dependency: imports @tensorflow/tfjs-core at run time; @dcnpi/tensor may import only @dcnpi/base",
    ]);
  });

  it("(d) allows tensor's ./tfjs bridge its peer and tests anything", () => {
    expect(
      violationsOf(
        runtime("tensor", "packages/tensor/src/tfjs/index.ts", "@tensorflow/tfjs-core"),
        runtime("tensor", "packages/tensor/src/rng.test.ts", "fast-check"),
      ).filter((line) => line.includes("runtime-dependency")),
    ).toEqual([]);
  });

  it("(e) rejects importing an undeclared workspace package, and a dev-only one from shipped code", () => {
    const found = violationsOf(
      runtime("pruning", "packages/pruning/src/index.ts", "@dcnpi/huffman"),
      typeOnly("repro", "apps/repro/src/cli.ts", "@dcnpi/huffman"),
      runtime("pruning", "packages/pruning/src/index.ts", "fast-check"),
      runtime("pruning", "packages/pruning/src/mask.test.ts", "fast-check"),
    );
    expect(found).toEqual([
      "apps/repro/src/cli.ts: undeclared-dependency: imports @dcnpi/huffman, which apps/repro/package.json " +
        "does not list in dependencies, devDependencies or peerDependencies",
      "packages/pruning/src/index.ts: dev-dependency-at-run-time: imports fast-check at run time " +
        "from shipped code, but packages/pruning/package.json lists it only in devDependencies",
      "packages/pruning/src/index.ts: undeclared-dependency: imports @dcnpi/huffman, which packages/pruning/package.json " +
        "does not list in dependencies, devDependencies or peerDependencies",
    ]);
  });
});

describe("scanSource", () => {
  it("tells type-only imports from run-time ones", () => {
    const text = [
      `import type { A } from "a";`,
      `import { type B } from "b";`,
      `import c from "c";`,
      `export type { D } from "d";`,
      `export { e } from "e";`,
      `type F = import("f").F;`,
      `const g = await import("g");`,
      `import "h";`,
    ].join("\n");
    expect(scanSource(text, "x.ts")).toEqual([
      { specifier: "a", kind: "type" },
      { specifier: "b", kind: "runtime" },
      { specifier: "c", kind: "runtime" },
      { specifier: "d", kind: "type" },
      { specifier: "e", kind: "runtime" },
      { specifier: "f", kind: "type" },
      { specifier: "g", kind: "runtime" },
      { specifier: "h", kind: "runtime" },
    ]);
  });
});

describe("the real workspace", () => {
  it("respects every boundary", () => {
    const found = checkWorkspaceBoundaries().map(formatViolation);
    expect(found, found.join("\n")).toEqual([]);
  });
});
