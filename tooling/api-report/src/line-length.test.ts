// House rule: no line over 160 characters in the TypeScript of packages/, apps/ and tooling/.
// Prettier (printWidth 140) breaks code but not string or template literals, so long report prose
// has to be split by hand into a concatenation (`"..." + "..."`) that yields the same text.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { workspaceRoot } from "./workspace.ts";

const MAX_LINE_CHARS = 160;

// No tracked .ts file is generated (the wasm kernels are built by hand-written code, there are no
// byte tables), so nothing is excluded.

/** Tracked `.ts` files under packages/, apps/ and tooling/ (git's list: no node_modules, dist or results). */
function trackedTypeScriptFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "-z", "--", "packages/*.ts", "apps/*.ts", "tooling/*.ts"], {
    cwd: workspaceRoot,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return out.split("\0").filter((file) => file.endsWith(".ts"));
}

/** `file:line: N chars` for every line longer than `maxChars` characters (code points, as awk's length counts in a UTF-8 locale). */
function longLines(file: string, text: string, maxChars: number): string[] {
  return text.split("\n").flatMap((line, i) => ([...line].length > maxChars ? [`${file}:${i + 1}: ${[...line].length} chars`] : []));
}

describe("line length (house rule)", () => {
  it("counts characters, not UTF-16 units, and names file, line and length", () => {
    expect(longLines("a.ts", `short\n${"x".repeat(161)}\n${"°".repeat(160)}`, 160)).toEqual(["a.ts:2: 161 chars"]);
  });

  it(`no tracked .ts line in packages/, apps/ or tooling/ is over ${MAX_LINE_CHARS} characters`, () => {
    const files = trackedTypeScriptFiles();
    expect(files.length).toBeGreaterThan(100);
    const offenders = files.flatMap((file) => longLines(file, readFileSync(join(workspaceRoot, file), "utf8"), MAX_LINE_CHARS));
    expect(offenders, `split these lines (string literals: "..." + "..." yielding the same text):\n${offenders.join("\n")}`).toEqual([]);
  });
});
