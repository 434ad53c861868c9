import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { formatInspection, inspectContainerBytes, parseContainer, serializeContainer } from "@dcnpi/sparse-format";
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

  it("re-encodes with the arithmetic coder and the binary header (format version 2): same weights and metadata, smaller", async () => {
    const net = stageTestNet(62);
    const { bytes } = await compress(net.target, stageTestPlan, { rng: Rng.fromSeed(4) });
    net.dispose();
    const original = await parseCompressedWeights(bytes!);
    let previous = bytes!.length;
    for (const container of [{ coder: "best" }, { header: "binary" }, { coder: "best", header: "binary" }] as const) {
      const v2 = serializeContainer(reencodeContainer(await parseContainer(bytes!), "smallest", container));
      expect(v2[8], JSON.stringify(container)).toBe(2);
      const reencoded = await parseCompressedWeights(v2);
      expect(reencoded.metadata).toEqual(original.metadata);
      for (const { name, tensor } of original.weights)
        expect(Array.from(reencoded.weights.get(name).data), name).toEqual(Array.from(tensor.data));
      if (container.coder === "best" && container.header === "binary") expect(v2.length).toBeLessThanOrEqual(previous);
      // inspect names the header as stored.
      const headerRow = formatInspection(await inspectContainerBytes(v2)).match(/^\((JSON|binary) header\) +overhead/m);
      expect(headerRow?.[1], JSON.stringify(container)).toBe("header" in container ? "binary" : "JSON");
      previous = Math.min(previous, v2.length);
    }
    expect(previous).toBeLessThan(bytes!.length);
    // The explicit defaults are the version-1 file itself.
    const defaults = serializeContainer(reencodeContainer(await parseContainer(bytes!), "smallest", { coder: "huffman", header: "json" }));
    expect(Buffer.from(defaults).equals(Buffer.from(bytes!))).toBe(true);
  });

  it("compress with coder best and the binary header writes a version-2 file holding the same weights as the default run", async () => {
    const a = stageTestNet(63);
    const paper = await compress(a.target, stageTestPlan, { rng: Rng.fromSeed(5) });
    a.dispose();
    const b = stageTestNet(63);
    const beyond = await compress(b.target, stageTestPlan, { rng: Rng.fromSeed(5), coder: "best", header: "binary" });
    b.dispose();
    expect(beyond.bytes![8]).toBe(2);
    expect(beyond.bytes!.length).toBeLessThan(paper.bytes!.length);
    const x = await parseCompressedWeights(paper.bytes!);
    const y = await parseCompressedWeights(beyond.bytes!);
    for (const { name, tensor } of x.weights) expect(Array.from(y.weights.get(name).data), name).toEqual(Array.from(tensor.data));
    const c = stageTestNet(64);
    await expect(compress(c.target, stageTestPlan, { rng: Rng.fromSeed(5), coder: "fast" as "best" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    c.dispose();
  });

  it("lean metadata keeps what loading needs and drops the plan and the stage metrics (version 2 only)", async () => {
    const net = stageTestNet(65);
    const { bytes } = await compress(net.target, stageTestPlan, { rng: Rng.fromSeed(6) });
    net.dispose();
    const original = await parseCompressedWeights(bytes!);
    expect(original.metadata.pipeline?.metricName).toBeDefined();
    expect(original.metadata.plan).toBeDefined();
    const full = serializeContainer(reencodeContainer(await parseContainer(bytes!), "smallest", { coder: "best", header: "binary" }));
    const lean = serializeContainer(
      reencodeContainer(await parseContainer(bytes!), "smallest", { coder: "best", header: "binary", metadata: "lean" }),
    );
    expect(lean.length).toBeLessThan(full.length);
    const read = await parseCompressedWeights(lean);
    const { plan: _plan, pipeline: _pipeline, ...kept } = original.metadata;
    expect(read.metadata).toEqual(kept);
    expect(read.metadata.weightOrder).toEqual(original.metadata.weightOrder);
    for (const { name, tensor } of original.weights) expect(Array.from(read.weights.get(name).data), name).toEqual(Array.from(tensor.data));
    // Asked for alone, lean metadata makes a version-2 file: no version-1 reader meets a file without them.
    const alone = serializeContainer(reencodeContainer(await parseContainer(bytes!), "smallest", { metadata: "lean" }));
    expect(alone[8]).toBe(2);
    expect(() =>
      reencodeContainer({ layers: [], denseTensors: [], metadata: {} } as never, "smallest", { metadata: "thin" as "lean" }),
    ).toThrow(/metadata must be "full" or "lean"/);
  });
});
