import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@dcnpi/tensor";
import { readModelWeights } from "@dcnpi/tensor/tfjs";
import { compress, type TrainContext } from "./compress.js";
import { parseCompressedWeights } from "./load-compressed.js";
import { decompressToModelFiles } from "./node/decompress-to-files.js";
import { containerFile } from "./node/container-file.js";
import { loadCompressed } from "./node/load-compressed-file.js";
import { defaultPlan, parsePlan } from "./plan.js";
import { fullyConnectedLayers } from "./fully-connected-layers.js";
import { formatReport } from "./report.js";
import { buildConvTestModel, buildSequenceTestModel, randomizeWeights } from "./test-models.js";
import type { CompressionTarget } from "./compression-target.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-compress-"));
beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Case {
  readonly name: string;
  readonly build: () => tfl.LayersModel;
  readonly inputs: (rng: Rng) => tf.Tensor;
  readonly classes: number;
}

const cases: Case[] = [
  {
    name: "conv",
    build: buildConvTestModel,
    inputs: (rng) => tf.tensor4d(rng.fillUniform(new Float32Array(32 * 8 * 8 * 3)), [32, 8, 8, 3]),
    classes: 4,
  },
  {
    name: "sequence",
    build: buildSequenceTestModel,
    inputs: (rng) =>
      tf.tensor2d(
        Int32Array.from({ length: 32 * 5 }, () => rng.int(20)),
        [32, 5],
        "int32",
      ),
    classes: 3,
  },
];

function makeData(c: Case, seed: number) {
  const rng = Rng.fromSeed(seed);
  const xs = c.inputs(rng);
  const labels = Int32Array.from({ length: 32 }, () => rng.int(c.classes));
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), c.classes).toFloat());
  return { xs, ys };
}

async function compressCase(c: Case, seed: number, output?: string) {
  const model = c.build();
  randomizeWeights(model, Rng.fromSeed(seed));
  const { xs, ys } = makeData(c, seed);
  const contexts: TrainContext[] = [];
  const train = async (target: CompressionTarget, context: TrainContext) => {
    contexts.push(context);
    const m = target as tfl.LayersModel;
    const optimizer = context.wrapOptimizer(tf.train.adam(0.01));
    m.compile({ optimizer, loss: "categoricalCrossentropy" });
    await m.fit(xs, ys, { epochs: context.epochs, batchSize: 16, shuffle: false, verbose: 0 });
    optimizer.dispose();
  };
  const evaluate = async (target: CompressionTarget) => {
    const m = target as tfl.LayersModel;
    return tf.tidy(() => tf.losses.softmaxCrossEntropy(ys, m.predict(xs) as tf.Tensor).dataSync()[0]!);
  };
  const plan = { ...defaultPlan, retrain: { pruneIterations: 2, epochsPerPruneIteration: 2, quantizeEpochs: 2 } };
  const result = await compress(model, plan, {
    rng: Rng.fromSeed(seed),
    train,
    evaluate,
    metricName: "loss",
    ...(output ? { output: containerFile(output) } : {}),
  });
  return { model, xs, ys, result, contexts };
}

