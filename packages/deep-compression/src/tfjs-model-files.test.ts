import "@tensorflow/tfjs-backend-cpu";
// tfjs-core alone registers neither gradients nor chained ops (the @tensorflow/tfjs umbrella does).
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@dcnpi/tensor";
import { readModelWeights } from "@dcnpi/tensor/tfjs";
import { loadLayersModelFiles, modelTopologyOf, readModelFiles, writeModelFiles } from "./tfjs-model-files.js";
import { buildConvTestModel, buildSequenceTestModel, randomizeWeights } from "./test-models.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-model-files-"));
beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function saveToDisk(model: tfl.LayersModel, dir: string) {
  return writeModelFiles(dir, await modelTopologyOf(model), readModelWeights(model));
}

describe("model.json + shards", () => {
  it("round-trips conv and sequence models so predictions are identical", async () => {
    const cases = [
      { model: buildConvTestModel(), input: tf.randomUniform([2, 8, 8, 3], 0, 1, "float32", 1) },
      {
        model: buildSequenceTestModel(),
        input: tf.tensor2d(
          [
            [1, 2, 3, 4, 5],
            [19, 0, 7, 7, 2],
          ],
          undefined,
          "int32",
        ),
      },
    ];
    for (const [i, { model, input }] of cases.entries()) {
      randomizeWeights(model, Rng.fromSeed(i));
      const dir = join(scratch, `roundtrip-${i}`);
      const { modelJsonPath } = await saveToDisk(model, dir);
      const { model: loaded, files } = await loadLayersModelFiles(modelJsonPath);
      expect(files.weights.names()).toEqual(readModelWeights(model).names());
      const expected = (model.predict(input) as tf.Tensor).dataSync();
      const actual = (loaded.predict(input) as tf.Tensor).dataSync();
      expect(Array.from(actual)).toEqual(Array.from(expected));
      // Stock tfjs loads what we write, too.
      const json = JSON.parse(readFileSync(modelJsonPath, "utf8"));
      const stock = await tfl.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: json.modelTopology,
          weightSpecs: json.weightsManifest[0].weights,
          weightData: new Uint8Array(readFileSync(join(dir, "weights.bin"))).buffer,
        }),
      );
      expect(Array.from((stock.predict(input) as tf.Tensor).dataSync())).toEqual(Array.from(expected));
      tf.dispose([input]);
      model.dispose();
      loaded.dispose();
      stock.dispose();
    }
  });

  it("dequantizes shards written with tfjs-converter's uint8 and float16 weight quantization", async () => {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ inputShape: [2], units: 2, name: "fc" }));
    const dir = join(scratch, "quantized");
    const { modelJsonPath } = await saveToDisk(model, dir);
    const json = JSON.parse(readFileSync(modelJsonPath, "utf8"));
    // kernel as uint8 with scale 0.5, min -1: bytes [0, 1, 2, 4] mean [-1, -0.5, 0, 1];
    // bias as float16: 0x3c00 = 1.0, 0xc000 = -2.0.
    json.weightsManifest[0].weights = [
      { name: "fc/kernel", shape: [2, 2], dtype: "float32", quantization: { dtype: "uint8", scale: 0.5, min: -1 } },
      { name: "fc/bias", shape: [2], dtype: "float32", quantization: { dtype: "float16" } },
    ];
    const shard = new Uint8Array([0, 1, 2, 4, 0x00, 0x3c, 0x00, 0xc0]);
    writeFileSync(join(dir, "weights.bin"), shard);
    writeFileSync(modelJsonPath, JSON.stringify(json));
    const files = readModelFiles(modelJsonPath);
    expect(Array.from(files.weights.get("fc/kernel").data)).toEqual([-1, -0.5, 0, 1]);
    expect(Array.from(files.weights.get("fc/bias").data)).toEqual([1, -2]);
    expect([...files.quantizedWeights]).toEqual([
      ["fc/kernel", "uint8"],
      ["fc/bias", "float16"],
    ]);
    model.dispose();
  });

  it("names the file and the problem for missing, malformed, short and unsupported models", async () => {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ inputShape: [3], units: 2, name: "fc" }));
    const dir = join(scratch, "broken");
    const { modelJsonPath, weightsPath } = await saveToDisk(model, dir);
    expect(() => readModelFiles(join(dir, "nope.json"))).toThrow(/nope\.json: cannot read \(ENOENT\)/);
    const good = readFileSync(modelJsonPath, "utf8");
    writeFileSync(modelJsonPath, "{ not json");
    expect(() => readModelFiles(modelJsonPath)).toThrow(/model\.json: is not valid JSON/);
    writeFileSync(modelJsonPath, JSON.stringify({ modelTopology: {} }));
    expect(() => readModelFiles(modelJsonPath)).toThrow(/not a TensorFlow.js model.json \(weightsManifest/);
    writeFileSync(modelJsonPath, JSON.stringify({ ...JSON.parse(good), format: "graph-model" }));
    expect(() => readModelFiles(modelJsonPath)).toThrow(expect.objectContaining({ code: "UNSUPPORTED_MODEL" }));
    const escaping = JSON.parse(good);
    escaping.weightsManifest[0].paths = ["../../etc/passwd"];
    writeFileSync(modelJsonPath, JSON.stringify(escaping));
    expect(() => readModelFiles(modelJsonPath)).toThrow(/leaves the model's directory/);
    writeFileSync(modelJsonPath, good);
    writeFileSync(weightsPath, new Uint8Array(10));
    expect(() => readModelFiles(modelJsonPath)).toThrow(/weights\.bin: weight group 0 holds 10 bytes, its manifest entries need 32/);
    rmSync(weightsPath);
    expect(() => readModelFiles(modelJsonPath)).toThrow(/weights\.bin: weight shard listed in model\.json is missing/);
    model.dispose();
  });
});
