import "@tensorflow/tfjs-backend-wasm";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type { GraphModel } from "@tensorflow/tfjs-converter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@dcnpi/tensor";
import { compress, graphCompressionTarget, parseCompressedWeights, type CompressionPlanInput } from "../src/index.js";
import { containerFile, decompressToModelFiles, readModelFiles } from "../src/node/index.js";
import { agreement } from "./agreement.js";
import { loadGraphModelFromDisk } from "./graph-model-files.js";
import { writeNsfwjsModel } from "./nsfwjs-models.js";
import { realPhotoInputs } from "./real-photos.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-graph-"));
let modelJsonPath = "";
let inputs: tf.Tensor4D;
let original: GraphModel;
let originalOutputs: tf.Tensor2D;

/** compress → .dcnpi → decompress → stock tf.loadGraphModel → predict on the same real photos. */
async function roundTrip(name: string, plan: CompressionPlanInput, path = modelJsonPath) {
  const files = readModelFiles(path);
  const graph = graphCompressionTarget(files);
  const output = join(scratch, `${name}.dcnpi`);
  try {
    const result = await compress(graph.target, plan, {
      rng: Rng.fromSeed(1),
      output: containerFile(output),
      graphModel: graph.graphModel,
    });
    const { modelJsonPath: restoredPath } = await decompressToModelFiles(output, join(scratch, `${name}-restored`));
    const restored = await loadGraphModelFromDisk(restoredPath);
    const outputs = restored.predict(inputs) as tf.Tensor2D;
    restored.dispose();
    return { result, outputs, output, restoredPath };
  } finally {
    graph.dispose();
  }
}

beforeAll(async () => {
  // wasm: MobileNet forward passes on the cpu backend take minutes on a loaded 2-core machine.
  await tf.setBackend("wasm");
  modelJsonPath = writeNsfwjsModel("mobilenet_v2_mid", join(scratch, "mid"));
  inputs = realPhotoInputs(["cops", "fillbytes"], 224, 4);
  original = await loadGraphModelFromDisk(modelJsonPath);
  originalOutputs = original.predict(inputs) as tf.Tensor2D;
});
afterAll(() => {
  tf.dispose([inputs, originalOutputs]);
  original?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

describe("graph models (nsfwjs mobilenet_v2_mid, uint8 shards, on real photos)", () => {
  it("reads the graph: uint8 shards dequantized, each weight's consuming op and role", () => {
    const files = readModelFiles(modelJsonPath);
    expect(files.format).toBe("graph-model");
    expect(files.weights.size).toBe(108);
    expect(files.quantizedWeights.size).toBe(108);
    const graph = graphCompressionTarget(files);
    try {
      const infos = Object.values(graph.target.info!);
      const ops = new Set(infos.map((i) => i.op));
      expect([...ops].sort()).toEqual(["FusedDepthwiseConv2dNative", "Mul", "Sub", "_FusedConv2D", "_FusedMatMul"].sort());
      expect(infos.filter((i) => i.op === "_FusedConv2D" && i.role === "kernel")).toHaveLength(35);
      expect(infos.filter((i) => i.op === "FusedDepthwiseConv2dNative" && i.role === "depthwise_kernel")).toHaveLength(17);
      expect(
        infos
          .filter((i) => i.op === "_FusedMatMul")
          .map((i) => i.role)
          .sort(),
      ).toEqual(["bias", "kernel"]);
    } finally {
      graph.dispose();
    }
  });

  it("round-trips through .dcnpi to a model stock tf.loadGraphModel runs, with the same top-1 on real photos", async () => {
    const plan: CompressionPlanInput = {
      version: 1,
      rules: [{ match: { role: ["kernel", "depthwise_kernel"] }, store: "compressed", weightBits: 8, huffman: true }],
    };
    const { result, outputs, output } = await roundTrip("shared8", plan);
    const { top1, cosine } = agreement(originalOutputs, outputs);
    tf.dispose(outputs);
    expect(top1).toBe(1);
    expect(cosine).toBeGreaterThan(0.999);
    expect(result.report.layers.filter((l) => l.store !== "dense")).toHaveLength(35 + 17 + 1);
    // Smaller than the converter's uint8 shards it came from.
    expect(readFileSync(output).length).toBeLessThan(readModelFiles(modelJsonPath).bytesOnDisk);
    const { metadata } = await parseCompressedWeights(readFileSync(output), output);
    expect(metadata.graphModel?.format).toBe("graph-model");
    expect(metadata.graphModel?.signature).toEqual(JSON.parse(readFileSync(modelJsonPath, "utf8")).signature);
  });

  it("matches plan rules by op: only _FusedConv2D kernels compressed, pruned and shared", async () => {
    const plan: CompressionPlanInput = {
      version: 1,
      rules: [{ match: { op: "_FusedConv2D", role: "kernel" }, store: "compressed", prune: { keepFraction: 0.5 }, weightBits: 6 }],
    };
    const { result, outputs } = await roundTrip("by-op", plan);
    tf.dispose(outputs);
    const compressed = result.report.layers.filter((l) => l.store !== "dense");
    expect(compressed).toHaveLength(35);
    const files = readModelFiles(modelJsonPath);
    const graph = graphCompressionTarget(files);
    const ops = new Map(graph.target.variables.map((v) => [graph.target.names![v.name]!, graph.target.info![v.name]!]));
    graph.dispose();
    expect(compressed.every((l) => ops.get(l.name)?.op === "_FusedConv2D")).toBe(true);
    expect(compressed.every((l) => Math.abs(l.keptFraction - 0.5) < 0.01)).toBe(true);
  });
});
