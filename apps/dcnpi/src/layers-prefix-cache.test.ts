/**
 * The scan's layers-model shortcut on a real layers model (nsfwjs's mobilenet_v2, Keras functional
 * with residual blocks) and real photos: run from the cut below a changed layer, the model gives the
 * whole model's scores bit for bit, and the model itself (its saved topology) is unchanged by the split.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { layersModelPredictor, modelTopologyOf } from "@dcnpi/deep-compression";
import { loadLayersModelFiles } from "@dcnpi/deep-compression/node";
import { initEngine } from "@dcnpi/engine";
import { readModelWeights, writeModelWeights } from "@dcnpi/tensor/tfjs";
import { tensor, WeightMap } from "@dcnpi/tensor";
import { jimpPhotos224 } from "../test/jimp-photos.js";
import { writeNsfwjsModel } from "../test/nsfwjs-models.js";
import { LayersPrefixCache, splitLayersModel } from "./layers-prefix-cache.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-layers-prefix-"));
let model: LayersModel;
let photos: Float32Array;

beforeAll(async () => {
  await initEngine({ log: () => {} });
  model = (await loadLayersModelFiles(writeNsfwjsModel("mobilenet_v2", join(scratch, "v2")))).model;
  photos = jimpPhotos224();
}, 120_000);
afterAll(() => {
  model.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

describe("LayersPrefixCache on nsfwjs's mobilenet_v2 (layers)", () => {
  it("runs a changed layer's model from the cut and gives the whole model's scores bit for bit", async () => {
    const original = readModelWeights(model);
    const topology = JSON.stringify(await modelTopologyOf(model));
    const names = original.names();
    // The first convolution reads the zero-padded input; a depthwise kernel inside a residual block, its input and the skip.
    expect(
      splitLayersModel(
        model,
        names.find((n) => n.startsWith("Conv1/"))!,
      )!.suffix.inputs,
    ).toHaveLength(1);
    const inBlock = names.find((n) => n === "block_5_depthwise/depthwise_kernel")!;
    expect(splitLayersModel(model, inBlock)!.suffix.inputs).toHaveLength(2);
    expect(
      splitLayersModel(
        model,
        names.find((n) => n.startsWith("Conv_1/"))!,
      )!.suffix.inputs,
    ).toHaveLength(1);

    const cache = new LayersPrefixCache();
    const slices = [photos.subarray(0, 2 * 224 * 224 * 3), photos.subarray(2 * 224 * 224 * 3)];
    const whole = layersModelPredictor(model, [224, 224, 3]);
    const scores: number[][] = [];
    for (const factor of [0.9, 0.5]) {
      const w = original.get(inBlock);
      writeModelWeights(
        model,
        new WeightMap([
          [
            inBlock,
            tensor(
              w.shape,
              (w.data as Float32Array).map((v) => v * factor),
              inBlock,
            ),
          ],
        ]),
      );
      const viaCut = cache.predictor(model, [224, 224, 3], inBlock);
      for (const slice of slices) {
        const cut = Array.from(await viaCut(slice, 2));
        expect(cut).toEqual(Array.from(await whole(slice, 2)));
        scores.push(cut);
      }
    }
    expect(scores[0]).not.toEqual(scores[2]); // the change shows: nothing stale was reused
    writeModelWeights(model, original);
    const tensors = tf.memory().numTensors;
    cache.dispose();
    expect(tf.memory().numTensors).toBeLessThan(tensors);
    // The split applied the same layers to new inputs; the model's own topology is what it was.
    expect(JSON.stringify(await modelTopologyOf(model))).toBe(topology);
  }, 300_000);
});
