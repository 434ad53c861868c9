import { readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { summariseModelFiles } from "./tfjs-model-files.js";

const dir = new URL("../public/models/lenet-300-100-dense/", import.meta.url);
const modelJson = readFileSync(new URL("model.json", dir), "utf8");
const shardBytes = statSync(new URL("weights.bin", dir)).size;

describe("summariseModelFiles", () => {
  it("sizes every weight of the demo dense LeNet-300-100 and checks the shard against the manifest", () => {
    const summary = summariseModelFiles(modelJson, new Map([["weights.bin", shardBytes]]));
    expect(summary.weights.map((w) => `${w.name} ${w.storedAs} ${w.bytes}`)).toEqual([
      "ip1/kernel float32 940800",
      "ip1/bias float32 1200",
      "ip2/kernel float32 120000",
      "ip2/bias float32 400",
      "ip3/kernel float32 4000",
      "ip3/bias float32 40",
    ]);
    expect(summary.shardBytes).toBe(1_066_440);
    expect(summary.float32Bytes).toBe(1_066_440);
  });

  it("prices uint8-quantized weights at one byte each", () => {
    const json = JSON.stringify({
      weightsManifest: [
        {
          paths: ["w.bin"],
          weights: [{ name: "k", shape: [10, 4], dtype: "float32", quantization: { dtype: "uint8", min: -1, scale: 0.01 } }],
        },
      ],
    });
    const summary = summariseModelFiles(json, new Map([["w.bin", 40]]));
    expect(summary.weights[0]).toMatchObject({ storedAs: "uint8", bytes: 40 });
    expect(summary.float32Bytes).toBe(160);
  });

  it("refuses a missing shard, a shard of the wrong size and a file that is not a model.json, naming what is wrong", () => {
    expect(() => summariseModelFiles(modelJson, new Map())).toThrow(/names the shard "weights.bin", which was not among the files given/);
    expect(() => summariseModelFiles(modelJson, new Map([["weights.bin", shardBytes - 4]]))).toThrow(
      /hold 1066436 bytes; the manifest's weights need 1066440/,
    );
    expect(() => summariseModelFiles("{", new Map(), "x.json")).toThrow(/x.json: not valid JSON/);
    expect(() => summariseModelFiles("{}", new Map(), "x.json")).toThrow(/x.json: not a TensorFlow.js model.json \(weightsManifest/);
    try {
      summariseModelFiles("{}", new Map());
    } catch (error) {
      expect((error as { code?: string }).code).toBe("MODEL_FILES");
    }
  });
});
