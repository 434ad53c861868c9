import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompressionReport } from "@dcnpi/deep-compression";
import { renderVegaLiteSvg, writeReport } from "@dcnpi/report-kit";
import { afterAll, describe, expect, it } from "vitest";
import { codesAndGapsSpec, distributionSpec, initSpec, tradeoffSpec } from "./figures.js";
import type { ImagenetLayerResult } from "./imagenet-experiment.js";
import { histogram, layerDistribution, type Sweep } from "./lenet-figures.js";
import { PAPER_LAYER_TABLES } from "./paper-figures.js";
import type { BeyondOutcome } from "./beyond-report.js";
import { beyondRecipe, lenetRecipe } from "./recipes.js";
import { buildReportBlocks, figureName, type ImagenetOutcome, type LenetOutcome, type RunFacts } from "./report.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-report-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function distribution() {
  const dense = Float32Array.from({ length: 400 }, (_, i) => Math.sin(i * 12.9898) * 0.3);
  const pruned = dense.map((v) => (Math.abs(v) < 0.2 ? 0 : v));
  const codebook = Float32Array.from([0, -0.25, 0.25, 0.28]);
  const codes = Uint8Array.from(pruned, (v) => (v === 0 ? 0 : v < 0 ? 1 : v < 0.265 ? 2 : 3));
  return layerDistribution({
    model: "lenet-300-100",
    layer: "ip1",
    layout: "[20, 20]",
    dense,
    pruned,
    codebook,
    codes,
    weightBits: 2,
    indexBits: 3,
  });
}

const sweep: Sweep = {
  points: [
    { series: "pruning only", sizeRate: 0.3, error: 0.02, bits: null, keepScale: 2, init: null },
    { series: "pruning only", sizeRate: 0.15, error: 0.05, bits: null, keepScale: 1, init: null },
    { series: "quantization only", sizeRate: 0.2, error: 0.017, bits: 6, keepScale: null, init: null },
    { series: "pruning + quantization", sizeRate: 0.03, error: 0.018, bits: 2, keepScale: 1, init: null },
    { series: "pruning + quantization", sizeRate: 0.05, error: 0.017, bits: 4, keepScale: 1, init: null },
  ],
  retrainExamples: 0,
  denseError: 0.016,
  prunedError: null,
};
const initSweep: Sweep = {
  points: ["linear", "density", "random"].flatMap((init, k) =>
    [2, 3, 4].map((bits) => ({ series: init, sizeRate: 0.03, error: 0.1 / bits + k * 0.001, bits, keepScale: 1, init })),
  ),
  retrainExamples: 10_000,
  denseError: 0.016,
  prunedError: 0.0165,
};

describe("histograms and figure data", () => {
  it("histogram bins cover [low, high] and count only included values", () => {
    const h = histogram([-1, -0.5, 0, 0.5, 0.99, 1], -1, 1, 4, [1, 1, 1, 1, 1, 0]);
    expect(h).toEqual({ start: -1, width: 0.5, counts: [1, 1, 1, 2] });
  });

  it("layer distribution: codebook uses, stored codes and gaps including fillers", () => {
    const d = distribution();
    expect(d.codebook.map((c) => c.count).reduce((a, b) => a + b, 0)).toBe(d.pruned.counts.reduce((a, b) => a + b, 0));
    expect(d.codeCounts[0]).toBe(d.fillers);
    expect(d.gapCounts.reduce((a, b) => a + b, 0)).toBe(d.codeCounts.reduce((a, b) => a + b, 0));
  });

  it("every spec renders to SVG with its title", async () => {
    const d = distribution();
    for (const [spec, title] of [
      [distributionSpec(d, "dist title"), "dist title"],
      [codesAndGapsSpec(d, "gaps title"), "gaps title"],
      [tradeoffSpec(sweep, "tradeoff title", [{ label: "pipeline P+Q+H", sizeRate: 0.025, error: 0.016 }]), "tradeoff title"],
      [initSpec(initSweep, "init title"), "init title"],
    ] as const) {
      const svg = await renderVegaLiteSvg(spec);
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg).toContain(title);
    }
  }, 60_000);

  it("figure names are safe file names", () => {
    expect(figureName("vgg16", "conv3_1", "distribution")).toBe("vgg16-conv3-1-distribution");
  });
});

