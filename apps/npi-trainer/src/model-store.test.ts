import { describe, expect, it } from "vitest";
import { npiMetadataSchema } from "./model-store.js";

/** What `npi compress` writes for the paper's addition model (sizes of DEFAULT_NPI_CONFIG). */
const metadata = {
  kind: "dcnpi/npi-model",
  version: 1,
  task: "addition",
  model: {
    config: {
      stateSize: 128,
      programEmbeddingSize: 64,
      programKeySize: 32,
      fusionHiddenSize: 256,
      lstmSize: 256,
      lstmLayers: 2,
      argumentDepth: 10,
      lstmInputGain: 1,
    },
    programs: ["ADD", "ADD1", "CARRY", "LSHIFT", "RSHIFT", "ACT"],
    encoders: [{ environment: "addition", observationShape: [44] }],
  },
  trainingSet: { trainLengths: [1, 2, 3], tracesPerLength: 10, extraPrograms: [], seed: 0 },
  source: { checkpoint: "run", step: 100 },
};

describe("npiMetadataSchema bounds (issue 16 item 3)", () => {
  it("accepts the real model sizes and refuses a hostile lstmSize: 2048 before anything is built", () => {
    expect(npiMetadataSchema.safeParse(metadata).success).toBe(true);
    const hostile = { ...metadata, model: { ...metadata.model, config: { ...metadata.model.config, lstmSize: 2048 } } };
    const parsed = npiMetadataSchema.safeParse(hostile);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["model", "config", "lstmSize"]);
    for (const [key, value] of [
      ["lstmLayers", 100],
      ["fusionHiddenSize", 1e6],
      ["argumentDepth", 1e6],
    ] as const) {
      const bad = { ...metadata, model: { ...metadata.model, config: { ...metadata.model.config, [key]: value } } };
      expect(npiMetadataSchema.safeParse(bad).success).toBe(false);
    }
    const wideInput = { ...metadata, model: { ...metadata.model, encoders: [{ environment: "addition", observationShape: [1e7] }] } };
    expect(npiMetadataSchema.safeParse(wideInput).success).toBe(false);
  });
});

// ---- Shapes checked before the NPI is built (issue 16, item 3) ----

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync as readFile, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initEngine } from "@dcnpi/engine";
import { afterAll, beforeAll } from "vitest";
import type { Task } from "@dcnpi/npi-core";
import { createNpiModel, expectedNpiWeightShapes } from "@dcnpi/npi-core/tfjs";
import { writeCheckpoint } from "@dcnpi/npi-core/node";
import { compressedMetadata } from "@dcnpi/deep-compression";
import { serializeContainer } from "@dcnpi/sparse-format";
import { NpiAppError } from "./errors.js";
import { loadCompressedModel, loadDenseModel, parameterWeights } from "./model-store.js";
import { resolveTask } from "./tasks.js";

const SMALL = {
  stateSize: 16,
  programEmbeddingSize: 8,
  programKeySize: 8,
  fusionHiddenSize: 16,
  lstmSize: 16,
  lstmLayers: 2,
  argumentDepth: 10,
  lstmInputGain: 4,
};
const dirs: string[] = [];
beforeAll(async () => {
  await initEngine({ log: () => {} });
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "npi-model-store-"));
  dirs.push(dir);
  return dir;
};

type Entry = { name: string; shape: number[]; data: Float32Array };

/** A `.dcnpi` as `npi compress` would write it (every parameter stored dense), with `edit` applied to the entries and config. */
function dcnpiFile(edit: (entries: Entry[], config: typeof SMALL) => Entry[] = (e) => e, config = { ...SMALL }): string {
  const task = resolveTask("addition");
  const model = createNpiModel({ tasks: [task], config: SMALL, seed: 3 });
  let entries: Entry[] = [...parameterWeights(model)].map(({ name, tensor }) => ({
    name,
    shape: [...tensor.shape],
    data: tensor.data as Float32Array,
  }));
  const description = model.describe();
  model.dispose();
  entries = edit(entries, config);
  const user = {
    ...metadata,
    model: { ...description, config, encoders: description.encoders.map((e) => ({ ...e, observationShape: [...e.observationShape] })) },
  };
  const bytes = serializeContainer({
    denseTensors: entries,
    metadata: compressedMetadata({
      weightOrder: entries.map((e) => e.name),
      plan: null,
      pipeline: { metricName: "accuracy", metrics: [], retrained: false, notes: [] },
      user,
    }),
  });
  const file = join(tempDir(), "m.dcnpi");
  writeFileSync(file, bytes);
  return file;
}

/** A dense checkpoint of a small addition model, with `edit` applied to checkpoint.json. */
function checkpointDir(edit: (manifest: { weights: { name: string; shape: number[] }[] }) => void = () => {}): string {
  const dir = tempDir();
  const model = createNpiModel({ tasks: [resolveTask("addition")], config: SMALL, seed: 3 });
  writeCheckpoint(dir, {
    step: 1,
    model: model.describe(),
    weights: model.weights(),
    optimizer: [],
    trainer: {
      sequencesSeen: 0,
      rng: { key: [1, 2, 3, 4], state: [1, 2, 3, 4] },
      curriculum: { programs: [], probabilities: [] },
      fingerprint: "x",
    },
  });
  model.dispose();
  const file = join(dir, "checkpoint.json");
  const manifest = JSON.parse(readFile(file, "utf8"));
  edit(manifest);
  writeFileSync(file, JSON.stringify(manifest));
  return dir;
}

