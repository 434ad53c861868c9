/**
 * AlexNet and VGG-16 with their exact layer shapes and synthetic weights (no ImageNet here): each
 * layer is generated, pruned by magnitude to the paper's kept fraction, quantized by k-means with
 * the paper's bits, relative-indexed with the paper's index bits and Huffman-coded, on host typed
 * arrays, one layer at a time (VGG-16's fc6 alone is 103M weights). Each layer is a resumable stage
 * whose encoded streams are saved in its stage directory; a last stage writes them all into one
 * `.dcnpi` container, layer by layer. Accuracy is not measured: there is no data and no training.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compressedMetadata, encodeWeight } from "@dcnpi/deep-compression";
import { ALEXNET_LAYERS, VGG16_LAYERS, type LayerShape } from "@dcnpi/model-zoo";
import { computeMask } from "@dcnpi/pruning";
import { quantizeWeights } from "@dcnpi/quantization";
import { decodeLayer, type EncodedLayer, type EncodedStream } from "@dcnpi/sparse-format";
import { ContainerWriter, inspectContainer } from "@dcnpi/sparse-format/node";
import { writeFileAtomic, writeJsonAtomic } from "@dcnpi/run-kit";
import { z } from "zod";
import { layerDistribution, distributionSchema, type WeightDistribution } from "./lenet-figures.js";
import { PAPER_BITS, paperKeepFraction, type PaperModel } from "./paper-figures.js";
import { timedStage, progressFor, type RunContext } from "./run-context.js";
import { SYNTHETIC_WEIGHTS, syntheticLayerWeights } from "./synthetic-weights.js";
import type { MeasuredLayer } from "./tables.js";

export type ImagenetModel = "alexnet" | "vgg16";
export const IMAGENET_MODELS: readonly ImagenetModel[] = ["alexnet", "vgg16"];

export function imagenetLayers(model: ImagenetModel): readonly LayerShape[] {
  return model === "alexnet" ? ALEXNET_LAYERS : VGG16_LAYERS;
}

/** Layers whose distributions are kept for figures: the paper's Fig. 4 (conv3) and Fig. 5 (last fc). */
const FIGURE_LAYERS: Readonly<Record<ImagenetModel, readonly string[]>> = { alexnet: ["conv3", "fc8"], vgg16: ["conv3_1", "fc8"] };

const streamSchema = z.strictObject({
  encoding: z.enum(["huffman", "fixed"]),
  symbolCount: z.number().int(),
  payloadBits: z.number().int(),
});

const encodedRecordSchema = z.strictObject({
  kind: z.literal("dcnpi/repro-encoded-layer"),
  version: z.literal(1),
  name: z.string(),
  shape: z.array(z.number().int()),
  weightBits: z.number().int(),
  indexBits: z.number().int(),
  nonzeroCount: z.number().int(),
  fillerCount: z.number().int(),
  weights: streamSchema,
  indices: streamSchema,
});

export const imagenetLayerSchema = z.strictObject({
  measured: z.strictObject({
    layer: z.string(),
    weights: z.number().int(),
    kept: z.number().int(),
    fillers: z.number().int(),
    weightBits: z.number().int(),
    indexBits: z.number().int(),
    weightBitsHuffman: z.number(),
    indexBitsHuffman: z.number(),
    paperBits: z.number(),
    fileBytes: z.number().int(),
  }),
  kmeans: z.strictObject({ iterations: z.number().int(), converged: z.boolean(), emptyClusters: z.number().int() }),
  seconds: z.strictObject({ generate: z.number(), prune: z.number(), quantize: z.number(), encode: z.number(), verify: z.number() }),
  distribution: distributionSchema.nullable(),
});
export type ImagenetLayerResult = z.infer<typeof imagenetLayerSchema>;

function saveEncoded(dir: string, layer: EncodedLayer): void {
  if (layer.indices === null || layer.indexBits === null) throw new Error(`${layer.name}: expected a sparse layer`);
  writeFileAtomic(join(dir, "codebook.bin"), new Uint8Array(layer.codebook.buffer, layer.codebook.byteOffset, layer.codebook.byteLength));
  writeFileAtomic(join(dir, "weights.bin"), layer.weights.bytes);
  writeFileAtomic(join(dir, "indices.bin"), layer.indices.bytes);
  const stream = (s: EncodedStream) => ({ encoding: s.encoding, symbolCount: s.symbolCount, payloadBits: s.payloadBits });
  writeJsonAtomic(join(dir, "encoded.json"), {
    kind: "dcnpi/repro-encoded-layer",
    version: 1,
    name: layer.name,
    shape: [...layer.shape],
    weightBits: layer.weightBits,
    indexBits: layer.indexBits,
    nonzeroCount: layer.nonzeroCount,
    fillerCount: layer.fillerCount,
    weights: stream(layer.weights),
    indices: stream(layer.indices),
  });
}