function lenetOutcome(): LenetOutcome {
  const layers = PAPER_LAYER_TABLES["lenet-300-100"].layers.map((r) => {
    const kept = Math.round(r.weights * (r.keptPercent / 100));
    return {
      name: `${r.layer}/kernel`,
      shape: [1, r.weights],
      elementCount: r.weights,
      store: "sparse",
      keptCount: kept,
      keptFraction: kept / r.weights,
      pruneTarget: { keepFraction: r.keptPercent / 100 },
      weightBits: 6,
      indexBits: 5,
      averageWeightBits: 4.5,
      averageIndexBits: 4,
      fillerCount: 100,
      paperBits: (kept + 100) * 8.5 + 64 * 32,
      paperRate: 0,
      fileBytes: 1000,
      kmeans: null,
    };
  });
  const paperBits = layers.reduce((s, l) => s + l.paperBits, 0);
  const report = {
    version: 1,
    metricName: "test error",
    metrics: [
      { stage: "dense", value: 0.0158 },
      { stage: "pruned", value: 0.0171 },
      { stage: "quantized", value: 0.0172 },
      { stage: "fine-tuned", value: 0.0169 },
    ],
    retrained: true,
    layers,
    totals: {
      paper: { denseBytes: 1_064_800, compressedBytes: paperBits / 8, ratio: 1_064_800 / (paperBits / 8) },
      onDisk: { denseBytes: 1_066_440, fileBytes: 31_000, ratio: 34.4 },
    },
    notes: [],
    seconds: {},
  } as unknown as CompressionReport;
  return {
    kind: "lenet",
    model: "lenet-300-100",
    recipe: lenetRecipe("lenet-300-100", "quick"),
    epochs: [{ epoch: 1, meanLoss: 0.2, testError: 0.03, learningRate: 0.002, trainSeconds: 12 }],
    compress: { report, loadedError: 0.0169, fileBytes: 31_000 },
    distributions: [distribution()],
    tradeoff: sweep,
    init: initSweep,
    kmeans: {
      rows: [
        {
          maxIterations: 1,
          converged: false,
          weightBitsHuffman: 4.27,
          indexBitsHuffman: 4.1,
          ratio: 40.1,
          squaredError: 0.44,
          error: 0.017,
        },
        {
          maxIterations: 10_000,
          converged: true,
          weightBitsHuffman: 4.69,
          indexBitsHuffman: 4.1,
          ratio: 38.2,
          squaredError: 0.25,
          error: 0.0165,
        },
      ],
    },
  };
}

function alexnetOutcome(): ImagenetOutcome {
  const layers: ImagenetLayerResult[] = PAPER_LAYER_TABLES.alexnet.layers.map((r) => {
    const kept = Math.round(r.weights * (r.keptPercent / 100));
    const wb = r.layer.startsWith("conv") ? 8 : 5;
    return {
      measured: {
        layer: r.layer,
        weights: r.weights,
        kept,
        fillers: Math.round(kept * 0.2),
        weightBits: wb,
        indexBits: 4,
        weightBitsHuffman: r.weightBitsPQH,
        indexBitsHuffman: r.indexBitsPQH,
        paperBits: Math.round(kept * 1.2 * (r.weightBitsPQH + r.indexBitsPQH)) + 2 ** wb * 32,
        fileBytes: 100,
      },
      kmeans: { iterations: 10, converged: true, emptyClusters: 0 },
      seconds: { generate: 1, prune: 1, quantize: 1, encode: 1, verify: 1 },
      distribution: null,
    };
  });
  return {
    kind: "imagenet",
    result: {
      model: "alexnet",
      layers,
      fileBytes: 7_000_000,
      trueDenseBytes: 243_860_896,
      paperBits: layers.reduce((s, l) => s + l.measured.paperBits, 0),
    },
  };
}

