import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMnist } from "@dcnpi/datasets";
import { buildLenet300100 } from "@dcnpi/model-zoo";
import { SparseFormatError } from "@dcnpi/sparse-format";
import { Rng } from "@dcnpi/tensor";
import { compress } from "./compress.js";
import { dcnpiModel } from "./dcnpi-model.js";
import { CompressionError } from "./errors.js";
import { dcnpiModelFile } from "./node/dcnpi-model-file.js";
import { loadCompressed } from "./node/load-compressed-file.js";
import type { CompressionPlanInput } from "./plan.js";

// LeNet-300-100 trained briefly on real MNIST, then compressed with the paper's keep fractions
// (one-shot: no retraining), stored output-major (Caffe order) so loading has to transpose back.
const plan: CompressionPlanInput = {
  version: 1,
  rules: [
    { match: { role: "bias" }, store: "dense" },
    { match: { name: "ip1/kernel" }, store: "compressed", prune: { keepFraction: 0.08 }, weightBits: 6, indexBits: 5, indexOrder: "caffe" },
    { match: { name: "ip2/kernel" }, store: "compressed", prune: { keepFraction: 0.09 }, weightBits: 6, indexBits: 5 },
    { match: { name: "ip3/kernel" }, store: "compressed", prune: { keepFraction: 0.26 }, weightBits: 6, indexBits: 5 },
  ],
};

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-iohandler-"));
let bytes: Uint8Array;
let file: string;
let reference: tfl.LayersModel;
let images: tf.Tensor2D;
let server: Server;
let base: string;

/** Small enough that the ~30 KB LeNet arrives in several pieces. */
const CHUNK_BYTES = 4096;

/** Routes of the test server: the file whole, cut short, damaged, or broken off mid-body. */
function serve(path: string, response: import("node:http").ServerResponse): void {
  const send = (body: Uint8Array, declared = body.length) => {
    response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(declared) });
    // Several chunks with a pause between them, so the client sees the body arrive piece by piece.
    let offset = 0;
    const next = () => {
      if (offset >= body.length) {
        if (declared > body.length) response.destroy();
        else response.end();
        return;
      }
      response.write(body.subarray(offset, offset + CHUNK_BYTES));
      offset += CHUNK_BYTES;
      setTimeout(next, 2);
    };
    next();
  };
  if (path === "/lenet.dcnpi") send(bytes);
  else if (path === "/cut.dcnpi") send(bytes.subarray(0, Math.floor(bytes.length / 2)));
  else if (path === "/broken.dcnpi") send(bytes.subarray(0, Math.floor(bytes.length / 2)), bytes.length);
  else if (path === "/damaged.dcnpi") {
    const damaged = bytes.slice();
    damaged[100] = damaged[100]! ^ 0x55; // inside the first entry's sections: its CRC no longer matches
    send(damaged);
  } else {
    response.writeHead(404);
    response.end();
  }
}