/** Rebuilds the encoded layer a stage saved (the container writer needs only its bytes and counts). */
function loadEncoded(dir: string, info: { layer: string; layerClass: string; role: string }): EncodedLayer {
  const record = encodedRecordSchema.parse(JSON.parse(readFileSync(join(dir, "encoded.json"), "utf8")));
  const codebookBytes = readFileSync(join(dir, "codebook.bin"));
  const codebook = new Float32Array(codebookBytes.length / 4);
  new Uint8Array(codebook.buffer).set(codebookBytes);
  const weights = { ...record.weights, bytes: new Uint8Array(readFileSync(join(dir, "weights.bin"))) };
  const indices = { ...record.indices, bytes: new Uint8Array(readFileSync(join(dir, "indices.bin"))) };
  const n = record.shape.reduce((a, b) => a * b, 1);
  return {
    kind: "sparse",
    name: record.name,
    shape: record.shape,
    info,
    weightBits: record.weightBits,
    indexBits: record.indexBits,
    codebook,
    weights,
    indices,
    nonzeroCount: record.nonzeroCount,
    fillerCount: record.fillerCount,
    // Only the writer's inputs matter here; sizes are re-read from the written file.
    accounting: {
      elementCount: n,
      nonzeroCount: record.nonzeroCount,
      fillerCount: record.fillerCount,
      entryCount: record.nonzeroCount + record.fillerCount,
      denseBits: n * 32,
      paperWeightBits: record.weights.payloadBits,
      paperIndexBits: record.indices.payloadBits,
      paperCodebookBits: 2 ** record.weightBits * 32,
      paperTotalBits: record.weights.payloadBits + record.indices.payloadBits + 2 ** record.weightBits * 32,
      paperRate: (record.weights.payloadBits + record.indices.payloadBits + 2 ** record.weightBits * 32) / (n * 32),
      averageWeightBits: record.weights.payloadBits / Math.max(1, record.weights.symbolCount),
      averageIndexBits: record.indices.payloadBits / Math.max(1, record.indices.symbolCount),
      codebookBytes: codebook.byteLength,
      weightStreamBytes: weights.bytes.length,
      indexStreamBytes: indices.bytes.length,
      sectionBytes: codebook.byteLength + weights.bytes.length + indices.bytes.length,
    },
  };
}

const layerInfo = (layer: LayerShape) => ({ layer: layer.name, layerClass: layer.kind === "conv" ? "Conv2D" : "Dense", role: "kernel" });

/** Generate → prune → quantize → encode → verify one layer, entirely on typed arrays. */
export function compressSyntheticLayer(model: ImagenetModel, layer: LayerShape, ctx: Pick<RunContext, "rng">, keepDistribution: boolean) {
  const bits = PAPER_BITS[model];
  const weightBits = layer.kind === "conv" ? bits.convWeightBits : bits.fcWeightBits;
  const clock = () => performance.now() / 1000;
  let t = clock();
  const weights = syntheticLayerWeights(layer, ctx.rng.fork(`synthetic:${model}:${layer.name}`));
  const generate = clock() - t;
  t = clock();
  const { mask, keptCount } = computeMask(weights, { keepFraction: paperKeepFraction(model, layer.name) }, { name: layer.name });
  const prune = clock() - t;
  t = clock();
  const q = quantizeWeights(weights, { bits: weightBits, init: "linear", mask, name: layer.name });
  const quantize = clock() - t;
  t = clock();
  // The weights are generated in Caffe layout already, so the codes are stored as they are; always
  // Huffman-coded, as the paper's tables are.
  const kernel = { name: `${layer.name}/kernel`, shape: layer.shape, info: layerInfo(layer) };
  const { layer: encoded } = encodeWeight(kernel, q, { indexBits: bits.indexBits, huffman: "always" });
  const encode = clock() - t;
  t = clock();
  // The stream must decode to exactly the mask and codes we encoded.
  const decoded = decodeLayer(encoded);
  if (decoded.positions === null || decoded.positions.length !== keptCount)
    throw new Error(`${layer.name}: decoded ${decoded.positions?.length} non-zeros, expected ${keptCount}`);
  for (let k = 0; k < decoded.positions.length; k++) {
    const p = decoded.positions[k]!;
    if (mask[p] !== 1 || q.codes[p] !== decoded.codes[k]) throw new Error(`${layer.name}: decoded entry ${k} at ${p} does not match`);
  }
  const verify = clock() - t;
  let distribution: WeightDistribution | null = null;
  if (keepDistribution) {
    const pruned = weights.map((v, i) => (mask[i] === 0 ? 0 : v));
    distribution = layerDistribution({
      model,
      layer: layer.name,
      layout: `[${layer.shape.join(", ")}] (Caffe layout)`,
      dense: weights,
      pruned,
      codebook: q.codebook,
      codes: q.codes,
      weightBits,
      indexBits: bits.indexBits,
    });
  }
  const a = encoded.accounting;
  const measured: MeasuredLayer = {
    layer: layer.name,
    weights: layer.weights,
    kept: keptCount,
    fillers: encoded.fillerCount,
    weightBits,
    indexBits: bits.indexBits,
    weightBitsHuffman: a.averageWeightBits,
    indexBitsHuffman: a.averageIndexBits,
    paperBits: a.paperTotalBits,
    fileBytes: a.sectionBytes,
  };
  return {
    encoded,
    result: {
      measured,
      kmeans: { iterations: q.report.iterations, converged: q.report.converged, emptyClusters: q.report.emptyClusters },
      seconds: { generate, prune, quantize, encode, verify },
      distribution,
    } satisfies ImagenetLayerResult,
  };
}

