/**
 * What a page gets from an import: the module bundled by esbuild for `platform: "browser"` from the
 * packages' TypeScript sources (the `@dcnpi/source` condition), TensorFlow.js left external (a page
 * has its own), minified. A Node module anywhere in the import graph (`node:fs`, or a bare `fs`) is
 * reported, with the file that imports it, instead of being bundled.
 */
import { builtinModules } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Message, type Metafile } from "esbuild";

/** Bundled for the page and left to it: TensorFlow.js (one engine per page). */
export const EXTERNAL = ["@tensorflow/*"];

const here = dirname(fileURLToPath(import.meta.url));
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

export interface NodeImport {
  /** The module asked for (`node:fs`, `fs`, ...). */
  readonly module: string;
  /** The file that imports it (workspace-relative), when esbuild says. */
  readonly importer: string;
}

export interface BrowserBundle {
  /** The minified bundle (empty when Node modules were found). */
  readonly code: string;
  readonly minifiedBytes: number;
  /** gzip at level 9 of `code`: what a server sends compressed. */
  readonly gzipBytes: number;
  /** Node built-in modules the import graph reaches; a browser-safe entry has none. */
  readonly nodeImports: readonly NodeImport[];
  /** Every bundled input file with its bytes in the output (workspace-relative paths). */
  readonly inputs: Readonly<Record<string, number>>;
  /** Modules left external (TensorFlow.js). */
  readonly externals: readonly string[];
}

function moduleOf(message: Message): string | undefined {
  return /Could not resolve "([^"]+)"/.exec(message.text)?.[1];
}

/** Bundles `source` (an ES module's text, resolved from this package) for the browser. */
export async function bundleForBrowser(source: string): Promise<BrowserBundle> {
  const options = {
    stdin: { contents: source, resolveDir: here, loader: "ts" as const, sourcefile: "entry.ts" },
    bundle: true,
    platform: "browser" as const,
    format: "esm" as const,
    target: "es2022",
    conditions: ["@dcnpi/source"],
    external: EXTERNAL,
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent" as const,
    absWorkingDir: here,
  };
  let result: Awaited<ReturnType<typeof build>> & { metafile: Metafile };
  try {
    result = (await build(options)) as typeof result;
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors ?? [];
    const nodeImports = errors
      .map((e) => ({ module: moduleOf(e), importer: e.location?.file ?? "?" }))
      .filter((e): e is NodeImport => e.module !== undefined && builtins.has(e.module));
    // Anything else that fails to bundle is a broken build, not a finding about Node modules.
    if (nodeImports.length === 0 || nodeImports.length !== errors.length) throw error;
    return { code: "", minifiedBytes: 0, gzipBytes: 0, nodeImports, inputs: {}, externals: [] };
  }
  const output = result.outputFiles![0]!;
  const meta = Object.values(result.metafile.outputs)[0]!;
  const externals = [...new Set(meta.imports.filter((i) => i.external).map((i) => i.path))].sort();
  // A builtin marked external by some plugin or a `browser` field would show up here.
  const nodeImports = externals.filter((path) => builtins.has(path)).map((module) => ({ module, importer: "(external)" }));
  const inputs = Object.fromEntries(Object.entries(meta.inputs).map(([path, info]) => [path, info.bytesInOutput]));
  return {
    code: output.text,
    minifiedBytes: output.contents.length,
    gzipBytes: gzipSync(output.contents, { level: 9 }).length,
    nodeImports,
    inputs,
    externals,
  };
}
