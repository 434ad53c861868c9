import { describe, expect, it } from "vitest";
import { compact, findExportStars, formatDrift, MAX_SIGNATURE_LENGTH, parseReport, renderReport, type PackageApi } from "./api-report.ts";
import { checkApiReports, findWorkspaceExportStars } from "./checks.ts";
import { scanImportedNames } from "./metrics.ts";

const api = (signature: string, extra: PackageApi["entries"][number]["items"] = []): PackageApi => ({
  name: "@dcnpi/demo",
  dir: "packages/demo",
  entries: [
    {
      importPath: "@dcnpi/demo",
      sourceFile: "packages/demo/src/index.ts",
      items: [
        { name: "encode", kind: "function", signature },
        { name: "Options", kind: "interface", signature: "{ bits: number }" },
        ...extra,
      ],
    },
  ],
});

describe("report format", () => {
  it("round-trips rows through the rendered markdown", () => {
    const rows = parseReport(renderReport(api("(x: number) => string")));
    expect([...rows.keys()]).toEqual(["@dcnpi/demo function encode", "@dcnpi/demo interface Options"]);
  });

  it("cuts long signatures but keeps a hash of the whole, so a change past the cut still shows", () => {
    const long = `{ ${"a: number; ".repeat(60)}}`;
    const changed = long.replace(/number; }$/, "string; }");
    expect(compact(long).length).toBeLessThan(MAX_SIGNATURE_LENGTH + 40);
    expect(compact(long)).not.toEqual(compact(changed));
    expect(compact(`(x: import("/home/someone/dcnpi/packages/tensor/src/index").HostTensor) => void`)).toBe("(x: HostTensor) => void");
  });

  it("names added, removed and changed rows and the command that updates them", () => {
    const before = parseReport(renderReport(api("(x: number) => string")));
    expect(before.size).toBe(2);
    const message = formatDrift([
      {
        file: "packages/demo/api-report.md",
        missing: false,
        stale: false,
        added: ["@dcnpi/demo: const LIMIT: 4"],
        removed: ["@dcnpi/demo: interface Options: { bits: number }"],
        changed: [
          { before: "@dcnpi/demo: function encode: (x: number) => string", after: "@dcnpi/demo: function encode: (x: bigint) => string" },
        ],
        expected: "",
      },
    ]);
    expect(message).toContain("  + @dcnpi/demo: const LIMIT: 4");
    expect(message).toContain("  - @dcnpi/demo: interface Options: { bits: number }");
    expect(message).toContain("  ~ was @dcnpi/demo: function encode: (x: number) => string");
    expect(message).toContain("    now @dcnpi/demo: function encode: (x: bigint) => string");
    expect(message).toContain("npx --yes pnpm@12.4.2 api:update");
  });

  it("finds export * and export * as", () => {
    const text = `export { a } from "./a.js";\nexport * from "./b.js";\nexport * as c from "./c.js";\nexport type { D } from "./d.js";\n`;
    expect(findExportStars(text, "x.ts").map((star) => star.line)).toEqual([2, 3]);
  });

  it("reads the names an import takes", () => {
    const text = `import { a, b as c } from "@dcnpi/x";\nimport * as y from "@dcnpi/y";\nexport { d } from "@dcnpi/z";\ntype T = import("@dcnpi/w").Thing;\n`;
    expect(scanImportedNames(text, "x.ts")).toEqual([
      { specifier: "@dcnpi/x", names: ["a", "b"] },
      { specifier: "@dcnpi/y", names: "*" },
      { specifier: "@dcnpi/z", names: ["d"] },
      { specifier: "@dcnpi/w", names: ["Thing"] },
    ]);
  });
});

describe("the real workspace", () => {
  it("has a committed api-report.md matching every package's public API", () => {
    const { drifts } = checkApiReports();
    expect(drifts.length, formatDrift(drifts)).toBe(0);
  });

  it("has no export * in any package's src", () => {
    const stars = findWorkspaceExportStars().map((star) => `${star.file}:${star.line}: ${star.text}`);
    expect(stars, stars.join("\n")).toEqual([]);
  });
});
