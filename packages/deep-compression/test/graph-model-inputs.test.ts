import "@tensorflow/tfjs-backend-cpu";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@dcnpi/tensor";
import { loadGraphModel } from "@tensorflow/tfjs-converter";
import { compress, dcnpiModel, graphCompressionTarget, safePlan } from "../src/index.js";
import { containerFile, decompressToModelFiles, loadModelTarget, readModelFiles } from "../src/node/index.js";
import { loadGraphModelFromDisk } from "./graph-model-files.js";
import { smallGraphExpected, writeSmallGraphModel, type ShardQuantization } from "./small-graph-model.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-graph-inputs-"));
const x = () =>
  tf.tensor2d(
    Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)),
    [3, 4],
  );

beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("graph model shards of every kind", () => {
  const steps: Record<ShardQuantization, number> = { none: 0, uint8: 1 / 255, uint16: 1 / 65535, float16: 2 ** -10 };
  for (const quantization of ["none", "uint8", "uint16", "float16"] as const) {
    it(`${quantization}: dequantized as tfjs does, int32 and string weights passed through byte for byte`, async () => {
      const dir = join(scratch, `small-${quantization}`);
      const made = writeSmallGraphModel(dir, quantization);
      const files = readModelFiles(made.modelJsonPath);
      expect(files.format).toBe("graph-model");
      const w = files.weights.get("dense/w").data as Float32Array;
      const range = Math.max(...made.w) - Math.min(...made.w);
      // Within half a quantization step of the float32 weights (relative for float16).
      for (let i = 0; i < w.length; i++) {
        const tolerance = quantization === "float16" ? Math.abs(made.w[i]!) * steps.float16 : (range * steps[quantization]) / 2 + 1e-7;
        expect(Math.abs(w[i]! - made.w[i]!)).toBeLessThanOrEqual(tolerance);
      }
      expect(files.quantizedWeights.has("dense/w")).toBe(quantization !== "none");

      // Stock tfjs-converter reading the same shards gives the same numbers as ours.
      const stock = await loadGraphModelFromDisk(made.modelJsonPath);
      const input = x();
      const original = stock.predict(input) as tf.Tensor2D;

      const loaded = await loadModelTarget(made.modelJsonPath);
      const output = join(scratch, `small-${quantization}.dcnpi`);
      try {
        await compress(loaded.target, safePlan(8), { rng: Rng.fromSeed(1), output: containerFile(output), graphModel: loaded.graphModel });
      } finally {
        loaded.dispose();
      }
      const { modelJsonPath } = await decompressToModelFiles(output, join(scratch, `small-${quantization}-out`));
      const restoredJson = JSON.parse(readFileSync(modelJsonPath, "utf8"));
      expect(restoredJson.format).toBe("graph-model");
      expect(restoredJson.signature).toEqual(made.modelJson.signature);
      expect(restoredJson.userDefinedMetadata).toEqual({ classes: 16 });
      const restored = readModelFiles(modelJsonPath);
      expect([...restored.weights.get("out/shape").data]).toEqual([-1, 16]);
      expect(restored.rawWeights.map((r) => [r.name, r.dtype, Buffer.from(r.bytes).toString("hex")])).toEqual(
        files.rawWeights.map((r) => [r.name, r.dtype, Buffer.from(r.bytes).toString("hex")]),
      );
      const model = await loadGraphModelFromDisk(modelJsonPath);
      const out = model.predict(input) as tf.Tensor2D;
      // 8-bit shared weights of a 64-weight kernel: close to the original, same argmax per row.
      expect(tf.max(tf.abs(tf.sub(out, original))).dataSync()[0]).toBeLessThan(0.05);
      expect([...tf.argMax(out, 1).dataSync()]).toEqual([...tf.argMax(original, 1).dataSync()]);
      const exact = smallGraphExpected(input, made.w, made.b);
      expect(tf.max(tf.abs(tf.sub(original, exact))).dataSync()[0]).toBeLessThan(quantization === "none" ? 1e-5 : 0.05);
      tf.dispose([input, original, out, exact]);
      model.dispose();
      stock.dispose();
    });
  }
});

