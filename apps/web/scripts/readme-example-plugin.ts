/**
 * A Vite plugin serving the root README's browser example as the module "virtual:readme-example":
 * the first fenced code block between `<!-- browser-example:start -->` and `<!-- browser-example:end -->`,
 * verbatim. The README is the source of truth; the browser test runs whatever it says.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";

const README = fileURLToPath(new URL("../../../README.md", import.meta.url));
const ID = "virtual:readme-example";
const RESOLVED = `\0${ID}`;

/** The example's code, or undefined when the README has no (complete) example block. */
export function readmeExample(markdown: string): string | undefined {
  const match = /<!--\s*browser-example:start\s*-->([\s\S]*?)<!--\s*browser-example:end\s*-->/.exec(markdown);
  if (match === null) return undefined;
  const code = /```[a-z]*\n([\s\S]*?)```/.exec(match[1]!);
  return code?.[1];
}

export function readmeExamplePlugin(): Plugin {
  return {
    name: "dcnpi-readme-example",
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    load(id) {
      if (id !== RESOLVED) return undefined;
      this.addWatchFile(README);
      const code = readmeExample(readFileSync(README, "utf8"));
      return (
        code ?? `throw new Error("README.md has no code block between <!-- browser-example:start --> and <!-- browser-example:end -->");`
      );
    },
  };
}
