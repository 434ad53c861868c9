/**
 * Real-browser tests: headless Chromium (the OS package) over the built app (dist/, served by
 * global-setup.ts). One browser for the file; each test opens its own page and fails on any uncaught
 * exception in it.
 */
import { readFileSync, readdirSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadMnist } from "@dcnpi/datasets";
import { compress, graphModelArtifacts, parseCompressedWeights, safePlan, type GraphModelSpec } from "@dcnpi/deep-compression";
import { loadCompressed, loadLayersModelFiles, loadModelTarget } from "@dcnpi/deep-compression/node";
import { Rng } from "@dcnpi/tensor";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { loadGraphModel } from "@tensorflow/tfjs-converter";
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium.js";
import { loadNpi } from "../src/npi-model.js";
import { executeNpi } from "../src/npi-run.js";
import { photoWindows, writeNsfwjsGraphModel } from "./nsfwjs-graph.js";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const modelsDir = join(appDir, "public/models");
const baseUrl = inject("baseUrl");
const distDir = inject("distDir");
// Screenshots for the README are taken only when asked (they differ by a pixel or two from run to run).
const screenshotDir = process.env["DCNPI_SCREENSHOTS"] === "1" ? join(appDir, "docs") : undefined;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  await tf.setBackend("cpu");
});
afterAll(async () => {
  await shared?.page.close();
  await browser?.close();
});

interface OpenedPage {
  readonly page: Page;
  /** Uncaught exceptions and console errors seen so far. */
  readonly errors: string[];
  readonly console: string[];
}

async function openPage(path = "index.html", viewport = { width: 1200, height: 900 }): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  const consoleLines: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    consoleLines.push(message.text());
    if (message.type() === "error") errors.push(`console.error: ${message.text()}`);
  });
  await page.goto(new URL(path, baseUrl).href);
  return { page, errors, console: consoleLines };
}

// One page of the app for most tests (a page load costs seconds on a loaded machine: tfjs and its
// wasm start); each test switches tabs and sees only its own errors.
let shared: OpenedPage | undefined;
async function appTab(tab: "bytes" | "digits" | "npi" | "report"): Promise<OpenedPage> {
  shared ??= await openPage("index.html");
  shared.errors.length = 0;
  await shared.page.locator(`#tabs button[data-tab="${tab}"]`).click();
  return shared;
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (screenshotDir === undefined) return;
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: false });
}

function classesOf(model: LayersModel, images: Float32Array, count: number): number[] {
  return Array.from(tf.tidy(() => tf.argMax(model.predict(tf.tensor2d(images, [count, 784])) as tf.Tensor, -1).dataSync()));
}

describe("LeNet-300-100 in the page", () => {
  it("the compressed model loads through the dcnpiModel IOHandler and predicts what it predicts in Node on 100 MNIST test images", async () => {
    const test = loadMnist({ split: "test", limit: 100 });
    const nodeCompressed = await loadCompressed(join(modelsDir, "lenet-300-100.dcnpi"));
    const nodeDense = (await loadLayersModelFiles(join(modelsDir, "lenet-300-100-dense/model.json"))).model;
    const expectedCompressed = classesOf(nodeCompressed, test.images, test.count);
    const expectedDense = classesOf(nodeDense, test.images, test.count);
    nodeCompressed.dispose();
    nodeDense.dispose();

    const { page, errors } = await appTab("digits");
    const pixels = Array.from(test.images);
    const [backend, compressed, dense] = await page.evaluate(
      async (input) => [
        await window.dcnpiApp.backend,
        await window.dcnpiApp.classify("compressed", input, 100),
        await window.dcnpiApp.classify("dense", input, 100),
      ],
      pixels,
    );
    expect(backend).toBe("wasm");
    // onProgress as tfjs's http loader reports it: increasing fractions, ending at exactly 1.
    const progress = await page.evaluate(() => [...window.dcnpiApp.lenetProgress]);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((f, i) => i === 0 || f > progress[i - 1]!)).toBe(true);
    expect(progress.at(-1)).toBe(1);
    expect(compressed).toEqual(expectedCompressed);
    expect(dense).toEqual(expectedDense);
    // Real behaviour, not just agreement: the repro's models get these images right (error 1.47% / 1.51% on all 10,000).
    const correct = compressed.filter((c, i) => c === test.labels[i]).length;
    expect(correct).toBeGreaterThanOrEqual(97);
    expect(errors).toEqual([]);
  });

  it("a digit drawn on the pad is classified by both models", async () => {
    const { page, errors } = await appTab("digits");
    await page.evaluate(() => window.dcnpiApp.lenets());
    const pad = page.getByTestId("digit-pad");
    const box = (await pad.boundingBox())!;
    // A "7": the top bar, then the diagonal stroke down to the left.
    const at = (x: number, y: number) => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280] as const;
    await page.mouse.move(...at(70, 60));
    await page.mouse.down();
    for (const [x, y] of [
      [130, 58],
      [200, 60],
      [185, 110],
      [160, 170],
      [140, 230],
    ] as const)
      await page.mouse.move(...at(x, y), { steps: 6 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId("compressed-prediction").getByTestId("predicted-digit").textContent()).toBe("7");
    expect(await page.getByTestId("dense-prediction").getByTestId("predicted-digit").textContent()).toBe("7");
    await screenshot(page, "digits");
    expect(errors).toEqual([]);
  });
});

