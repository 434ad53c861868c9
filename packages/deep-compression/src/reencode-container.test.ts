import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { inspectContainerBytes, parseContainer, serializeContainer } from "@dcnpi/sparse-format";
import { Rng } from "@dcnpi/tensor";
import { compress } from "./compress.js";
import { parseCompressedWeights } from "./load-compressed.js";
import { reencodeContainer } from "./reencode-container.js";
import { stageTestNet, stageTestPlan } from "./stage-test-net.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("reencodeContainer", () => {
  it("re-encodes the streams under another Huffman policy: same weights, metadata and stored layout", async () => {
    const net = stageTestNet(61);
    const { bytes } = await compress(net.target, stageTestPlan, { rng: Rng.fromSeed(3) });
    net.dispose();
    const fixed = serializeContainer(reencodeContainer(await parseContainer(bytes!), "never"));
    const inspection = await inspectContainerBytes(fixed);
    expect(inspection.rows.map((r) => r.name).sort()).toEqual(["hidden/bias", "hidden/kernel", "output/kernel"]);
    const original = await parseCompressedWeights(bytes!);
    const reencoded = await parseCompressedWeights(fixed);
    expect(reencoded.metadata).toEqual(original.metadata);
    for (const { name, tensor } of original.weights)
      expect(Array.from(reencoded.weights.get(name).data), name).toEqual(Array.from(tensor.data));
    // The pipeline's own policy (`huffman: true` is `smallest`) gives back the very same file.
    expect(Buffer.from(serializeContainer(reencodeContainer(await parseContainer(bytes!), "smallest"))).equals(Buffer.from(bytes!))).toBe(
      true,
    );
    expect(Buffer.from(serializeContainer(reencodeContainer(await parseContainer(fixed), "never"))).equals(Buffer.from(fixed))).toBe(true);
  });
});
