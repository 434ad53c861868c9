/**
 * What the scan's shortcut saves per candidate (`GraphPrefixCache`, `LayersPrefixCache`) on nsfwjs's
 * two MobileNetV2s: one slice of 55 photo windows (as the search runs it) through the whole model and
 * from the cut below each of three kernels (the first convolution, a depthwise kernel in the middle,
 * the largest 1x1 convolution near the end), alternating, three rounds each, in one run.
 * Run: npx tsx --conditions=@dcnpi/source apps/dcnpi/bench/scan-cut.ts
 */
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { machineInfo, printTable, recordBenchResult } from "@dcnpi/bench-kit";
import { layersModelPredictor, readTargetWeights, type PredictBatch } from "@dcnpi/deep-compression";
import { loadModelTarget } from "@dcnpi/deep-compression/node";
import { initEngine } from "@dcnpi/engine";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { writeNsfwjsModel } from "../test/nsfwjs-models.js";
import { graphCut, GraphPrefixCache } from "../src/graph-prefix-cache.js";
import { graphFromTarget, graphModelPredictor } from "../src/graph-predictor.js";
import { LayersPrefixCache, splitLayersModel } from "../src/layers-prefix-cache.js";
import { photoWindows } from "./photo-windows.js";

const SHAPE = [224, 224, 3];
const engine = await initEngine({ log: () => {} });
const scratch = mkdtempSync(join(tmpdir(), "dcnpi-scan-cut-"));
const require = createRequire(import.meta.url);
const images = join(dirname(require.resolve("@jimp/test-utils/package.json")), "images");
const windows = ["cops", "fillbytes", "hands", "panoramic"].flatMap((p) => photoWindows(join(images, `${p}.jpg`), 224, 14)).slice(0, 55);
const inputs = new Float32Array(windows.length * 224 * 224 * 3);
windows.forEach((w, i) =>
  inputs.set(
    Float32Array.from(w, (v) => v / 255),
    i * 224 * 224 * 3,
  ),
);
const ms = async (f: () => Promise<unknown> | unknown) => {
  const started = performance.now();
  await f();
  return performance.now() - started;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: Record<string, string | number>[] = [];

/** One model: `viaCut(kernel)` predicts from the cut below that kernel; `fed(kernel)` counts the values fed. */
async function measure(
  model: string,
  whole: PredictBatch,
  kernels: string[],
  viaCut: (k: string) => PredictBatch,
  fed: (k: string) => number,
) {
  await whole(inputs, windows.length); // warm-up
  for (const kernel of kernels) {
    const predict = viaCut(kernel);
    const fill = await ms(() => predict(inputs, windows.length));
    const times = { whole: [] as number[], cut: [] as number[] };
    for (let round = 0; round < 3; round++) {
      times.whole.push(await ms(() => whole(inputs, windows.length)));
      times.cut.push(await ms(() => predict(inputs, windows.length)));
    }
    rows.push({
      model,
      kernel: kernel.split("/").slice(-3).join("/"),
      "values fed": String(fed(kernel)),
      "first run (fills) ms": fill.toFixed(0),
      "whole model ms": median(times.whole).toFixed(0),
      "from the cut ms": median(times.cut).toFixed(0),
      "x faster": (median(times.whole) / median(times.cut)).toFixed(2),
    });
  }
}

{
  const loaded = await loadModelTarget(writeNsfwjsModel("mobilenet_v2_mid", join(scratch, "mid")));
  const spec = loaded.graphModel!;
  const names = readTargetWeights(loaded.target).names();
  const graph = await graphFromTarget(loaded.target, spec);
  const kernels = [
    /MobilenetV2\/Conv\/Conv2D_weights$/,
    /expanded_conv_8\/depthwise\/depthwise_weights$/,
    /MobilenetV2\/Conv_1\/Conv2D_weights$/,
  ].map((pattern) => names.find((n) => pattern.test(n))!);
  const cache = new GraphPrefixCache(spec);
  await measure(
    "mobilenet_v2_mid (graph)",
    graphModelPredictor(graph, SHAPE),
    kernels,
    (k) => cache.predictor(graph, SHAPE, k),
    (k) => graphCut(spec, k, graph.outputNodes[0]!)?.length ?? 0,
  );
  cache.dispose();
  graph.dispose();
  loaded.dispose();
}
{
  const loaded = await loadModelTarget(writeNsfwjsModel("mobilenet_v2", join(scratch, "v2")));
  const model = loaded.target as LayersModel;
  const kernels = ["Conv1/kernel", "block_8_depthwise/depthwise_kernel", "Conv_1/kernel"];
  const cache = new LayersPrefixCache();
  await measure(
    "mobilenet_v2 (layers)",
    layersModelPredictor(model, SHAPE),
    kernels,
    (k) => cache.predictor(model, SHAPE, k),
    (k) => splitLayersModel(model, k)?.suffix.inputs.length ?? 0,
  );
  cache.dispose();
  loaded.dispose();
}
rmSync(scratch, { recursive: true, force: true });
printTable(
  `nsfwjs MobileNetV2s, ${windows.length} photo windows per slice (backend ${engine.backend}; medians of 3 alternating rounds)`,
  rows,
);
recordBenchResult("dcnpi-scan-cut", { backend: engine.backend, machine: machineInfo(), rows });
