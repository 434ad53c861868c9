import "@tensorflow/tfjs-backend-cpu";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { loadGraphModel } from "@tensorflow/tfjs-converter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeNsfwjsModel } from "../test/nsfwjs-models.js";
import { runDcnpi } from "./cli-program.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-cli-graph-"));
const require = createRequire(import.meta.url);
let modelJson = "";

async function dcnpi(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runDcnpi(args, { cwd: scratch, out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

beforeAll(() => {
  modelJson = writeNsfwjsModel("mobilenet_v2_mid", join(scratch, "mid"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("dcnpi on a graph model (nsfwjs mobilenet_v2_mid)", () => {
  it("compresses with the safe default, inspects, and decompresses to a model stock tf.loadGraphModel runs", async () => {
    const compressed = await dcnpi("compress", modelJson, "-o", "mid.dcnpi");
    expect(compressed.code).toBe(0);
    expect(compressed.stderr).toMatch(/graph model \(one-shot: graph models are not retrained\); plan: safe default/);
    expect(compressed.stdout).toMatch(/wrote .*mid\.dcnpi/);
    // The converter's uint8 shards have at most 256 values per kernel: 8-bit sharing is exact, nothing to warn of.
    expect(compressed.stderr).not.toMatch(/outputs were not checked/);
    const size = readFileSync(join(scratch, "mid.dcnpi")).length;
    const shards = readdirSync(join(scratch, "mid")).filter((f) => f.startsWith("group1"));
    const shardBytes = shards.reduce((n, f) => n + readFileSync(join(scratch, "mid", f)).length, 0);
    expect(size).toBeLessThan(shardBytes); // smaller than the converter's uint8 shards

    const inspected = await dcnpi("inspect", "mid.dcnpi");
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toMatch(/quantized/);

    const decompressed = await dcnpi("decompress", "mid.dcnpi", "-o", "restored");
    expect(decompressed.code).toBe(0);
    const restoredJson = join(scratch, "restored", "model.json");
    expect(JSON.parse(readFileSync(restoredJson, "utf8")).format).toBe("graph-model");
    const fetchFunc = async (url: string | URL | Request) =>
      new Response(readFileSync(decodeURIComponent(new URL(url instanceof Request ? url.url : url).pathname)));
    await tf.setBackend("cpu");
    const model = await loadGraphModel(`http://localhost${restoredJson}`, { fetchFunc });
    const probabilities = model.predict(tf.fill([1, 224, 224, 3], 0.5)) as tf.Tensor;
    expect(probabilities.shape).toEqual([1, 5]);
    expect(tf.sum(probabilities).dataSync()[0]).toBeCloseTo(1, 4);
    tf.dispose(probabilities);
    model.dispose();
  });

  it("measures a graph model on real photos with --data (one-shot, as stock tfjs-converter runs it) and writes the checked file", async () => {
    // The five JPEG photos @jimp/test-utils ships, resized to the model's 224 x 224 by --resize.
    const photos = join(scratch, "photos");
    mkdirSync(photos, { recursive: true });
    const images = join(dirname(require.resolve("@jimp/test-utils/package.json")), "images");
    for (const name of ["cops.jpg", "fillbytes.jpg", "hands.jpg", "hands_mx200_rp255.jpg", "panoramic.jpg"])
      writeFileSync(join(photos, name), readFileSync(join(images, name)));
    const run = await dcnpi(
      "compress",
      modelJson,
      "--data",
      "photos",
      "--resize",
      "--holdout",
      "0.4",
      "--plan",
      "safe",
      "-o",
      "mid-data.dcnpi",
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/data: 5 inputs of \[224,224,3\] from .*photos, no labels; 3 for search\/retraining, 2 held out/);
    expect(run.stderr).toMatch(/graph model: one-shot/);
    // The safe plan (8-bit sharing) keeps the class of both held-out photos (the bench measured 100% on 100 windows).
    expect(run.stdout).toMatch(/held-out: top-1 agreement 100\.00% on 2 inputs/);
    expect(run.stdout).toMatch(/wrote .*mid-data\.dcnpi/);
    const file = readFileSync(join(scratch, "mid-data.dcnpi"));
    // The same plan and seed as the plain safe default: the measured file is the same model.
    expect(file.equals(readFileSync(join(scratch, "mid.dcnpi")))).toBe(true);
  }, 600_000);

  it("gives one line naming the file, exit 1 and no output for an unsupported op, lying shard sizes, a model.json of neither kind", async () => {
    const original = readFileSync(modelJson, "utf8");
    const write = (dir: string, json: unknown) => {
      mkdirSync(join(scratch, dir), { recursive: true });
      for (const f of readdirSync(join(scratch, "mid")).filter((f) => f.startsWith("group1"))) {
        writeFileSync(join(scratch, dir, f), readFileSync(join(scratch, "mid", f)));
      }
      writeFileSync(join(scratch, dir, "model.json"), JSON.stringify(json));
      return join(dir, "model.json");
    };
    const badOp = JSON.parse(original);
    badOp.modelTopology.node.find((n: { op: string }) => n.op === "Softmax").op = "SoftmaxDeluxe";
    const shortShards = write("short", JSON.parse(original));
    truncateSync(join(scratch, "short", "group1-shard2of2"), 1000);
    const badDtype = JSON.parse(original);
    badDtype.weightsManifest[0].weights[0].dtype = "complex64";
    const cases: [string, RegExp][] = [
      [write("bad-op", badOp), /^dcnpi: .*bad-op\/model\.json: node ".*" uses op "SoftmaxDeluxe", which TensorFlow\.js .* cannot run\n$/],
      [shortShards, /^dcnpi: .*short\/group1-shard1of2: weight group 0 holds \d+ bytes, its manifest entries need \d+\n$/],
      [write("neither", { modelTopology: { layers: [] }, weightsManifest: [] }), /^dcnpi: .*neither\/model\.json: neither a layers model/],
      [write("bad-dtype", badDtype), /^dcnpi: .*bad-dtype\/model\.json: weight ".*" has dtype "complex64"/],
    ];
    for (const [path, pattern] of cases) {
      const result = await dcnpi("compress", path, "-o", "bad.dcnpi");
      // The engine may log which backend it chose first (only in the first command of a process).
      const errors = result.stderr.split("\n").filter((line) => line.startsWith("dcnpi: "));
      expect(errors, path).toHaveLength(1);
      expect(`${errors[0]}\n`, path).toMatch(pattern);
      expect(result.code, path).toBe(1);
      expect(existsSync(join(scratch, "bad.dcnpi")), path).toBe(false);
    }
  });
});