export interface ImagenetResult {
  readonly model: ImagenetModel;
  readonly layers: readonly ImagenetLayerResult[];
  readonly fileBytes: number;
  /** Every parameter (weights + biases) at 4 bytes. */
  readonly trueDenseBytes: number;
  readonly paperBits: number;
}

const containerStageSchema = z.strictObject({
  fileBytes: z.number().int(),
  layerFileBytes: z.record(z.string(), z.number().int()),
  biasCount: z.number().int(),
});

/** All layers of AlexNet or VGG-16 (one stage each), then the container (one more stage). */
export async function runImagenet(ctx: RunContext, model: ImagenetModel): Promise<ImagenetResult> {
  const layers = imagenetLayers(model);
  const results: ImagenetLayerResult[] = [];
  const progress = progressFor(
    ctx,
    `${model} (synthetic weights) layer by layer`,
    layers.reduce((s, l) => s + l.weights, 0),
  );
  let done = 0;
  try {
    for (const layer of layers) {
      const result = await timedStage(
        ctx,
        `${model}.layer-${layer.name}`,
        async (stageDir) => {
          const { encoded, result } = compressSyntheticLayer(model, layer, ctx, FIGURE_LAYERS[model].includes(layer.name));
          saveEncoded(stageDir, encoded);
          return result;
        },
        imagenetLayerSchema,
      );
      done += layer.weights;
      progress.update(
        done,
        `${layer.name}: kept ${((100 * result.measured.kept) / layer.weights).toFixed(1)}%, ${(result.measured.paperBits / 8e6).toFixed(2)} MB`,
      );
      ctx.run.appendMetric({ model, stage: `layer ${layer.name}`, ...result.measured });
      results.push(result);
    }
  } finally {
    progress.stop();
  }
  const biasCount = layers.reduce((s, l) => s + l.shape[0]!, 0);
  const container = await timedStage(
    ctx,
    `${model}.container`,
    async () => {
      const path = ctx.run.path(`${model}.dcnpi`);
      mkdirSync(ctx.run.dir, { recursive: true });
      const writer = await ContainerWriter.create(path);
      try {
        for (const layer of layers)
          await writer.addLayer(loadEncoded(ctx.run.path("stages", `${model}.layer-${layer.name}`), layerInfo(layer)));
        for (const layer of layers) {
          await writer.addDenseTensor({
            name: `${layer.name}/bias`,
            shape: [layer.shape[0]!],
            data: new Float32Array(layer.shape[0]!),
            info: { ...layerInfo(layer), role: "bias" },
          });
        }
        const metadata = compressedMetadata({
          weightOrder: layers.flatMap((l) => [`${l.name}/kernel`, `${l.name}/bias`]),
          plan: {
            model,
            bits: PAPER_BITS[model],
            keepFractions: Object.fromEntries(layers.map((l) => [l.name, paperKeepFraction(model, l.name)])),
          },
          pipeline: {
            metricName: "none",
            metrics: [],
            retrained: false,
            notes: [
              `synthetic weights (${SYNTHETIC_WEIGHTS.distribution}, ${SYNTHETIC_WEIGHTS.std}, per-channel ` +
                `scale exp(${SYNTHETIC_WEIGHTS.channelScaleLogStd}·N(0,1))); accuracy not measured`,
            ],
          },
          user: { producedBy: "@dcnpi/repro deep-compression", synthetic: SYNTHETIC_WEIGHTS },
        });
        await writer.finish(metadata);
      } catch (error) {
        await writer.abort();
        throw error;
      }
      const inspection = await inspectContainer(path);
      return {
        fileBytes: inspection.fileBytes,
        layerFileBytes: Object.fromEntries(inspection.rows.map((r) => [r.name, r.fileBytes])),
        biasCount,
      };
    },
    containerStageSchema,
  );
  const withFileBytes = results.map((r) => ({
    ...r,
    measured: { ...r.measured, fileBytes: container.layerFileBytes[`${r.measured.layer}/kernel`] ?? r.measured.fileBytes },
  }));
  return {
    model,
    layers: withFileBytes,
    fileBytes: container.fileBytes,
    trueDenseBytes: 4 * (layers.reduce((s, l) => s + l.weights, 0) + biasCount),
    paperBits: results.reduce((s, r) => s + r.measured.paperBits, 0),
  };
}