async function rejection(load: () => unknown): Promise<NpiAppError> {
  try {
    await load();
  } catch (error) {
    if (error instanceof NpiAppError) return error;
    throw error;
  }
  throw new Error("expected an NpiAppError, the model loaded");
}

describe("expectedNpiWeightShapes equals a built model for every task", () => {
  for (const [label, tasks] of [
    ["addition", [resolveTask("addition")]],
    ["sort", [resolveTask("sort")]],
    ["car", [resolveTask("car")]],
    ["addition + sort (more programs, two encoders)", [resolveTask("addition"), resolveTask("sort")]],
  ] as [string, Task[]][]) {
    it(label, () => {
      const model = createNpiModel({ tasks, config: SMALL, seed: 1 });
      try {
        expect(expectedNpiWeightShapes(tasks, SMALL)).toEqual(
          model.parameters().map((p) => ({ name: p.name, shape: [...p.variable.shape] })),
        );
        expect(expectedNpiWeightShapes(tasks, SMALL, { memory: "tables" })).toEqual(
          [...model.weights()].map(({ name, tensor }) => ({ name, shape: [...tensor.shape] })),
        );
      } finally {
        model.dispose();
      }
    });
  }
});

describe("model files whose weights disagree with their config are refused before the NPI is built", () => {
  it("valid files load as before", async () => {
    const dense = loadDenseModel(checkpointDir());
    const compressed = await loadCompressedModel(dcnpiFile());
    expect(compressed.model.parameters().map((p) => p.name)).toEqual(dense.model.parameters().map((p) => p.name));
    dense.model.dispose();
    compressed.model.dispose();
  });

  it("checkpoint: one weight's shape changed in checkpoint.json", async () => {
    const dir = checkpointDir((m) => {
      m.weights.find((w) => w.name === "core/lstm1/bias")!.shape = [63];
    });
    const error = await rejection(() => loadDenseModel(dir));
    expect(error.code).toBe("MODEL_FILE");
    expect(error.message).toMatch(/weight "core\/lstm1\/bias" is \[63\], the model config implies \[64\]/);
  });

  it("checkpoint: a weight missing from checkpoint.json", async () => {
    const dir = checkpointDir((m) => {
      m.weights = m.weights.filter((w) => w.name !== "memory/noCallKey");
    });
    const error = await rejection(() => loadDenseModel(dir));
    expect(error.code).toBe("MODEL_FILE");
    expect(error.message).toMatch(/missing weight "memory\/noCallKey"/);
  });

  it(".dcnpi: an entry of the wrong shape, a missing entry, an extra entry", async () => {
    const wrong = dcnpiFile((entries) =>
      entries.map((e) => (e.name === "decoder/programKey/kernel" ? { ...e, shape: [8, 16], data: e.data.slice(0, 128) } : e)),
    );
    let error = await rejection(() => loadCompressedModel(wrong));
    expect(error.code).toBe("MODEL_FILE");
    expect(error.message).toMatch(/"decoder\/programKey\/kernel" is \[8,16\], the model config implies \[16,8\]/);
    error = await rejection(() => loadCompressedModel(dcnpiFile((entries) => entries.filter((e) => e.name !== "fusion/hidden/bias"))));
    expect(error.message).toMatch(/missing weight "fusion\/hidden\/bias"/);
    error = await rejection(() =>
      loadCompressedModel(
        dcnpiFile((entries) => [...entries, { name: "memory/programKeys/addition/EXTRA", shape: [1, 8], data: new Float32Array(8) }]),
      ),
    );
    expect(error.message).toMatch(/"memory\/programKeys\/addition\/EXTRA" the model config does not imply/);
  });

  it("a .dcnpi saying lstmSize 512 with weights of a 16-wide model: rejected in a child process before anything is built", () => {
    const file = dcnpiFile(undefined, { ...SMALL, lstmSize: 512 });
    const here = fileURLToPath(new URL(".", import.meta.url));
    const script =
      `const { loadCompressedModel } = await import(${JSON.stringify(join(here, "model-store.ts"))});` +
      "await (await import('@dcnpi/engine')).initEngine({ log: () => {} });" +
      "const tf = await import('@tensorflow/tfjs-core');" +
      "const rss = process.memoryUsage().rss; const tensors = tf.memory().numTensors; let out;" +
      `try { await loadCompressedModel(${JSON.stringify(file)}); out = { code: "ok" }; }` +
      " catch (e) { out = { name: e.name, code: e.code, message: e.message }; }" +
      " out.tensorsCreated = tf.memory().numTensors - tensors;" +
      " out.rssGrowthBytes = process.resourceUsage().maxRSS * 1024 - rss;" +
      " console.log(JSON.stringify(out));";
    const stdout = execFileSync(process.execPath, ["--conditions=@dcnpi/source", "--import", "tsx", "--input-type=module", "-e", script], {
      cwd: here,
      encoding: "utf8",
      timeout: 60_000,
    });
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(result.name).toBe("NpiAppError");
    expect(result.code).toBe("MODEL_FILE");
    expect(result.message).toMatch(/the model config implies \[16,512\]/);
    // Rejected before building: createNpiModel would have made the model's variables (tensors).
    expect(result.tensorsCreated).toBe(0);
    // A built 512-wide NPI holds > 4M float32 parameters plus initialiser scratch; the check allocates nothing of that size.
    expect(result.rssGrowthBytes).toBeLessThan(64 * 1024 * 1024);
  });
});