describe("dcnpiModel over a graph model", () => {
  it("tf.loadGraphModel(dcnpiModel(bytes)) predicts exactly what the decompressed model.json + weights.bin predicts", async () => {
    const made = writeSmallGraphModel(join(scratch, "iohandler"), "uint8");
    const loaded = await loadModelTarget(made.modelJsonPath);
    let bytes: Uint8Array;
    try {
      bytes = (await compress(loaded.target, safePlan(8), { rng: Rng.fromSeed(1), graphModel: loaded.graphModel })).bytes!;
    } finally {
      loaded.dispose();
    }
    const output = join(scratch, "iohandler.dcnpi");
    writeFileSync(output, bytes);
    const { modelJsonPath } = await decompressToModelFiles(output, join(scratch, "iohandler-out"));
    const fromFiles = await loadGraphModelFromDisk(modelJsonPath);
    const fromHandler = await loadGraphModel(dcnpiModel(bytes));
    const input = x();
    const want = fromFiles.predict(input) as tf.Tensor2D;
    const got = fromHandler.predict(input) as tf.Tensor2D;
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    // The spec the file kept reaches tfjs: signature and metadata as converted.
    expect(fromHandler.modelSignature).toEqual(made.modelJson.signature);
    expect(fromHandler.metadata).toEqual({ classes: 16 });
    tf.dispose([input, want, got]);
    fromFiles.dispose();
    fromHandler.dispose();
  });
});

describe("bad graph models: one typed error naming the file, nothing written", () => {
  it("refuses an op TensorFlow.js cannot run", () => {
    const made = writeSmallGraphModel(join(scratch, "bad-op"), "none", "MatMulWithFrobnication");
    expect(() => graphCompressionTarget(readModelFiles(made.modelJsonPath))).toThrow(
      expect.objectContaining({
        code: "UNSUPPORTED_MODEL",
        message: expect.stringMatching(/bad-op\/model\.json: node "dense\/MatMul" uses op "MatMulWithFrobnication"/),
      }),
    );
  });

  it("refuses a dtype a graph model cannot hold, and a quantized non-float weight", () => {
    const made = writeSmallGraphModel(join(scratch, "bad-dtype"));
    const json = structuredClone(made.modelJson) as typeof made.modelJson;
    (json.weightsManifest[0]!.weights[1] as { dtype: string }).dtype = "complex64";
    writeFileSync(made.modelJsonPath, JSON.stringify(json));
    expect(() => readModelFiles(made.modelJsonPath)).toThrow(
      expect.objectContaining({
        code: "UNSUPPORTED_MODEL",
        message: expect.stringMatching(/model\.json: weight "out\/shape" has dtype "complex64"/),
      }),
    );
    (json.weightsManifest[0]!.weights[1] as { dtype: string; quantization?: object }).dtype = "int32";
    (json.weightsManifest[0]!.weights[1] as { quantization?: object }).quantization = { dtype: "uint8", min: 0, scale: 1 };
    writeFileSync(made.modelJsonPath, JSON.stringify(json));
    expect(() => readModelFiles(made.modelJsonPath)).toThrow(/weight "out\/shape" is int32 quantized as "uint8"/);
  });

  it("refuses shards whose sizes the manifest lies about", () => {
    const made = writeSmallGraphModel(join(scratch, "bad-size"));
    const json = structuredClone(made.modelJson) as typeof made.modelJson;
    json.weightsManifest[0]!.weights[0]!.shape = [4, 17];
    writeFileSync(made.modelJsonPath, JSON.stringify(json));
    expect(() => readModelFiles(made.modelJsonPath)).toThrow(
      expect.objectContaining({ code: "MODEL_FILE", message: expect.stringMatching(/group1-shard1of1\.bin: weight group 0/) }),
    );
    // A string length prefix pointing past the end of the shard.
    const lying = writeSmallGraphModel(join(scratch, "bad-string"));
    const shard = join(scratch, "bad-string", "group1-shard1of1.bin");
    const bytes = readFileSync(shard);
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(64 * 4 + 8, 1e9, true);
    writeFileSync(shard, bytes);
    expect(() => readModelFiles(lying.modelJsonPath)).toThrow(/string weight "vocab" runs past the end of its shards/);
  });

  it("refuses a model.json that is neither a layers nor a graph model", () => {
    const dir = join(scratch, "neither");
    const made = writeSmallGraphModel(dir);
    writeFileSync(made.modelJsonPath, JSON.stringify({ modelTopology: { nodes: [] }, weightsManifest: [] }));
    expect(() => readModelFiles(made.modelJsonPath)).toThrow(
      expect.objectContaining({ code: "UNSUPPORTED_MODEL", message: expect.stringMatching(/neither a layers model .* nor a graph model/) }),
    );
    expect(existsSync(join(dir, "model.dcnpi"))).toBe(false);
  });
});
