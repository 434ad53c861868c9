/**
 * The hand-written metadata check (the browser decoder carries no zod) accepts and refuses exactly what
 * `compressedMetadataSchema` (zod/mini) does, reports zod's first issue path, and returns the same
 * parsed value, on the metadata of real containers (JSON and binary headers) and seeded mutations.
 */
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { parseContainer, serializeContainer } from "@dcnpi/sparse-format";
import { Rng } from "@dcnpi/tensor";
import { readModelWeights } from "@dcnpi/tensor/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { compressedMetadata, parseCompressedMetadata } from "./compressed-metadata.js";
import { compressedMetadataSchema } from "./compressed-metadata-schema.js";
import { checkCompressedMetadata } from "./metadata-check.js";
import { buildConvTestModel } from "./test-models.js";
import { modelTopologyOf } from "./tfjs-model.js";

const rng = Rng.fromSeed("metadata-check");
let samples: unknown[] = [];

beforeAll(async () => {
  await tf.setBackend("cpu");
  const model = buildConvTestModel();
  const weights = [...readModelWeights(model)];
  const metadata = compressedMetadata({
    weightOrder: weights.map((w) => w.name),
    modelTopology: await modelTopologyOf(model),
    graphModel: { signature: { inputs: {} }, modelTopology: { node: [] } },
    plan: { stages: ["prune", "quantize"], prune: { fc1: 0.1 } },
    storedAxes: { "fc1/kernel": [1, 0], "conv1/kernel": [3, 2, 0, 1] },
    pipeline: { metricName: "top1", metrics: [{ stage: "prune", value: 0.98 }], retrained: true, notes: ["n"] },
    user: { program: "add" },
  });
  model.dispose();
  const denseTensors = weights.map(({ name, tensor }) => ({ name, shape: tensor.shape, data: tensor.data as Float32Array }));
  // What loading meets: the metadata as each header form gives it back.
  const json = await parseContainer(serializeContainer({ denseTensors, metadata }));
  const binary = await parseContainer(serializeContainer({ denseTensors, metadata, format: { version: 2, header: "binary" } }));
  const minimal = compressedMetadata({
    weightOrder: [],
    plan: null,
    pipeline: { metricName: "none", metrics: [], retrained: false, notes: [] },
  });
  samples = [json.metadata, binary.metadata, minimal];
});

const replacements: unknown[] = [
  undefined,
  null,
  -1,
  -0,
  0,
  1,
  1.5,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  "",
  "x",
  "dcnpi/compressed-weights",
  [],
  [0],
  ["a"],
  [{ stage: "s", value: 1 }],
  {},
  { a: [0] },
  { stage: "s", value: 1, extra: 2 },
  true,
];

/** Paths to the values zod looks at: everything but the inside of `unknown` values (topology, plan, user). */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const opaque =
    ["plan", "user"].includes(prefix[0] as string) || (["modelTopology", "graphModel"].includes(prefix[0] as string) && prefix.length > 1);
  if (value === null || typeof value !== "object" || opaque) return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as any)[k], [...prefix, k]))];
}

/** Deep equality that also holds key order (the file's metadata is written back in this order). */
function sameShape(a: unknown, b: unknown): boolean {
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameShape((a as any)[k], (b as any)[k]));
}

function agree(json: unknown): boolean {
  const zod = compressedMetadataSchema.safeParse(json);
  const hand = checkCompressedMetadata(json);
  const same = zod.success
    ? "data" in hand && sameShape(hand.data, zod.data)
    : "path" in hand && hand.path === zod.error.issues[0]!.path.join(".");
  if (!same) throw new Error(`zod: ${JSON.stringify(zod)}; by hand: ${JSON.stringify(hand)}; input ${JSON.stringify(json)}`);
  return zod.success;
}

function edit(json: any, path: (string | number)[], change: { set: unknown } | { delete: true } | { extra: string }): void {
  const parent = path.slice(0, -1).reduce((v: any, k) => v[k], json);
  const key = path.at(-1)!;
  if ("set" in change) parent[key] = structuredClone(change.set);
  else if ("delete" in change) delete parent[key];
  else if (parent[key] !== null && typeof parent[key] === "object" && !Array.isArray(parent[key]))
    // An own key, also for `__proto__` (what JSON.parse makes of it), not a prototype change.
    Object.defineProperty(parent[key], change.extra, { value: [1], enumerable: true, writable: true, configurable: true });
}

describe("checkCompressedMetadata matches compressedMetadataSchema", () => {
  it("the metadata of real containers (JSON and binary headers) passes both, with the same parsed value", () => {
    for (const sample of samples) {
      expect(agree(sample)).toBe(true);
      expect(sameShape(parseCompressedMetadata(sample, "m"), compressedMetadataSchema.parse(sample))).toBe(true);
    }
  });

  it("every value replaced, deleted or given an extra key (also __proto__), and seeded random edits: the same verdict, issue path and value", () => {
    let checked = 0;
    let accepted = 0;
    for (const sample of samples) {
      const all = paths(sample).filter((p) => p.length > 0);
      const changes = [...replacements.map((set) => ({ set })), { delete: true as const }, { extra: "extra" }, { extra: "__proto__" }];
      for (const path of all) {
        for (const change of changes) {
          const json = structuredClone(sample);
          edit(json, path, change);
          if (agree(json)) accepted++;
          checked++;
        }
      }
      for (let i = 0; i < 1000; i++) {
        const json = structuredClone(sample);
        for (let n = 1 + rng.int(3); n > 0; n--) {
          const live = paths(json).filter((p) => p.length > 0);
          edit(json, live[rng.int(live.length)]!, changes[rng.int(changes.length)]!);
        }
        if (agree(json)) accepted++;
        checked++;
      }
    }
    for (const top of [null, undefined, [], "x", 1, {}, { kind: "dcnpi/compressed-weights", version: 1 }, Object.create(null)]) agree(top);
    // Both verdicts are exercised many times over.
    expect(checked).toBeGreaterThan(5000);
    expect(accepted).toBeGreaterThan(1000);
    expect(checked - accepted).toBeGreaterThan(3000);
  });

  it("parseCompressedMetadata names the field zod names, with the same typed error", () => {
    const bad = structuredClone(samples[0]) as any;
    bad.pipeline.metrics[0].value = "high";
    expect(() => parseCompressedMetadata(bad, "m.dcnpi")).toThrow(
      expect.objectContaining({
        code: "UNSUPPORTED_MODEL",
        message: "m.dcnpi: not a compressed model written by dcnpi (metadata pipeline.metrics.0.value: Invalid input)",
      }),
    );
    expect(compressedMetadataSchema.safeParse(bad).error?.issues[0]).toMatchObject({
      path: ["pipeline", "metrics", 0, "value"],
      message: "Invalid input",
    });
  });
});