const facts: RunFacts = {
  mode: "quick",
  seed: 1,
  command: "repro deep-compression --model all",
  backend: "wasm",
  gitCommit: "0123456789abcdef",
  gitDirty: false,
  cpu: "test cpu",
  cores: 2,
  node: "v20",
  startedAt: "2026-01-01T00:00:00Z",
  wallSeconds: 300,
  computeSeconds: 310,
  load: { atStart: 4, mean: 5, max: 6, samples: 20 },
  timings: [{ stage: "lenet-300-100.dense-01", seconds: 12, resumed: false }],
  resumedStages: [],
  earlierInvocations: [{ startedAt: "2025-12-31T00:00:00Z", wallSeconds: 2400 }],
  maxResidentMB: 900,
};

describe("the report", () => {
  it("has Table 1 with both ways of counting, the targets with shortfalls and reasons, and says plainly what is synthetic", async () => {
    const blocks = await buildReportBlocks([lenetOutcome(), alexnetOutcome()], facts);
    const text = blocks
      .filter((b) => b.kind === "markdown")
      .map((b) => (b as { text: string }).text)
      .join("\n");
    expect(text).toContain("## Table 1: the whole pipeline");
    expect(text).toMatch(/\| LeNet-300-100 \| 1\.64% \/ 1\.58% \| 1\.58% \/ 1\.69% \|/);
    expect(text).toContain("1,066,440 B → 31,000 B");
    expect(text).toMatch(/\| AlexNet \| 42\.78% \/ not measured \|/);
    expect(text).toContain("**synthetic weights**");
    expect(text).toContain("accuracy is not measured for this model");
    expect(text).toMatch(/test error ≤ 1\.64% .*\| 1\.69% \| \*\*no\*\* \| 0\.05 percentage points above/);
    expect(text).toContain("LeNet-300-100, error: the dense model trained here reached 1.58%");
    expect(text).toContain("† Printed 5.1 in the paper");
    expect(text).toContain("| to convergence (the pipeline) | 4.69 | 4.10 | 38.2x |");
    expect(text).toContain("Load average: 4.00 at start, mean 5.00, max 6.00");
    expect(text).toContain("Earlier invocations of this run directory: 2025-12-31T00:00:00Z (40.0 min).");
    const figures = blocks.filter((b) => b.kind === "figure").map((b) => (b as { name: string }).name);
    expect(figures).toEqual([
      "lenet-300-100-ip1-distribution",
      "lenet-300-100-ip1-codes-gaps",
      "lenet-300-100-fig6-tradeoff",
      "lenet-300-100-fig8-init",
    ]);
    const written = writeReport(scratch, { title: "test", blocks });
    const html = readFileSync(written.htmlPath, "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain("<table>");
  }, 60_000);

  it("with a beyond outcome: the four-column section, the beyond target with its shortfall, every stream, Table 1 unchanged", async () => {
    const paper = lenetOutcome();
    const stream = (stream: "weights" | "indices", huffmanBytes: number) => ({
      layer: "ip1/kernel",
      stream,
      symbols: 10_943,
      bits: stream === "weights" ? 4 : 8,
      entropyBytes: huffmanBytes - 100,
      fixedBytes: 10_943,
      huffmanBytes,
      arithmeticBytes: huffmanBytes - 50,
      contextBytes: huffmanBytes - 80,
    });
    const onDisk = { denseBytes: 1_066_440, fileBytes: 20_399, ratio: 1_066_440 / 20_399 };
    const report = { ...paper.compress.report, totals: { paper: { denseBytes: 1_064_800, compressedBytes: 13_132, ratio: 81.1 }, onDisk } };
    const beyond: BeyondOutcome = {
      kind: "beyond",
      model: "lenet-300-100",
      recipe: beyondRecipe("lenet-300-100", "quick"),
      compress: { report, loadedError: 0.0155, fileBytes: 20_399 },
      streams: [stream("weights", 4713), stream("indices", 5749)],
      paper: { compress: paper.compress, streams: [stream("weights", 13_730)] },
    };
    const text = (await buildReportBlocks([paper, beyond], facts))
      .filter((b) => b.kind === "markdown")
      .map((b) => (b as { text: string }).text)
      .join("\n");
    expect(text).toContain("## Beyond the paper (issue 17): four columns");
    expect(text).toMatch(
      /\| whole file, true bytes vs float32 \| not reported \| 31,000 B, 34\.4x \| not measured \(.*\) \| 20,399 B, 52\.3x \| not measured \(.*\) \|/,
    );
    expect(text).toContain("| top-1 test error (read back from the file) | 1.58% | 1.69% | - | 1.55% | - |");
    expect(text).toContain("Measured 52.3x (**missed** by 18.3%) at 1.55% (met).");
    expect(text).toContain("| ip1/kernel | indices | 10,943 | 8 | 5,649 B | 10,943 B | 5,749 B | 5,699 B | 5,669 B | 1.4% |");
    // Table 1 and the paper's targets still compare the paper's method only.
    const paperOnly = (await buildReportBlocks([paper], facts))
      .filter((b) => b.kind === "markdown")
      .map((b) => (b as { text: string }).text)
      .join("\n");
    expect(text.match(/\| LeNet-300-100 \|/g)).toEqual(paperOnly.match(/\| LeNet-300-100 \|/g));
    expect(paperOnly).not.toContain("Beyond the paper");
  }, 60_000);

  it("with re-encoded files: the third and fifth columns, their targets, and the third column alone for a paper-only run", async () => {
    const paper = lenetOutcome();
    const facts2 = (fileBytes: number, headerBytes: number) => ({
      fileBytes,
      denseBytes: 1_066_440,
      headerBytes,
      paperDenseBits: 1_064_800 * 8,
      paperBits: (fileBytes - headerBytes - 1000) * 8,
    });
    const stream = { layer: "ip1/kernel", stream: "weights" as const, symbols: 20_000, bits: 5, entropyBytes: 11_000 };
    const reencoded = {
      file: "lenet-300-100.v2.dcnpi",
      source: facts2(31_000, 5_000),
      v2: facts2(26_661, 500),
      loadedError: 0.0169,
      streams: [{ ...stream, fixedBytes: 12_500, huffmanBytes: 11_900, arithmeticBytes: 11_100, contextBytes: 10_900 }],
    };
    const withV2: LenetOutcome = { ...paper, reencoded };
    const markdown = async (outcomes: Parameters<typeof buildReportBlocks>[0]) =>
      (await buildReportBlocks(outcomes, facts))
        .filter((b) => b.kind === "markdown")
        .map((b) => (b as { text: string }).text)
        .join("\n");
    const alone = await markdown([withV2]);
    expect(alone).toContain("## The paper's method + arithmetic coder + binary header (issue 17): the third column");
    expect(alone).toMatch(
      /\| whole file, true bytes vs float32 \| not reported \| 31,000 B, 34\.4x \| 26,661 B, 40\.0x \| not run \(--method paper\) \| not run/,
    );
    expect(alone).toContain("| preamble + header + trailer (share of the file) | not reported | 5,000 B (16.13%) | 500 B (1.88%) |");
    expect(alone).toContain("Measured 40.0x (met) at 1.69% (**missed** by 0.05 points); file `lenet-300-100.v2.dcnpi`.");
    expect(alone).toContain("| ip1/kernel | weights | 20,000 | 5 | 11,000 B | 12,500 B | 11,900 B | 11,100 B | 10,900 B | 8.4% |");
    const beyond: BeyondOutcome = {
      kind: "beyond",
      model: "lenet-300-100",
      recipe: beyondRecipe("lenet-300-100", "quick"),
      compress: paper.compress,
      streams: reencoded.streams,
      reencoded: { ...reencoded, file: "lenet-300-100.beyond.v2.dcnpi", v2: facts2(16_000, 400) },
      paper: { compress: paper.compress, streams: reencoded.streams, reencoded },
    };
    const both = await markdown([withV2, beyond]);
    // The paper-only section gives way to the beyond section, which has all five columns.
    expect(both).not.toContain("the third column");
    expect(both).toMatch(/\| 26,661 B, 40\.0x \| 31,000 B, 34\.4x \| 16,000 B, 66\.7x \|/);
    expect(both).toContain("Beyond + arithmetic coder + binary header target: ≥ 64x in true bytes at ≤ 1.64% error. Measured 66.7x (met)");
  }, 60_000);
});
