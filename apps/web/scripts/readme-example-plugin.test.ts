import { describe, expect, it } from "vitest";
import { readmeExample } from "./readme-example-plugin.js";

describe("readmeExample", () => {
  it("takes the first fenced block between the markers, verbatim", () => {
    const md = [
      "# x",
      "<!-- browser-example:start -->",
      "Some words.",
      "```js",
      'import a from "a";',
      "await a();",
      "```",
      "<!-- browser-example:end -->",
      "```js",
      "other",
      "```",
    ].join("\n");
    expect(readmeExample(md)).toBe('import a from "a";\nawait a();\n');
  });

  it("is undefined without the markers or without a code block between them", () => {
    expect(readmeExample("```js\nx\n```")).toBeUndefined();
    expect(readmeExample("<!-- browser-example:start -->\nno code\n<!-- browser-example:end -->")).toBeUndefined();
  });
});
