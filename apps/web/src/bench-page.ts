/**
 * The benchmark page (bench.html; bench/browser-bench.ts drives it): for one model in one form, the
 * time to decode bytes already in memory into a ready model and the time of its first prediction;
 * and the batch-1 mat-vec of the fully connected layers, sparse × codebook (sparse-format's
 * compileMatVec, WebAssembly) against tfjs dense on the page's backend (`?backend=wasm|webgl|cpu`).
 * Also the browser test's graph-model round trip (`loadGraphAndPredict`): tfjs-converter is bundled
 * here, not in the app, which loads layers models only.
 */
import "@tensorflow/tfjs-backend-webgl";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { loadGraphModel } from "@tensorflow/tfjs-converter";
import { parseCompressedWeights } from "@dcnpi/deep-compression";
import type { Task } from "@dcnpi/npi-core";
import { createNpiModel } from "@dcnpi/npi-core/tfjs";
import { additionTask } from "@dcnpi/npi-envs";
import { compileMatVec, packCsr, parseContainer, sparseMatVec, toCsr, toDense, transposeCsr } from "@dcnpi/sparse-format";
import { initBackend } from "./backend.js";
import { dcnpiModel } from "@dcnpi/deep-compression";
import { loadNpi, type LoadedNpi } from "./npi-model.js";
import { executeNpi } from "./npi-run.js";

export interface LoadTiming {
  readonly bytes: number;
  readonly decodeMs: number;
  readonly firstPredictMs: number;
  /** For the NPI: the run's result (it must be the same for every form). */
  readonly output: string;
}

export interface MatVecTiming {
  readonly layer: string;
  readonly rows: number;
  readonly cols: number;
  readonly nonzeros: number;
  readonly sparseWasmUs: number;
  readonly sparseJsUs: number;
  readonly denseTfjsUs: number;
  readonly maxAbsDifference: number;
}

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

function firstPrediction(model: tfl.LayersModel, inputShape: number[]): string {
  return tf.tidy(() => {
    const y = model.predict(tf.zeros(inputShape)) as tf.Tensor;
    return Array.from(y.dataSync().slice(0, 3), (v) => v.toFixed(4)).join(",");
  });
}

async function npiFromShards(
  modelJson: { weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] },
  data: ArrayBuffer,
  description: { model: { config: object } },
): Promise<LoadedNpi> {
  const tensors = tf.io.decodeWeights(data, modelJson.weightsManifest[0]!.weights);
  const task = additionTask as Task;
  const model = createNpiModel({ tasks: [task], config: description.model.config, seed: 0 });
  for (const p of model.parameters()) p.variable.assign(tensors[p.name]!);
  tf.dispose(Object.values(tensors));
  return { model, task, taskName: "addition", fileBytes: data.byteLength, float32Bytes: 0, trainingStep: 0 };
}

async function loadAndPredict(
  base: string,
  kind: "layers" | "npi",
  format: "dcnpi" | "float32" | "uint8",
  inputShape: number[],
): Promise<LoadTiming> {
  let bytes = 0;
  let payload: { buffer: ArrayBuffer; modelJson?: unknown; description?: unknown };
  if (format === "dcnpi") {
    const buffer = await fetchBytes(`${base}/model.dcnpi`);
    bytes = buffer.byteLength;
    payload = { buffer };
  } else {
    const text = await (await fetch(`${base}/${format}/model.json`)).text();
    const buffer = await fetchBytes(`${base}/${format}/weights.bin`);
    bytes = text.length + buffer.byteLength;
    payload = { buffer, modelJson: JSON.parse(text) };
  }
  if (kind === "npi") payload.description = await (await fetch(`${base}/description.json`)).json();
  const start = performance.now();
  if (kind === "layers") {
    let model: tfl.LayersModel;
    if (format === "dcnpi") model = await tfl.loadLayersModel(dcnpiModel(payload.buffer));
    else {
      const json = payload.modelJson as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
      model = await tfl.loadLayersModel(
        tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: payload.buffer }),
      );
    }
    const decoded = performance.now();
    const output = firstPrediction(model, inputShape);
    const predicted = performance.now();
    model.dispose();
    return { bytes, decodeMs: decoded - start, firstPredictMs: predicted - decoded, output };
  }
  const npi =
    format === "dcnpi"
      ? await loadNpi(new Uint8Array(payload.buffer), "model.dcnpi")
      : await npiFromShards(payload.modelJson as never, payload.buffer, payload.description as { model: { config: object } });
  const decoded = performance.now();
  const run = executeNpi(npi, "1007+3");
  const predicted = performance.now();
  npi.model.dispose();
  return {
    bytes,
    decodeMs: decoded - start,
    firstPredictMs: predicted - decoded,
    output: `${run.status} ${run.result} in ${run.steps} steps`,
  };
}

