import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { TFJS_GRAPH_OPS } from "./graph-ops.js";

describe("TFJS_GRAPH_OPS", () => {
  it("is exactly the op list of the installed tfjs-converter", () => {
    const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs-converter");
    const dir = join(dirname(main), "operations", "op_list");
    const ops = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
      for (const match of readFileSync(join(dir, file), "utf8").matchAll(/'tfOpName': '(\w+)'/g)) ops.add(match[1]!);
    }
    expect(ops.size).toBeGreaterThan(200);
    expect([...TFJS_GRAPH_OPS].sort()).toEqual([...ops].sort());
  });
});
