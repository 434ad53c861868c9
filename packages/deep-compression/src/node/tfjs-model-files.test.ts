import "@tensorflow/tfjs-backend-cpu";
// tfjs-core alone registers neither gradients nor chained ops (the @tensorflow/tfjs umbrella does).
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@dcnpi/tensor";
import { readModelWeights } from "@dcnpi/tensor/tfjs";
import { CompressionError } from "../errors.js";
import { modelTopologyOf } from "../tfjs-model.js";
import { loadLayersModelFiles, readModelFiles, writeModelFiles } from "./tfjs-model-files.js";
import { buildConvTestModel, buildSequenceTestModel, randomizeWeights } from "../test-models.js";

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

  describe("untrusted folders (issue 16 item 4)", () => {
    async function shardFixture(name: string) {
      const model = tfl.sequential();
      model.add(tfl.layers.dense({ inputShape: [3], units: 2, name: "fc" }));
      const dir = join(scratch, name);
      const files = await saveToDisk(model, dir);
      model.dispose();
      return { ...files, dir, good: readFileSync(files.modelJsonPath, "utf8") };
    }
    const codeAndMessage = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return { code: (error as CompressionError).code, message: (error as Error).message, typed: error instanceof CompressionError };
      }
      throw new Error("expected a failure");
    };

    it("refuses a FIFO shard and a link to /dev/zero before reading (no hang, no memory growth)", async () => {
      const { dir, weightsPath, modelJsonPath } = await shardFixture("fifo");
      rmSync(weightsPath);
      execFileSync("mkfifo", [weightsPath]);
      expect(codeAndMessage(() => readModelFiles(modelJsonPath))).toEqual({
        code: "MODEL_FILE",
        typed: true,
        message: `${weightsPath}: weight shard is not a regular file (a FIFO, socket or device)`,
      });
      rmSync(weightsPath);
      const inside = join(dir, "zero");
      symlinkSync("/dev/zero", inside);
      symlinkSync("zero", weightsPath);
      expect(codeAndMessage(() => readModelFiles(modelJsonPath)).message).toMatch(
        /weights\.bin: weight shard is a link to \/dev\/zero, outside/,
      );
    });

    it("refuses a symlink leading out of the model's folder, follows one that stays inside", async () => {
      const { dir, weightsPath, modelJsonPath } = await shardFixture("links");
      const outside = join(scratch, "outside.bin");
      renameSync(weightsPath, outside);
      symlinkSync(outside, weightsPath);
      expect(codeAndMessage(() => readModelFiles(modelJsonPath))).toMatchObject({
        code: "MODEL_FILE",
        message: expect.stringMatching(/outside the model's directory/),
      });
      rmSync(weightsPath);
      renameSync(outside, join(dir, "real.bin"));
      symlinkSync("real.bin", weightsPath);
      expect(readModelFiles(modelJsonPath).weights.get("fc/kernel")?.shape).toEqual([3, 2]);
    });

    it("compares shard names as paths: `..weights.bin` is a name, `../x.bin` leaves the folder", async () => {
      const { weightsPath, modelJsonPath, good, dir } = await shardFixture("dotdot");
      renameSync(weightsPath, join(dir, "..weights.bin"));
      const renamed = JSON.parse(good);
      renamed.weightsManifest[0].paths = ["..weights.bin"];
      writeFileSync(modelJsonPath, JSON.stringify(renamed));
      expect(readModelFiles(modelJsonPath).weights.get("fc/bias")?.shape).toEqual([2]);
      renamed.weightsManifest[0].paths = ["../x.bin"];
      writeFileSync(modelJsonPath, JSON.stringify(renamed));
      expect(codeAndMessage(() => readModelFiles(modelJsonPath)).message).toMatch(/shard path "\.\.\/x\.bin" leaves the model's directory/);
    });

    it("a shard that is a directory is a typed error naming the file", async () => {
      const { weightsPath, modelJsonPath } = await shardFixture("dir-shard");
      rmSync(weightsPath);
      mkdirSync(weightsPath);
      expect(codeAndMessage(() => readModelFiles(modelJsonPath))).toEqual({
        code: "MODEL_FILE",
        typed: true,
        message: `${weightsPath}: weight shard is a directory`,
      });
    });

    it("checks sizes before reading: a shard larger than the manifest says is refused without being read", async () => {
      const { weightsPath, modelJsonPath } = await shardFixture("too-big");
      truncateSync(weightsPath, 64 * 1024 * 1024);
      expect(codeAndMessage(() => readModelFiles(modelJsonPath)).message).toMatch(/holds 67108864 bytes, its manifest entries need 32/);
    });
  });

  describe("all-or-nothing output (issue 16 item 2)", () => {
    it("a failed write leaves the old model.json and weights.bin exactly as they were; a deep topology is a typed error", async () => {
      const model = tfl.sequential();
      model.add(tfl.layers.dense({ inputShape: [3], units: 2, name: "fc" }));
      const dir = join(scratch, "keep-old");
      const { modelJsonPath, weightsPath } = await saveToDisk(model, dir);
      const oldJson = readFileSync(modelJsonPath);
      const oldWeights = readFileSync(weightsPath);
      const weights = readModelWeights(model);
      for (const { tensor } of weights) (tensor.data as Float32Array).fill(7);
      let nested: Record<string, unknown> = {};
      for (let i = 0; i < 200_000; i++) nested = { inner: nested };
      let error: unknown;
      try {
        writeModelFiles(dir, { ...(await modelTopologyOf(model)), nested }, weights);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CompressionError);
      expect((error as CompressionError).message).toBe(`${modelJsonPath}: the model topology is nested too deeply to write as JSON`);
      expect(readFileSync(modelJsonPath).equals(oldJson)).toBe(true);
      expect(readFileSync(weightsPath).equals(oldWeights)).toBe(true);
      expect(readdirSync(dir).sort()).toEqual(["model.json", "weights.bin"]);
      expect(readdirSync(scratch).filter((name) => name.includes("dcnpi-"))).toEqual([]);
      model.dispose();
    });
  });
});