/** `tf.loadGraphModel(dcnpiModel(url))`, then one prediction on `inputs` (a [n, ...] batch): the outputs, flat, and their shape. */
async function loadGraphAndPredict(
  url: string,
  inputs: { data: Float32Array; shape: readonly number[] },
): Promise<{ data: number[]; shape: number[] }> {
  const model = await loadGraphModel(dcnpiModel(url));
  try {
    const output = tf.tidy(() => model.predict(tf.tensor(inputs.data, [...inputs.shape])) as tf.Tensor);
    const data = Array.from(await output.data());
    output.dispose();
    return { data, shape: output.shape };
  } finally {
    model.dispose();
  }
}

/** Mean microseconds per call of `fn`, the minimum over `repeats` batches of at least `minMs` each. */
function timeUs(fn: () => void, repeats = 5, minMs = 150): number {
  fn();
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < minMs) {
      fn();
      calls++;
      now = performance.now();
    }
    best = Math.min(best, ((now - start) * 1000) / calls);
  }
  return best;
}

async function matVec(url: string, names: string[]): Promise<MatVecTiming[]> {
  const bytes = new Uint8Array(await fetchBytes(url));
  const contents = await parseContainer(bytes);
  const { metadata } = await parseCompressedWeights(bytes, url);
  const rows: MatVecTiming[] = [];
  for (const name of names) {
    const layer = contents.layers.find((l) => l.name === name);
    if (layer === undefined) throw new Error(`${url}: no layer ${name}`);
    // W as [out, in]: tfjs stores a Dense kernel [in, out] unless the file stored it output-major.
    const outputMajor = metadata.storedAxes?.[name] !== undefined;
    const csr = outputMajor ? toCsr(layer) : transposeCsr(toCsr(layer));
    const packed = packCsr(csr);
    const compiled = compileMatVec(packed);
    const [outputs, inputs] = [csr.rowPointers.length - 1, layer.elementCount / (csr.rowPointers.length - 1)];
    const x = Float32Array.from({ length: inputs }, (_, i) => Math.sin(i + 1));
    const y = new Float32Array(outputs);
    const yJs = new Float32Array(outputs);
    // tfjs's layout [in, out] (y = x K), as a layers model holds it.
    const dense = toDense(layer);
    const kernel = outputMajor ? tf.tidy(() => tf.transpose(tf.tensor2d(dense, [outputs, inputs]))) : tf.tensor2d(dense, [inputs, outputs]);
    const xTensor = tf.tensor2d(x, [1, inputs]);
    const denseOut = tf.tidy(() => tf.matMul(xTensor, kernel).dataSync() as Float32Array);
    compiled.matVec(x, y);
    let maxAbsDifference = 0;
    for (let i = 0; i < outputs; i++) maxAbsDifference = Math.max(maxAbsDifference, Math.abs(y[i]! - denseOut[i]!));
    rows.push({
      layer: name,
      rows: outputs,
      cols: inputs,
      nonzeros: csr.columnIndices.length,
      sparseWasmUs: timeUs(() => compiled.matVec(x, y)),
      sparseJsUs: timeUs(() => sparseMatVec(packed, x, yJs)),
      denseTfjsUs: timeUs(() => tf.tidy(() => tf.matMul(xTensor, kernel).dataSync())),
      maxAbsDifference,
    });
    tf.dispose([kernel, xTensor]);
  }
  return rows;
}

/** Where decoding time goes: the container alone (Huffman + relative indices), then to dense weights. */
async function decodeSteps(url: string, repeats = 3): Promise<{ parseContainerMs: number; parseCompressedWeightsMs: number }> {
  const bytes = new Uint8Array(await fetchBytes(url));
  let parseContainerMs = Infinity;
  let parseCompressedWeightsMs = Infinity;
  for (let r = 0; r < repeats; r++) {
    let start = performance.now();
    await parseContainer(bytes);
    parseContainerMs = Math.min(parseContainerMs, performance.now() - start);
    start = performance.now();
    await parseCompressedWeights(bytes, url);
    parseCompressedWeightsMs = Math.min(parseCompressedWeightsMs, performance.now() - start);
  }
  return { parseContainerMs, parseCompressedWeightsMs };
}

function webglInfo(): string {
  if (tf.getBackend() !== "webgl") return "";
  const gl = document.createElement("canvas").getContext("webgl2") ?? document.createElement("canvas").getContext("webgl");
  if (gl === null) return "no context";
  const debug = gl.getExtension("WEBGL_debug_renderer_info");
  return debug === null ? String(gl.getParameter(gl.RENDERER)) : String(gl.getParameter(debug.UNMASKED_RENDERER_WEBGL));
}

declare global {
  interface Window {
    dcnpiBench: {
      backend: Promise<string>;
      loadAndPredict: typeof loadAndPredict;
      matVec: typeof matVec;
      decodeSteps: typeof decodeSteps;
      webglInfo: typeof webglInfo;
      loadGraphAndPredict: typeof loadGraphAndPredict;
    };
  }
}

const backend = initBackend();
void backend.then((name) => (document.getElementById("status")!.textContent = `backend ${name}`));
window.dcnpiBench = { backend, loadAndPredict, matVec, decodeSteps, webglInfo, loadGraphAndPredict };
