/**
 * What the scan's graph shortcut (`GraphPrefixCache`) saves per candidate on nsfwjs's
 * mobilenet_v2_mid: one slice of 55 photo windows (as the search runs it) through the whole graph
 * and from the cut below each of three kernels (the first convolution, a depthwise kernel in the
 * middle, the largest 1x1 convolution near the end), alternating, three rounds each, in one run.
 * Run: npx tsx --conditions=@dcnpi/source apps/dcnpi/bench/graph-prefix.ts
 */
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { machineInfo, printTable, recordBenchResult } from "@dcnpi/bench-kit";
import { readTargetWeights } from "@dcnpi/deep-compression";
import { loadModelTarget } from "@dcnpi/deep-compression/node";
import { initEngine } from "@dcnpi/engine";
import { writeNsfwjsModel } from "../test/nsfwjs-models.js";
import { graphCut, GraphPrefixCache } from "../src/graph-prefix-cache.js";
import { graphFromTarget, graphModelPredictor } from "../src/graph-predictor.js";
import { photoWindows } from "./photo-windows.js";

const engine = await initEngine({ log: () => {} });
const scratch = mkdtempSync(join(tmpdir(), "dcnpi-prefix-bench-"));
const loaded = await loadModelTarget(writeNsfwjsModel("mobilenet_v2_mid", join(scratch, "mid")));
const spec = loaded.graphModel!;
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
const names = readTargetWeights(loaded.target).names();
const graph = await graphFromTarget(loaded.target, spec);
const output = graph.outputNodes[0]!;
const kernels = [
  /MobilenetV2\/Conv\/Conv2D_weights$/,
  /expanded_conv_8\/depthwise\/depthwise_weights$/,
  /MobilenetV2\/Conv_1\/Conv2D_weights$/,
].map((pattern) => names.find((n) => pattern.test(n))!);
const whole = graphModelPredictor(graph, [224, 224, 3]);
const ms = async (f: () => Promise<unknown> | unknown) => {
  const started = performance.now();
  await f();
  return performance.now() - started;
};
await whole(inputs, windows.length); // warm-up
const rows: Record<string, string | number>[] = [];
for (const kernel of kernels) {
  const cache = new GraphPrefixCache(spec);
  const viaCut = cache.predictor(graph, [224, 224, 3], kernel);
  const fill = await ms(() => viaCut(inputs, windows.length));
  const times = { whole: [] as number[], cut: [] as number[] };
  for (let round = 0; round < 3; round++) {
    times.whole.push(await ms(() => whole(inputs, windows.length)));
    times.cut.push(await ms(() => viaCut(inputs, windows.length)));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
  rows.push({
    kernel: kernel.split("/").slice(-3).join("/"),
    "cut tensors": String(graphCut(spec, kernel, output)?.length ?? 0),
    "first run (fills) ms": fill.toFixed(0),
    "whole graph ms": median(times.whole).toFixed(0),
    "from the cut ms": median(times.cut).toFixed(0),
    "x faster": (median(times.whole) / median(times.cut)).toFixed(2),
  });
  cache.dispose();
}
graph.dispose();
loaded.dispose();
rmSync(scratch, { recursive: true, force: true });
printTable(
  `mobilenet_v2_mid, ${windows.length} photo windows per slice (backend ${engine.backend}; medians of 3 alternating rounds)`,
  rows,
);
recordBenchResult("dcnpi-graph-prefix", { backend: engine.backend, machine: machineInfo(), rows });