describe("compress", () => {
  for (const c of cases) {
    it(`${c.name} model: prune, retrain, quantize, fine-tune, encode; loads back bit for bit`, async () => {
      const output = join(scratch, `${c.name}.dcnpi`);
      const { model, xs, ys, result, contexts } = await compressCase(c, 1, output);
      const { report } = result;
      expect(contexts.map((x) => `${x.stage}:${x.cycle}/${x.cycles}`)).toEqual(["prune:1/2", "prune:2/2", "quantize:1/1"]);
      expect(report.metrics.map((m) => m.stage)).toEqual(["dense", "pruned 1/2", "pruned 2/2", "quantized", "fine-tuned"]);
      for (const layer of report.layers) {
        if (layer.store === "sparse") {
          const sparsity = (layer.pruneTarget as { sparsity: number }).sparsity;
          expect(Math.abs(1 - layer.keptFraction - sparsity)).toBeLessThan(1 / layer.elementCount + 1e-9);
          expect(layer.indexBits).toBe(5);
        }
        if (layer.name.endsWith("/bias")) expect(layer.store).toBe("dense");
      }
      const kernels = report.layers.filter((l) => l.store !== "dense").map((l) => l.name);
      expect(kernels.length).toBeGreaterThanOrEqual(3);
      expect(report.totals.paper.ratio).toBeGreaterThan(1);
      expect(report.totals.onDisk.fileBytes).toBe(readFileSync(output).length);
      expect(formatReport(report)).toMatch(/paper's way: .*x smaller/);

      // The file decodes to exactly the model compress left behind.
      const expected = (model.predict(xs) as tf.Tensor).dataSync();
      const loaded = await loadCompressed(output);
      expect(Array.from((loaded.predict(xs) as tf.Tensor).dataSync())).toEqual(Array.from(expected));
      const compressedWeights = readModelWeights(model);
      for (const { name, tensor } of readModelWeights(loaded)) {
        expect(Buffer.from(tensor.data.buffer).equals(Buffer.from(compressedWeights.get(name).data.buffer)), name).toBe(true);
      }
      // Pruned weights are exactly zero in the loaded model.
      expect(result.masks.names().length).toBeGreaterThan(0);
      for (const name of result.masks.names()) {
        const mask = result.masks.get(name)!;
        const values = readModelWeights(loaded).get(name).data;
        expect(mask.every((kept, i) => kept === 1 || Object.is(values[i], 0))).toBe(true);
      }

      // Decompressed to model.json + weights.bin, stock tfjs predicts the same.
      const dir = join(scratch, `${c.name}-decompressed`);
      const { modelJsonPath } = await decompressToModelFiles(output, dir);
      const json = JSON.parse(readFileSync(modelJsonPath, "utf8"));
      const stock = await tfl.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: json.modelTopology,
          weightSpecs: json.weightsManifest[0].weights,
          weightData: new Uint8Array(readFileSync(join(dir, "weights.bin"))).buffer,
        }),
      );
      expect(Array.from((stock.predict(xs) as tf.Tensor).dataSync())).toEqual(Array.from(expected));
      tf.dispose([xs, ys]);
      model.dispose();
      loaded.dispose();
      stock.dispose();
    });
  }

  it("gives the same bytes for the same seed and does not leak tensors", async () => {
    const before = tf.memory().numTensors;
    const a = await compressCase(cases[0]!, 7);
    const b = await compressCase(cases[0]!, 7);
    expect(a.result.bytes).toBeDefined();
    expect(Buffer.from(a.result.bytes!).equals(Buffer.from(b.result.bytes!))).toBe(true);
    const decoded = await parseCompressedWeights(a.result.bytes!);
    expect(decoded.weights.names()).toEqual(readModelWeights(a.model).names());
    for (const run of [a, b]) {
      tf.dispose([run.xs, run.ys]);
      run.model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("indexOrder caffe: relative indices run output-major, the file says so, and loading transposes back bit for bit", async () => {
    const model = buildConvTestModel();
    randomizeWeights(model, Rng.fromSeed(5));
    const plan = {
      ...defaultPlan,
      rules: defaultPlan.rules.map((r) => (r.store === "compressed" ? { ...r, indexOrder: "caffe" as const } : r)),
    };
    const { bytes, report } = await compress(model, plan, { rng: Rng.fromSeed(5) });
    const stored = Object.fromEntries(report.layers.map((l) => [l.name, l.shape]));
    expect(stored["conv1/kernel"]).toEqual([6, 3, 3, 3]);
    expect(stored["fc1/kernel"]).toEqual([4, 192]);
    const decoded = await parseCompressedWeights(bytes!);
    expect(decoded.metadata.storedAxes).toEqual({
      "conv1/kernel": [3, 2, 0, 1],
      "dw1/depthwise_kernel": [3, 2, 0, 1],
      "fc1/kernel": [1, 0],
    });
    const original = readModelWeights(model);
    for (const { name, tensor } of decoded.weights) {
      expect(tensor.shape).toEqual(original.get(name).shape);
      expect(Buffer.from(tensor.data.buffer).equals(Buffer.from(original.get(name).data.buffer)), name).toBe(true);
    }
    model.dispose();
  });

  it("indexView: a Dense kernel fed by a Flatten is walked channel first, as Caffe flattens; loading and the EIE mat-vec undo it", async () => {
    const model = buildConvTestModel();
    randomizeWeights(model, Rng.fromSeed(6));
    // fc1 sees dw1's [4, 4, 12] output flattened channels last: 192 inputs.
    const plan = {
      ...defaultPlan,
      rules: [
        {
          match: { name: "fc1/kernel" },
          store: "compressed" as const,
          prune: { keepFraction: 0.3 },
          weightBits: 4,
          indexOrder: "caffe" as const,
          indexView: [4, 4, 12, 4],
        },
        ...defaultPlan.rules,
      ],
    };
    const { bytes, report } = await compress(model, plan, { rng: Rng.fromSeed(6) });
    expect(report.layers.find((l) => l.name === "fc1/kernel")!.shape).toEqual([4, 12, 4, 4]);
    const decoded = await parseCompressedWeights(bytes!);
    expect(decoded.metadata.storedAxes?.["fc1/kernel"]).toEqual([3, 2, 0, 1]);
    expect(decoded.metadata.weightShapes).toEqual({ "fc1/kernel": [192, 4] });
    const original = readModelWeights(model);
    for (const { name, tensor } of decoded.weights) {
      expect(tensor.shape, name).toEqual(original.get(name).shape);
      expect(Buffer.from(tensor.data.buffer).equals(Buffer.from(original.get(name).data.buffer)), name).toBe(true);
    }
    // Stored column j is input (h, w, c) of the view: the file's order differs from the model's, the products do not.
    const fc = (await fullyConnectedLayers(bytes!, { kernel: "js" })).get("fc1")!;
    const kernel = original.get("fc1/kernel").data as Float32Array;
    const bias = original.get("fc1/bias").data as Float32Array;
    const x = Float32Array.from({ length: 2 * 192 }, (_, i) => Math.sin(i + 1));
    const y = fc.applyBatch(x, 2);
    for (let b = 0; b < 2; b++)
      for (let o = 0; o < 4; o++) {
        let want = bias[o]!;
        for (let i = 0; i < 192; i++) want += x[b * 192 + i]! * kernel[i * 4 + o]!;
        expect(y[b * 4 + o]).toBeCloseTo(want, 4);
      }
    // A view of another size, or without Caffe order, is refused.
    const wrong = { ...plan, rules: [{ ...plan.rules[0]!, indexView: [4, 4, 11, 4] }, ...defaultPlan.rules] };
    await expect(compress(model, wrong, { rng: Rng.fromSeed(6) })).rejects.toMatchObject({
      code: "WEIGHT_MISMATCH",
      message: expect.stringContaining("indexView [4,4,11,4] has 704 elements, the weight [192,4] 768"),
    });
    expect(() => parsePlan({ ...plan, rules: [{ ...plan.rules[0]!, indexOrder: "tfjs" }] })).toThrow(/indexView needs indexOrder "caffe"/);
    model.dispose();
  });

  it("retrains the last prune cycle for epochsAfterLastPrune epochs when the plan says so", async () => {
    const model = buildConvTestModel();
    randomizeWeights(model, Rng.fromSeed(4));
    const epochs: number[] = [];
    const plan = {
      ...defaultPlan,
      retrain: { pruneIterations: 3, epochsPerPruneIteration: 0.5, epochsAfterLastPrune: 4, quantizeEpochs: 0 },
    };
    await compress(model, plan, {
      rng: Rng.fromSeed(4),
      train: async (_target, context) => {
        epochs.push(context.epochs);
      },
    });
    expect(epochs).toEqual([0.5, 0.5, 4]);
    model.dispose();
  });

  it("without a training function prunes one-shot, skips fine-tuning and says so", async () => {
    const model = buildConvTestModel();
    randomizeWeights(model, Rng.fromSeed(3));
    const { report } = await compress(model, defaultPlan, { rng: Rng.fromSeed(3) });
    expect(report.retrained).toBe(false);
    expect(report.notes.join(" ")).toMatch(/no training function: pruning was one-shot/);
    expect(report.metrics).toEqual([]);
    model.dispose();
  });
});
