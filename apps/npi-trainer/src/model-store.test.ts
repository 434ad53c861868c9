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
