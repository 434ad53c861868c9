/**
 * The hand-written header check (issue 16 item 7: fast for 100,000 entries) accepts and refuses exactly
 * what `headerSchema` (zod) does, on valid headers of every entry kind and thousands of seeded mutations.
 */
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { headerSchema } from "../src/container-schema.js";
import { serializeContainer } from "../src/container-writer.js";
import { headerIssue } from "../src/header-check.js";
import { encodeLayer } from "../src/layer-codec.js";
import { makeQuantizedLayer, makeSparseLayer } from "./fixtures.js";
import { splitContainer } from "./reseal.js";

const rng = Rng.fromSeed("header-check");
const bytes = serializeContainer({
  layers: [
    encodeLayer(makeSparseLayer(rng, "fc1/kernel", [16, 8], { density: 0.2, weightBits: 4, indexBits: 3, huffman: { weights: true } })),
    encodeLayer(makeQuantizedLayer(rng, "conv/kernel", [3, 3, 2, 4], 3)),
  ],
  denseTensors: [{ name: "fc1/bias", shape: [8], data: new Float32Array(8), info: { layer: "fc1", role: "bias" } }],
  metadata: { note: "x" },
});
const valid = splitContainer(bytes).header;

const replacements: unknown[] = [
  null,
  -1,
  1.5,
  0,
  1,
  16,
  17,
  65_536,
  65_537,
  2 ** 32,
  2 ** 53,
  "",
  "x",
  "fixed",
  "dense",
  [],
  [1],
  {},
  true,
];

/** Every path to a value inside `value` (objects and arrays), as key lists. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as any)[k], [...prefix, k]))];
}

function agree(json: unknown): void {
  const zod = headerSchema.safeParse(json).success;
  const issue = headerIssue(json);
  if (zod !== (issue === null))
    throw new Error(`zod says ${zod}, the hand check says ${JSON.stringify(issue)} for ${JSON.stringify(json)}`);
}

describe("headerIssue matches headerSchema", () => {
  it("valid headers of sparse, quantized and dense entries pass both", () => {
    expect(headerIssue(valid)).toBeNull();
    expect(headerSchema.safeParse(valid).success).toBe(true);
  });

  it("every value replaced, deleted or given an extra key: both refuse (or accept) alike", () => {
    const all = paths(valid).filter((p) => p[0] !== "metadata");
    let checked = 0;
    for (const path of all) {
      for (const edit of [...replacements.map((r) => ({ set: r })), { delete: true }, { extra: true }]) {
        const json = structuredClone(valid);
        if (path.length === 0) continue;
        const parent = path.slice(0, -1).reduce((v: any, k) => v[k], json);
        const key = path.at(-1)!;
        if ("set" in edit) parent[key] = structuredClone(edit.set);
        else if ("delete" in edit) delete parent[key];
        else if (parent[key] !== null && typeof parent[key] === "object" && !Array.isArray(parent[key])) parent[key].extra = 1;
        agree(json);
        checked++;
      }
    }
    for (let i = 0; i < 2000; i++) {
      const json = structuredClone(valid);
      const path = all[rng.int(all.length)]!;
      if (path.length === 0) continue;
      const parent = path.slice(0, -1).reduce((v: any, k) => v[k], json);
      parent[path.at(-1)!] = structuredClone(replacements[rng.int(replacements.length)]);
      agree(json);
      checked++;
    }
    expect(checked).toBeGreaterThan(2000);
    for (const top of [null, [], "x", {}, { format: "dcnpi", version: 1 }, { format: "dcnpi", version: 1, entries: {} }]) agree(top);
  });
});