beforeAll(async () => {
  await tf.setBackend("cpu");
  const train = loadMnist({ split: "train", limit: 2000 });
  const test = loadMnist({ split: "test", limit: 100 });
  const model = buildLenet300100(Rng.fromSeed(1));
  const xs = tf.tensor2d(train.images, [train.count, 784]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(train.labels), "int32"), 10).toFloat());
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
  await model.fit(xs, ys, { epochs: 1, batchSize: 64, shuffle: false, verbose: 0 });
  tf.dispose([xs, ys]);
  const result = await compress(model, plan, { rng: Rng.fromSeed(2) });
  model.dispose();
  bytes = result.bytes!;
  file = join(scratch, "lenet-300-100.dcnpi");
  writeFileSync(file, bytes);
  reference = await loadCompressed(file);
  images = tf.tensor2d(test.images, [test.count, 784]);
  server = createServer((request, response) => serve(request.url ?? "", response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  reference?.dispose();
  images?.dispose();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

async function expectSamePredictions(model: tfl.LayersModel): Promise<void> {
  const [want, got] = tf.tidy(() => [reference.predict(images) as tf.Tensor, model.predict(images) as tf.Tensor]);
  // Bit for bit: the same weights (codebook[codes]) through the same backend.
  expect(Array.from(await got!.data())).toEqual(Array.from(await want!.data()));
  const argMax = got!.argMax(-1);
  const classes = Array.from(await argMax.data());
  expect(new Set(classes).size).toBeGreaterThan(1); // a trained model: not one class for everything
  tf.dispose([want!, got!, argMax]);
}

describe("dcnpiModel: a tfjs IOHandler over .dcnpi bytes", () => {
  it("tf.loadLayersModel(dcnpiModel(bytes)) predicts exactly what loadCompressed's model predicts on 100 MNIST test images", async () => {
    const before = tf.memory().numTensors;
    for (const source of [bytes, bytes.slice().buffer, new Blob([bytes]), new Response(bytes)]) {
      const model = await tfl.loadLayersModel(dcnpiModel(source));
      await expectSamePredictions(model);
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("returns the stored format, topology and one weight spec per weight, in the model's order", async () => {
    const artifacts = await dcnpiModel(bytes).load!();
    expect(artifacts.format).toBe("layers-model");
    expect((artifacts.modelTopology as { class_name?: string }).class_name).toBe("Sequential");
    expect(artifacts.weightSpecs!.map((s) => `${s.name}:${s.shape.join("x")}`)).toEqual([
      "ip1/kernel:784x300",
      "ip1/bias:300",
      "ip2/kernel:300x100",
      "ip2/bias:100",
      "ip3/kernel:100x10",
      "ip3/bias:10",
    ]);
  });

  it("dcnpiModelFile(path) is the same handler over a file", async () => {
    const fractions: number[] = [];
    const model = await tfl.loadLayersModel(dcnpiModelFile(file, { onProgress: (f) => fractions.push(f) }));
    await expectSamePredictions(model);
    model.dispose();
    expect(fractions.at(-1)).toBe(1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });

  it("fetches a URL: onProgress rises monotonically through the download and ends at exactly 1", async () => {
    const fractions: number[] = [];
    const model = await tfl.loadLayersModel(dcnpiModel(`${base}/lenet.dcnpi`, { onProgress: (f) => fractions.push(f) }));
    await expectSamePredictions(model);
    model.dispose();
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThan(fractions[i - 1]!);
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    // The body came in several pieces: progress was reported between the start and the decode.
    expect(fractions.filter((f) => f > 0 && f < 0.9).length).toBeGreaterThan(1);
  });

  it("rejects cut, broken-off, damaged and missing downloads with typed errors, building nothing", async () => {
    const before = tf.memory().numTensors;
    const failure = async (path: string) => {
      const error = await tfl.loadLayersModel(dcnpiModel(`${base}${path}`)).catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(SparseFormatError);
      return error as SparseFormatError;
    };
    expect((await failure("/cut.dcnpi")).code).toBe("TRUNCATED");
    expect((await failure("/broken.dcnpi")).code).toBe("TRUNCATED");
    expect((await failure("/damaged.dcnpi")).code).toBe("CRC_MISMATCH");
    const missing = await failure("/missing.dcnpi");
    expect(missing.code).toBe("IO_ERROR");
    expect(missing.message).toContain("HTTP 404");
    expect(tf.memory().numTensors).toBe(before);
  });

  it("applies the read limits to a download: too large for maxFileBytes, or declaring more than maxTotalBytes", async () => {
    const small = await dcnpiModel(`${base}/lenet.dcnpi`, { maxFileBytes: 1000 }).load!().catch((e: unknown) => e);
    expect(small).toMatchObject({ name: "SparseFormatError", code: "LIMIT_EXCEEDED" });
    const tight = await dcnpiModel(bytes, { maxTotalBytes: 1000 }).load!().catch((e: unknown) => e);
    expect(tight).toMatchObject({ name: "SparseFormatError", code: "LIMIT_EXCEEDED" });
    expect(() => dcnpiModel(42 as never)).not.toThrow(); // checked when tfjs calls load()
    await expect(dcnpiModel(42 as never).load!()).rejects.toThrow(CompressionError);
  });
});