describe("the compressed NPI in the page", () => {
  it("on the cpu backend, runs exactly the steps the same file runs in Node (cpu)", async () => {
    const bytes = new Uint8Array(readFileSync(join(modelsDir, "addition.dcnpi")));
    const npi = await loadNpi(bytes, "addition.dcnpi");
    const expected = executeNpi(npi, "1007+3");
    npi.model.dispose();
    const { page, errors } = await openPage("index.html?backend=cpu#npi");
    const execution = await page.evaluate(async (url) => {
      await window.dcnpiApp.npi.load(new Uint8Array(await (await fetch(url)).arrayBuffer()), "addition.dcnpi");
      const e = window.dcnpiApp.npi.run("1007+3")!;
      return {
        steps: e.steps,
        result: e.result,
        calls: e.log.map((l) => `${l.stack.join(">")}:${l.call?.program ?? "-"}:${l.call?.args.join(",") ?? ""}`),
      };
    }, "models/addition.dcnpi");
    expect(execution.calls).toEqual(
      expected.log.map((l) => `${l.stack.join(">")}:${l.call?.program ?? "-"}:${l.call?.args.join(",") ?? ""}`),
    );
    expect(execution.result).toBe(expected.result);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("adds 1007+3 step by step (wasm backend)", async () => {
    const { page, errors } = await appTab("npi");
    await page.getByRole("button", { name: /load addition\.dcnpi/ }).click();
    await expect.poll(() => page.getByTestId("npi-model").textContent()).toMatch(/^addition NPI from/);
    await page.getByTestId("npi-input").fill("1007+3");
    await page.getByTestId("npi-run").click();
    await expect.poll(() => page.getByTestId("npi-result").textContent()).toMatch(/result/);
    expect(await page.getByTestId("npi-result").textContent()).toMatch(
      /^returned after \d+ steps \(teacher: \d+\); result 1010 — correct$/,
    );
    const execution = await page.evaluate(() => {
      const e = window.dcnpiApp.npi.run("1007+3")!;
      return { steps: e.steps, root: e.log[0]?.stack.join(">"), maxDepth: Math.max(...e.log.map((l) => l.depth)) };
    });
    // ADD calls ADD1, which calls its subprograms: the stack grows past the root.
    expect(execution.root).toBe("ADD");
    expect(execution.maxDepth).toBeGreaterThan(1);
    // Step through to the middle of the run for the picture: the call stack and the pad are drawn.
    await page.getByRole("button", { name: "pause" }).click();
    await page.locator('input[type="range"]').fill(String(Math.floor(execution.steps / 2)));
    await expect.poll(() => page.getByTestId("call-stack").textContent()).toMatch(/ADD/);
    expect(await page.getByTestId("pad").locator("td.pointer").count()).toBeGreaterThan(0);
    await screenshot(page, "npi");
    expect(errors).toEqual([]);
  });
});

describe("bad files", () => {
  it("a truncated .dcnpi shows a readable error in the page and throws nothing uncaught", async () => {
    const whole = readFileSync(join(modelsDir, "lenet-300-100.dcnpi"));
    const { page, errors } = await appTab("bytes");
    await page
      .locator('#tab-bytes input[type="file"]')
      .setInputFiles({ name: "cut.dcnpi", mimeType: "application/octet-stream", buffer: whole.subarray(0, 20_000) });
    const alert = page.locator("#tab-bytes [role=alert]");
    await expect.poll(() => alert.count()).toBe(1);
    expect(await alert.textContent()).toMatch(/^SparseFormatError \((TRUNCATED|CORRUPT_STREAM|INVALID_HEADER|CRC_MISMATCH)\): .+/);
    // The NPI view too: a file that is not an NPI is refused with a message.
    await page.locator('#tabs button[data-tab="npi"]').click();
    await page
      .locator('#tab-npi input[type="file"]')
      .setInputFiles({ name: "lenet.dcnpi", mimeType: "application/octet-stream", buffer: whole });
    await expect.poll(() => page.getByTestId("npi-model").textContent()).toMatch(/not an NPI written by npi compress/);
    expect(errors.filter((e) => e.startsWith("pageerror"))).toEqual([]);
  });
});

describe("where the bytes go", () => {
  it("shows the paper's and the true-bytes accounting, codebooks and histograms of the demo LeNet", async () => {
    const { page, errors } = await appTab("bytes");
    await page.getByRole("button", { name: /open the demo LeNet/ }).click();
    const summary = page.getByTestId("container-summary");
    await expect.poll(() => summary.count()).toBe(1);
    // 34,895 bytes against 1,066,440 of float32 (30.6x); the paper's way 38.6x (apps/repro README).
    expect(await summary.textContent()).toMatch(/38\.\dx.*30\.6x/s);
    expect(await page.locator("[data-layer] svg.histogram").count()).toBe(3);
    await screenshot(page, "bytes");
    // A tfjs model folder (model.json + shard) is sized per weight.
    await page
      .locator('#tab-bytes input[type="file"]')
      .setInputFiles([join(modelsDir, "lenet-300-100-dense/model.json"), join(modelsDir, "lenet-300-100-dense/weights.bin")]);
    await expect.poll(() => page.getByTestId("model-files-summary").count()).toBe(1);
    expect(await page.getByTestId("model-files-summary").textContent()).toContain("ip1/kernel");
    expect(errors).toEqual([]);
  });

  it("a report.html opens in an iframe where no script runs", async () => {
    const { page, errors } = await appTab("report");
    const html =
      `<html><body><h1 id="t">report</h1><script>parent.postMessage("escaped", "*"); ` +
      `document.getElementById("t").textContent = "script ran";</script></body></html>`;
    await page.evaluate(() => window.addEventListener("message", () => ((window as unknown as { escaped: boolean }).escaped = true)));
    await page
      .locator('#tab-report input[type="file"]')
      .setInputFiles({ name: "report.html", mimeType: "text/html", buffer: Buffer.from(html) });
    const frame = page.getByTestId("report-frame");
    await expect.poll(() => frame.count()).toBe(1);
    expect(await frame.getAttribute("sandbox")).toBe("");
    expect(await page.frameLocator("[data-testid=report-frame]").locator("#t").textContent()).toBe("report");
    expect(await page.evaluate(() => (window as unknown as { escaped?: boolean }).escaped ?? false)).toBe(false);
    expect(errors.filter((e) => e.startsWith("pageerror"))).toEqual([]);
  });
});

describe("the bundle", () => {
  it("has no node: module in any built script", () => {
    const assets = join(distDir, "assets");
    const offenders: string[] = [];
    for (const file of readdirSync(assets).filter((f) => f.endsWith(".js"))) {
      const text = readFileSync(join(assets, file), "utf8");
      // An import of node:x, or the stub Vite puts in its place ("Module node:x has been externalized").
      for (const match of text.matchAll(/["'`](node:[a-z_/]+)["'`]/g)) offenders.push(`${file}: ${match[1]}`);
    }
    expect(offenders).toEqual([]);
  });
});

describe("the root README's browser example", () => {
  it("runs verbatim in the page", async () => {
    // The example fetches the model next to the page ("lenet-300-100.dcnpi"): answer with the demo model there.
    const page = await browser.newPage();
    await page.route(/\/[^/]+\.dcnpi$/, (route) =>
      route.fulfill({ body: readFileSync(join(modelsDir, "lenet-300-100.dcnpi")), contentType: "application/octet-stream" }),
    );
    const errors: string[] = [];
    const lines: string[] = [];
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    page.on("console", (message) => lines.push(message.text()));
    await page.goto(new URL("readme-example.html", baseUrl).href);
    const outcome = await page.evaluate(() => window.readmeExample);
    expect(outcome, lines.join("\n")).toEqual({ ok: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("graph model round trip", () => {
  it("a compressed graph model loads in the page with tf.loadGraphModel(dcnpiModel(url)) and predicts as in Node", async () => {
    // A real graph model: nsfwjs 4.4.0's mobilenet_v2_mid (4.3 M parameters, uint8 shards), compressed with
    // safePlan() in about 3 s here; on wasm in Node (its forward pass takes far longer on the cpu backend).
    await tf.setBackend("wasm");
    const scratch = mkdtempSync(join(tmpdir(), "dcnpi-web-graph-"));
    try {
      const modelJsonPath = writeNsfwjsGraphModel(join(scratch, "mid"));
      const loaded = await loadModelTarget(modelJsonPath);
      let bytes: Uint8Array;
      try {
        bytes = (await compress(loaded.target, safePlan(), { rng: Rng.fromSeed(1), graphModel: loaded.graphModel })).bytes!;
      } finally {
        loaded.dispose();
      }
      // Real photo windows, 224x224 in [0, 1] as nsfwjs feeds them (2 from each of 2 photos).
      const inputs = tf.tidy(() => tf.concat4d([photoWindows("cops", 224, 2), photoWindows("fillbytes", 224, 2)], 0));
      const shape = inputs.shape;
      const data = inputs.dataSync() as Float32Array;
      // Node: the same bytes decompressed to ModelArtifacts and loaded by stock tf.loadGraphModel; and the original model.
      const { weights, metadata } = await parseCompressedWeights(bytes, "mobilenet_v2_mid.dcnpi");
      const restored = await loadGraphModel(tf.io.fromMemory(graphModelArtifacts(weights, metadata.graphModel as GraphModelSpec)));
      const fromDisk = async (url: string | URL | Request) =>
        new Response(readFileSync(decodeURIComponent(new URL(url instanceof Request ? url.url : url).pathname)));
      const original = await loadGraphModel(`http://localhost${modelJsonPath}`, { fetchFunc: fromDisk });
      const expected = tf.tidy(() => (restored.predict(inputs) as tf.Tensor).arraySync() as number[][]);
      const originalTop1 = tf.tidy(() => Array.from(tf.argMax(original.predict(inputs) as tf.Tensor, -1).dataSync()));
      restored.dispose();
      original.dispose();
      inputs.dispose();

      const page = await browser.newPage();
      await page.route(/\/graph\/mobilenet_v2_mid\.dcnpi$/, (route) =>
        route.fulfill({ body: Buffer.from(bytes), contentType: "application/octet-stream" }),
      );
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
      await page.goto(new URL("bench.html", baseUrl).href);
      const [backend, got] = await page.evaluate(
        async ([url, input]) => [await window.dcnpiBench.backend, await window.dcnpiBench.loadGraphAndPredict(url, input)] as const,
        ["graph/mobilenet_v2_mid.dcnpi", { data, shape: [...shape] }] as const,
      );
      await page.close();
      expect(backend).toBe("wasm");
      expect(got.shape).toEqual([4, 5]);
      const rows = Array.from({ length: 4 }, (_, i) => got.data.slice(i * 5, i * 5 + 5));
      const top1 = (row: number[]) => row.indexOf(Math.max(...row));
      expect(rows.map(top1)).toEqual(expected.map(top1));
      for (let i = 0; i < 4; i++) for (let j = 0; j < 5; j++) expect(Math.abs(rows[i]![j]! - expected[i]![j]!)).toBeLessThan(1e-4);
      // Real behaviour: the compressed model still answers what the uncompressed one does on these photos.
      expect(rows.map(top1)).toEqual(originalTop1);
      expect(errors).toEqual([]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      await tf.setBackend("cpu");
    }
  });
});
