/**
 * `pnpm --filter @dcnpi/web bench`: the browser benchmarks of issue 15, in headless Chromium.
 *
 *   npx --yes pnpm@12.4.2 --filter @dcnpi/web bench [--lenet5-run results/dc-lenet-5-quick-seed1] [--conv2m-run <dir>]
 *     [--npi-checkpoint <dir>] [--runs 3]
 *
 * `--conv2m-run`: a run directory of apps/repro's src/deep-compression/conv-2m.ts (the wide LeNet-5,
 * 2.05 M parameters, compressed with retraining); without it that model is skipped.
 *
 * For each model and each form (.dcnpi, tfjs float32 shards, tfjs uint8 shards): bytes over the wire
 * (raw and gzipped), decode time (bytes in memory → a ready model), first prediction, and the time
 * to first prediction at a simulated 10 Mbit/s: gzipped bytes ÷ bandwidth + decode + first predict.
 * Then the sparse × codebook mat-vec (compileMatVec) against tfjs dense for the fully connected
 * layers on the wasm and WebGL backends (WebGL through SwiftShader: no GPU here).
 * Times are the minimum over `--runs` fresh loads after one warm-up round; results in bench-results/web-browser.json.
 */
import { mkdirSync, symlinkSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import "@tensorflow/tfjs-backend-cpu";
import { machineInfo, printTable, recordBenchResult } from "@dcnpi/bench-kit";
import { build } from "vite";
import type { Page } from "playwright-core";
import { launchChromium } from "../test/chromium.js";
import { serveDirectory } from "../test/static-server.js";
import { prepareBenchModels, type BenchModel } from "./prepare-models.js";
import type { LoadTiming, MatVecTiming } from "../src/bench-page.js";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const repoDir = resolve(appDir, "../..");
const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const cwd = process.env["INIT_CWD"] ?? process.cwd();
const runs = Number(flag("runs") ?? 3);
const BANDWIDTH_BITS_PER_S = 10e6;
const FORMATS = ["dcnpi", "float32", "uint8"] as const;
const MATVEC_LAYERS: Record<string, string[]> = {
  "lenet-300-100": ["ip1/kernel", "ip2/kernel", "ip3/kernel"],
  "lenet-5": ["ip1/kernel", "ip2/kernel"],
  "conv-2m": ["ip1/kernel", "ip2/kernel"],
};

async function openBench(
  browser: Awaited<ReturnType<typeof launchChromium>>,
  url: string,
  backend: string,
): Promise<{ page: Page; backend: string }> {
  const page = await browser.newPage();
  page.on("pageerror", (error) => console.error(`pageerror (${backend}): ${error.message}`));
  await page.goto(`${url}bench.html?backend=${backend}`);
  return { page, backend: await page.evaluate(() => window.dcnpiBench.backend) };
}

async function main(): Promise<void> {
  console.log("building the app…");
  await build({ root: appDir, configFile: `${appDir}vite.config.ts`, logLevel: "error" });
  const dist = `${appDir}dist`;
  console.log("preparing the models…");
  // Outside dist/ (which every build empties), so the MobileNet's one-shot compression runs once.
  const cache = `${appDir}.bench-cache`;
  mkdirSync(cache, { recursive: true });
  symlinkSync(cache, `${dist}/bench-models`);
  const models = await prepareBenchModels(cache, {
    lenet5Run: resolve(cwd, flag("lenet5-run") ?? resolve(repoDir, "results/dc-lenet-5-quick-seed1")),
    conv2mRun: flag("conv2m-run") === undefined ? undefined : resolve(cwd, flag("conv2m-run")!),
    npiCheckpoint: flag("npi-checkpoint") === undefined ? undefined : resolve(cwd, flag("npi-checkpoint")!),
  });
  const server = await serveDirectory(dist);
  const browser = await launchChromium({ webgl: true });
  try {
    const wasm = await openBench(browser, server.url, "wasm");
    const loads: Record<string, Record<string, LoadTiming & { gzipBytes: number; ttfpMs: number }>> = {};
    const loadRows: Record<string, string | number>[] = [];
    for (const model of models) {
      loads[model.name] = {};
      // Round 0 warms up (JIT, tfjs kernels, the first model build); the forms take turns in every round.
      const best: Partial<Record<(typeof FORMATS)[number], LoadTiming>> = {};
      for (let r = 0; r <= runs; r++) {
        for (const format of FORMATS) {
          const t = await wasm.page.evaluate(([base, kind, f, shape]) => window.dcnpiBench.loadAndPredict(base, kind, f, shape), [
            `bench-models/${model.name}`,
            model.kind,
            format,
            model.inputShape,
          ] as const);
          if (r === 0) continue;
          const b = best[format];
          best[format] =
            b === undefined
              ? t
              : { ...t, decodeMs: Math.min(b.decodeMs, t.decodeMs), firstPredictMs: Math.min(b.firstPredictMs, t.firstPredictMs) };
        }
      }
      for (const format of FORMATS) {
        const t = best[format]!;
        const size = model.formats[format];
        const ttfpMs = ((size.gzipBytes * 8) / BANDWIDTH_BITS_PER_S) * 1000 + t.decodeMs + t.firstPredictMs;
        loads[model.name]![format] = { ...t, gzipBytes: size.gzipBytes, ttfpMs };
      }
      const l = loads[model.name]!;
      for (const format of FORMATS) {
        const t = l[format]!;
        loadRows.push({
          model: model.name,
          form: format,
          bytes: model.formats[format].bytes,
          "gzip bytes": t.gzipBytes,
          "decode ms": t.decodeMs,
          "decoded MB/s": format === "dcnpi" ? (model.parameters * 4) / 1e6 / (t.decodeMs / 1000) : "",
          "1st predict ms": t.firstPredictMs,
          "TTFP@10Mbit/s ms": t.ttfpMs,
          "vs .dcnpi": t.ttfpMs / l["dcnpi"]!.ttfpMs,
          output: t.output,
        });
      }
    }
    printTable(
      `load → first prediction in Chromium (wasm backend; min of ${runs}; TTFP = gzip bytes at 10 Mbit/s + decode + first predict)`,
      loadRows,
    );

    // Where decode time goes, without tfjs: the container alone, then on to dense float32 weights.
    const decodeRows: Record<string, string | number>[] = [];
    const decodeSteps: Record<string, { parseContainerMs: number; parseCompressedWeightsMs: number }> = {};
    for (const model of models) {
      const steps = await wasm.page.evaluate(([u, n]) => window.dcnpiBench.decodeSteps(u, n), [
        `bench-models/${model.name}/model.dcnpi`,
        runs + 1,
      ] as const);
      decodeSteps[model.name] = steps;
      const mb = (model.parameters * 4) / 1e6;
      decodeRows.push({
        model: model.name,
        "float32 MB": mb,
        "parseContainer ms": steps.parseContainerMs,
        "MB/s": mb / (steps.parseContainerMs / 1000),
        "parseCompressedWeights ms": steps.parseCompressedWeightsMs,
        "MB/s ": mb / (steps.parseCompressedWeightsMs / 1000),
        "dcnpiModel → LayersModel ms": model.kind === "layers" ? loads[model.name]!["dcnpi"]!.decodeMs : "",
      });
    }
    printTable("decoding .dcnpi in the page: the container (Huffman, relative indices), dense weights, a ready tfjs model", decodeRows);

    const matvec: Record<string, { backend: string; renderer: string; rows: MatVecTiming[] }> = {};
    for (const requested of ["wasm", "webgl"]) {
      const opened = requested === "wasm" ? wasm : await openBench(browser, server.url, requested);
      const renderer = await opened.page.evaluate(() => window.dcnpiBench.webglInfo());
      const rows: MatVecTiming[] = [];
      for (const model of models.filter((m) => MATVEC_LAYERS[m.name] !== undefined))
        rows.push(
          ...(
            await opened.page.evaluate(([url, names]) => window.dcnpiBench.matVec(url, names), [
              `bench-models/${model.name}/model.dcnpi`,
              MATVEC_LAYERS[model.name]!,
            ] as const)
          ).map((r) => ({ ...r, layer: `${model.name} ${r.layer}` })),
        );
      matvec[requested] = { backend: opened.backend, renderer, rows };
      printTable(
        "batch-1 mat-vec, µs per product: sparse × codebook (compileMatVec, wasm) vs tfjs dense matMul + read-back " +
          `on ${opened.backend}${renderer === "" ? "" : ` (${renderer})`}`,
        rows.map((r) => ({
          layer: r.layer,
          "out×in": `${r.rows}×${r.cols}`,
          nonzeros: r.nonzeros,
          "sparse wasm µs": r.sparseWasmUs,
          "sparse js µs": r.sparseJsUs,
          [`tfjs ${opened.backend} µs`]: r.denseTfjsUs,
          "dense / sparse wasm": r.denseTfjsUs / r.sparseWasmUs,
          "max |Δ|": r.maxAbsDifference,
        })),
      );
      if (requested !== "wasm") await opened.page.close();
    }
    await wasm.page.close();
    const summary = models.map((m: BenchModel) => {
      const l = loads[m.name]!;
      return {
        model: m.name,
        parameters: m.parameters,
        note: m.note,
        ttfpFloat32OverDcnpi: l["float32"]!.ttfpMs / l["dcnpi"]!.ttfpMs,
        ttfpUint8OverDcnpi: l["uint8"]!.ttfpMs / l["dcnpi"]!.ttfpMs,
        decodeMBps: (m.parameters * 4) / 1e6 / (l["dcnpi"]!.decodeMs / 1000),
      };
    });
    printTable("targets: TTFP ≥ 3x better than float32 shards and better than uint8 shards; decoding ≥ 50 MB/s of float32", summary);
    const chromiumVersion = browser.version();
    console.log(
      recordBenchResult("web-browser", {
        machine: machineInfo(),
        chromium: chromiumVersion,
        runs,
        bandwidthBitsPerSecond: BANDWIDTH_BITS_PER_S,
        models,
        loads,
        matvec,
        summary,
      }),
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
