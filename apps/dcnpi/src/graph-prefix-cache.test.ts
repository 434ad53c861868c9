/**
 * The scan's graph shortcut on a real graph model (nsfwjs's mobilenet_v2_mid) and real photos: run
 * from the cut below a changed weight, the model gives the same scores, bit for bit, as the whole
 * graph with that weight; the cut holds the skip connection inside a residual block.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTargetWeights, writeTargetWeights } from "@dcnpi/deep-compression";
import { loadModelTarget, type ModelTarget } from "@dcnpi/deep-compression/node";
import { initEngine } from "@dcnpi/engine";
import { tensor, WeightMap } from "@dcnpi/tensor";
import { jimpPhotos224 } from "../test/jimp-photos.js";
import { writeNsfwjsModel } from "../test/nsfwjs-models.js";
import { graphCut, GraphPrefixCache } from "./graph-prefix-cache.js";
import { graphFromTarget, graphModelPredictor } from "./graph-predictor.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-prefix-"));
let loaded: ModelTarget;
let photos: Float32Array;

beforeAll(async () => {
  await initEngine({ log: () => {} });
  loaded = await loadModelTarget(writeNsfwjsModel("mobilenet_v2_mid", join(scratch, "mid")));
  photos = jimpPhotos224();
}, 120_000);
afterAll(() => {
  loaded.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

/** `name` scaled by `factor`, everything else as the original. */
function withScaled(original: WeightMap, name: string, factor: number): WeightMap {
  return new WeightMap(
    [...original].map((w) =>
      w.name === name
        ? {
            ...w,
            tensor: tensor(
              w.tensor.shape,
              (w.tensor.data as Float32Array).map((v) => v * factor),
              name,
            ),
          }
        : w,
    ),
  );
}

describe("GraphPrefixCache on nsfwjs's mobilenet_v2_mid", () => {
  it("runs a changed weight's graph from the cut and gives the whole graph's scores bit for bit", async () => {
    const spec = loaded.graphModel!;
    const original = readTargetWeights(loaded.target);
    const names = original.names();
    const output = (await graphFromTarget(loaded.target, spec)).outputNodes[0]!;
    // The first convolution reads the scaled input (hub_input/Sub); a depthwise kernel inside a residual block, its input and the skip.
    const first = names.find((n) => /MobilenetV2\/Conv\/Conv2D_weights$/.test(n))!;
    expect(graphCut(spec, first, output)).toEqual([expect.stringMatching(/hub_input\/Sub$/)]);
    const inBlock = names.find((n) => /expanded_conv_5\/depthwise\/depthwise_weights$/.test(n))!;
    expect(graphCut(spec, inBlock, output)!.length).toBe(2);

    const cache = new GraphPrefixCache(spec);
    const slices = [photos.subarray(0, 2 * 224 * 224 * 3), photos.subarray(2 * 224 * 224 * 3)];
    for (const factor of [0.9, 0.8, 1.1]) {
      writeTargetWeights(loaded.target, withScaled(original, inBlock, factor));
      const graph = await graphFromTarget(loaded.target, spec);
      const viaCut = cache.predictor(graph, [224, 224, 3], inBlock);
      const whole = graphModelPredictor(graph, [224, 224, 3]);
      for (const slice of slices) expect(Array.from(await viaCut(slice, 2))).toEqual(Array.from(await whole(slice, 2)));
      graph.dispose();
    }
    // The scores do move with the weight: the cut did not hide the change.
    writeTargetWeights(loaded.target, original);
    const graph = await graphFromTarget(loaded.target, spec);
    const again = await cache.predictor(graph, [224, 224, 3], inBlock)(slices[0]!, 2);
    expect(Array.from(again)).toEqual(Array.from(await graphModelPredictor(graph, [224, 224, 3])(slices[0]!, 2)));
    writeTargetWeights(loaded.target, withScaled(original, inBlock, 0.5));
    const halved = await graphFromTarget(loaded.target, spec);
    expect(Array.from(await cache.predictor(halved, [224, 224, 3], inBlock)(slices[0]!, 2))).not.toEqual(Array.from(again));
    const tensors = tf.memory().numTensors;
    cache.dispose();
    expect(tf.memory().numTensors).toBeLessThan(tensors);
    graph.dispose();
    halved.dispose();
    writeTargetWeights(loaded.target, original);
  }, 300_000);
});
