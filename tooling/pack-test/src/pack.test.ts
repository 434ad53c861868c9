import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smokeChecks } from "./smoke-checks.js";

const workspace = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const ownManifest = JSON.parse(readFileSync(resolve(workspace, "tooling/pack-test/package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const publishable = readdirSync(join(workspace, "packages"))
  .map((dir) => join(workspace, "packages", dir))
  .filter((dir) => existsSync(join(dir, "package.json")))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest }))
  .filter(({ manifest }) => manifest.private !== true);

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-pack-"));
const tarballs = new Map<string, string>();

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_loglevel: "error" },
  });
}

/** pnpm from PATH (turbo runs us under pnpm), else the pinned one through npx. */
function pnpm(args: string[], cwd: string): string {
  try {
    return run("pnpm", args, cwd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    return run("npx", ["--yes", "pnpm@12.4.2", ...args], cwd);
  }
}

beforeAll(() => {
  const packDir = join(scratch, "tarballs");
  mkdirSync(packDir);
  for (const { dir, manifest } of publishable) {
    const before = new Set(readdirSync(packDir));
    pnpm(["pack", "--pack-destination", packDir], dir);
    const made = readdirSync(packDir).filter((f) => !before.has(f));
    expect(made, `pnpm pack of ${manifest.name} made one tarball`).toHaveLength(1);
    tarballs.set(manifest.name, join(packDir, made[0]!));
  }
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("publishable packages", () => {
  it("are all built before this test and all have a smoke check", () => {
    for (const { manifest } of publishable) {
      expect(ownManifest.devDependencies[manifest.name], `add ${manifest.name} to tooling/pack-test devDependencies`).toBe("workspace:*");
      expect(smokeChecks[manifest.name], `add a smoke check for ${manifest.name} in smoke-checks.ts`).toBeDefined();
    }
  });

  it("ship dist, README and a manifest without workspace-only details", () => {
    for (const [name, tarball] of tarballs) {
      const files = run("tar", ["-tzf", tarball], scratch).trim().split("\n");
      expect(files, name).toContain("package/README.md");
      expect(
        files.some((f) => f.startsWith("package/dist/") && f.endsWith(".d.ts")),
        `${name} ships .d.ts`,
      ).toBe(true);
      expect(
        files.some((f) => f.startsWith("package/src/")),
        `${name} ships no sources`,
      ).toBe(false);
      const manifestText = run("tar", ["-xzOf", tarball, "package/package.json"], scratch);
      const manifest = JSON.parse(manifestText) as Manifest;
      expect(JSON.stringify(manifest.exports), name).not.toContain("@dcnpi/source");
      expect(manifestText, name).not.toContain("workspace:");
      expect(manifestText, name).not.toContain("catalog:");
    }
  });

  describe("installed with plain npm into an empty project", () => {
    const project = join(scratch, "consumer");

    beforeAll(() => {
      mkdirSync(project);
      const fileSpec = (name: string) => `file:${tarballs.get(name)}`;
      const dependencies = Object.fromEntries([...tarballs.keys()].map((name) => [name, fileSpec(name)]));
      writeFileSync(
        join(project, "package.json"),
        JSON.stringify(
          {
            name: "dcnpi-consumer",
            private: true,
            type: "module",
            dependencies: { ...dependencies, "@tensorflow/tfjs-backend-cpu": "4.22.0" },
            // Inter-package dependencies resolve to the tarballs too, never to a registry.
            overrides: dependencies,
          },
          null,
          2,
        ),
      );
      run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], project);
    });

    it("run from plain Node (ESM)", () => {
      for (const [name, check] of Object.entries(smokeChecks)) {
        if (!tarballs.has(name)) continue;
        const file = join(project, `smoke-${name.replace(/\W/g, "_")}.mjs`);
        writeFileSync(file, `import assert from "node:assert/strict";\n${check.node}\nconsole.log("ok");\n`);
        expect(run(process.execPath, [file], project).trim().split("\n").at(-1), name).toBe("ok");
      }
    });

    it("type-check from TypeScript (nodenext resolution, strict)", () => {
      writeFileSync(
        join(project, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            types: [],
          },
          include: ["*.ts"],
        }),
      );
      for (const [name, check] of Object.entries(smokeChecks)) {
        if (!tarballs.has(name)) continue;
        writeFileSync(join(project, `types-${name.replace(/\W/g, "_")}.ts`), `${check.typescript}\nexport {};\n`);
      }
      const tsc = join(workspace, "node_modules", "typescript", "bin", "tsc");
      let diagnostics = "";
      try {
        run(process.execPath, [tsc, "-p", "tsconfig.json"], project);
      } catch (error) {
        diagnostics = String((error as { stdout?: string }).stdout ?? error);
      }
      expect(diagnostics).toBe("");
    });
  });
});
