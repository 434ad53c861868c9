/**
 * What "it works when installed from its tarball" means for each package: a snippet of plain ESM
 * JavaScript run by Node in the clean project, and a snippet of TypeScript type-checked there.
 * Every publishable package must have an entry (the test fails for a package without one).
 */
export interface SmokeCheck {
  /** Body of an async ESM module; throw to fail. `assert` (node:assert/strict) is in scope. */
  readonly node: string;
  /** A TypeScript module that must type-check against the installed declarations. */
  readonly typescript: string;
}

export const smokeChecks: Record<string, SmokeCheck> = {
  "@dcnpi/base": {
    node: `
      const { DcnpiError, crc32, encodeBase64, decodeBase64 } = await import("@dcnpi/base");
      class SmokeError extends DcnpiError {}
      const error = new SmokeError("BAD", "smoke: bad thing");
      assert.ok(DcnpiError.is(error));
      assert.equal(String(error), "SmokeError: smoke: bad thing");
      assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
      assert.deepEqual(decodeBase64(encodeBase64(new Uint8Array([1, 2, 3]))), new Uint8Array([1, 2, 3]));
      const { writeFileAtomic } = await import("@dcnpi/base/node");
      const { mkdtempSync, readFileSync, readdirSync } = await import("node:fs");
      const { join } = await import("node:path");
      const { tmpdir } = await import("node:os");
      const dir = mkdtempSync(join(tmpdir(), "dcnpi-base-smoke-"));
      writeFileAtomic(join(dir, "a.txt"), "one");
      assert.equal(readFileSync(join(dir, "a.txt"), "utf8"), "one");
      assert.deepEqual(readdirSync(dir), ["a.txt"]);
    `,
    typescript: `
      import { DcnpiError, crc32 } from "@dcnpi/base";
      import { AtomicFile, writeJsonAtomic } from "@dcnpi/base/node";
      class SmokeError extends DcnpiError<"BAD" | "WORSE"> {}
      const code: "BAD" | "WORSE" = new SmokeError("BAD", "x").code;
      export const used = [code, crc32(new Uint8Array(1)), typeof AtomicFile.create, typeof writeJsonAtomic];
    `,
  },
  "@dcnpi/tensor": {
    node: `
      const { Rng, WeightMap, float32, TensorError } = await import("@dcnpi/tensor");
      const a = Rng.fromSeed(1).nextUint32();
      assert.equal(a, Rng.fromSeed(1).nextUint32());
      const map = new WeightMap().add("w", float32([2], [1, 2]));
      assert.deepEqual(map.names(), ["w"]);
      assert.throws(() => map.get("v"), TensorError);
      const { toTfTensor } = await import("@dcnpi/tensor/tfjs");
      await import("@tensorflow/tfjs-backend-cpu");
      const t = toTfTensor(float32([2], [3, 4]));
      assert.deepEqual(Array.from(t.dataSync()), [3, 4]);
    `,
    typescript: `
      import { Rng, WeightMap, type HostTensor } from "@dcnpi/tensor";
      import { readModelWeights } from "@dcnpi/tensor/tfjs";
      const rng: Rng = Rng.fromSeed("x").fork("y");
      const t: HostTensor<"float32"> = { dtype: "float32", shape: [1], data: new Float32Array([rng.float()]) };
      const map: WeightMap = new WeightMap([["t", t]]);
      export const used = [map.size, typeof readModelWeights];
    `,
  },
  "@dcnpi/datasets": {
    node: `
      const { loadMnist } = await import("@dcnpi/datasets");
      const test = loadMnist({ split: "test", limit: 3 });
      assert.deepEqual(Array.from(test.labels), [7, 2, 1]);
    `,
    typescript: `
      import { loadMnist, type MnistData } from "@dcnpi/datasets";
      const data: MnistData = loadMnist({ split: "test", limit: 1 });
      export const n: number = data.count;
    `,
  },
  "@dcnpi/example-data": {
    node: `
      const { encodeNpy, parseNpy } = await import("@dcnpi/example-data");
      const { readExampleData } = await import("@dcnpi/example-data/node");
      const array = parseNpy(encodeNpy([2, 2], new Float32Array([1, 2, 3, 4])), "x.npy");
      assert.deepEqual(Array.from(array.shape), [2, 2]);
      assert.equal(typeof readExampleData, "function");
    `,
    typescript: `
      import { parseNpy, type Preprocessing } from "@dcnpi/example-data";
      import { readExampleData } from "@dcnpi/example-data/node";
      const p: Preprocessing | undefined = undefined;
      export const used = [typeof parseNpy, typeof readExampleData, p];
    `,
  },
  "@dcnpi/engine": {
    node: `
      const { initEngine } = await import("@dcnpi/engine");
      const info = await initEngine({ log: () => {} });
      assert.ok(["tensorflow", "wasm"].includes(info.backend), "fast backend expected, got " + info.backend);
      const tf = await import("@tensorflow/tfjs-core");
      const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
      assert.deepEqual(Array.from(await y.data()), [11]);
    `,
    typescript: `
      import { initEngine, type EngineInfo } from "@dcnpi/engine";
      export const start: () => Promise<EngineInfo> = () => initEngine();
    `,
  },
  "@dcnpi/run-kit": {
    node: `
      const { createProgress, runCli } = await import("@dcnpi/run-kit");
      const progress = createProgress({ label: "x", total: 2, mode: "silent" });
      progress.tick();
      progress.tick();
      assert.equal(typeof runCli, "function");
    `,
    typescript: `
      import { createProgress, type Progress } from "@dcnpi/run-kit";
      const p: Progress = createProgress({ label: "x", total: 1, mode: "silent" });
      p.tick();
    `,
  },
  "@dcnpi/report-kit": {
    node: `
      const { renderVegaLiteSvg, markdownTable } = await import("@dcnpi/report-kit");
      const svg = await renderVegaLiteSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: "point",
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });
      assert.ok(svg.startsWith("<svg"));
      assert.match(markdownTable(["a"], [[1]]), /\\| a \\|/);
    `,
    typescript: `
      import { markdownTable } from "@dcnpi/report-kit";
      export const table: string = markdownTable(["a"], [[1]]);
    `,
  },
  "@dcnpi/arithmetic": {
    node: `
      const { encodeSymbols, decodeSymbols, ArithmeticError } = await import("@dcnpi/arithmetic");
      const symbols = Uint32Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? (i * 7) % 31 : 3));
      assert.deepEqual(Array.from(decodeSymbols(encodeSymbols(symbols, { alphabetSize: 32 }))), Array.from(symbols));
      assert.throws(() => decodeSymbols(new Uint8Array([9, 9, 9])), ArithmeticError);
    `,
    typescript: `
      import { encodeSymbols, decodeSymbols } from "@dcnpi/arithmetic";
      export const back: Uint32Array = decodeSymbols(encodeSymbols(new Uint8Array([1, 2]), { alphabetSize: 4 }));
    `,
  },
  "@dcnpi/huffman": {
    node: `
      const { encode, decode, HuffmanError } = await import("@dcnpi/huffman");
      const symbols = Uint32Array.from({ length: 1000 }, (_, i) => (i * 7919) % 13);
      assert.deepEqual(Array.from(decode(encode(symbols))), Array.from(symbols));
      assert.throws(() => decode(new Uint8Array([1, 2, 3])), HuffmanError);
    `,
    typescript: `
      import { encode, decode } from "@dcnpi/huffman";
      const bytes: Uint8Array = encode(new Uint32Array([1, 2, 2]));
      export const back: Uint32Array = decode(bytes);
    `,
  },
  "@dcnpi/sparse-format": {
    node: `
      const { encodeLayer, serializeContainer, parseContainer, toDense, SparseFormatError } = await import("@dcnpi/sparse-format");
      const codes = new Uint8Array(64); codes[3] = 1; codes[40] = 2;
      const layer = encodeLayer({ name: "w", shape: [8, 8], codes, codebook: new Float32Array([0, 0.5, -0.25, 0]), weightBits: 2, indexBits: 3 });
      const bytes = serializeContainer({ layers: [layer], metadata: { hello: 1 } });
      const read = await parseContainer(bytes);
      const dense = toDense(read.layers[0]);
      assert.equal(dense[3], 0.5); assert.equal(dense[40], -0.25);
      await assert.rejects(parseContainer(bytes.subarray(0, 20)), SparseFormatError);
      const { writeContainer, readContainer } = await import("@dcnpi/sparse-format/node");
      const { mkdtempSync } = await import("node:fs");
      const { join } = await import("node:path");
      const { tmpdir } = await import("node:os");
      const file = join(mkdtempSync(join(tmpdir(), "dcnpi-sparse-smoke-")), "m.dcnpi");
      await writeContainer(file, { layers: [layer], metadata: { hello: 1 } });
      assert.equal(toDense((await readContainer(file)).layers[0])[40], -0.25);
    `,
    typescript:
      `
      import { encodeLayer, type EncodedLayer } from "@dcnpi/sparse-format";
      export ` +
      `const layer: EncodedLayer = encodeLayer({ name: "w", shape: [2], codes: new Uint8Array([0, ` +
      `1]), codebook: new Float32Array([0, 1]), weightBits: 1, indexBits: 2 });
    `,
  },
  "@dcnpi/pruning": {
    node: `
      const { computeMask } = await import("@dcnpi/pruning");
      const values = Float32Array.from({ length: 100 }, (_, i) => i - 50);
      const result = computeMask(values, { keepFraction: 0.1 });
      assert.equal(result.keptCount, 10);
      await import("@dcnpi/pruning/tfjs");
    `,
    typescript: `
      import { computeMask, type PruneTarget } from "@dcnpi/pruning";
      import { bindMasks } from "@dcnpi/pruning/tfjs";
      const target: PruneTarget = { sparsity: 0.9 };
      export const kept: number = computeMask(new Float32Array(10), target).keptCount;
      export const bind = bindMasks;
    `,
  },
  "@dcnpi/quantization": {
    node: `
      const { quantizeWeights, dequantize } = await import("@dcnpi/quantization");
      const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i));
      const q = quantizeWeights(values, { bits: 3 });
      assert.equal(q.codebook.length, 8);
      assert.equal(dequantize(q).length, 1000);
      await import("@dcnpi/quantization/tfjs");
    `,
    typescript: `
      import { quantizeWeights, type QuantizedWeight } from "@dcnpi/quantization";
      import { bindCodebooks } from "@dcnpi/quantization/tfjs";
      export const q: QuantizedWeight = quantizeWeights(new Float32Array([1, 2, 3, 4]), { bits: 1, init: "linear" });
      export const bind = bindCodebooks;
    `,
  },
  "@dcnpi/model-zoo": {
    node: `
      const { initEngine } = await import("@dcnpi/engine");
      await initEngine({ log: false });
      const { buildLenet5, ALEXNET_LAYERS, totalWeights } = await import("@dcnpi/model-zoo");
      const { Rng } = await import("@dcnpi/tensor");
      const model = buildLenet5(Rng.fromSeed(1));
      assert.equal(model.countParams(), 431080);
      assert.ok(totalWeights(ALEXNET_LAYERS) > 60e6);
    `,
    typescript: `
      import { buildLenet300100, type LayerShape } from "@dcnpi/model-zoo";
      import { Rng } from "@dcnpi/tensor";
      export const model = buildLenet300100(Rng.fromSeed(1));
      export const shapes: LayerShape[] = [];
    `,
  },
  "@dcnpi/deep-compression": {
    node:
      `
      const { initEngine } = await import("@dcnpi/engine");
      await initEngine({ log: ` +
      `false });
      const tfl = await import("@tensorflow/tfjs-layers");
      const { compress, ` +
      `parseCompressedWeights, defaultPlan } = await import("@dcnpi/deep-compression");
      const ` +
      `{ Rng } = await import("@dcnpi/tensor");
      // An LSTM builds in plain Node (the engine ` +
      `registers the chained ops tfjs-layers needs).
      tfl.sequential({ layers: [tfl.layers.lstm({ ` +
      `units: 4, inputShape: [5, 6] })] }).dispose();
      const { report, bytes } = await compress(tfl.sequential({ ` +
      `layers: [tfl.layers.dense({ inputShape: [20], units: 30, name: "fc" })] }), defaultPlan, { ` +
      `rng: Rng.fromSeed(1) });
      assert.ok(report.totals.paper.ratio > 1);
      const back = ` +
      `await parseCompressedWeights(bytes);
      assert.deepEqual(back.weights.names(), ["fc/kernel", ` +
      `"fc/bias"]);
    `,
    typescript: `
      import { compress, type CompressionPlan, defaultPlan } from "@dcnpi/deep-compression";
      import { loadCompressed } from "@dcnpi/deep-compression/node";
      export const plan: CompressionPlan = defaultPlan;
      export const fns = [compress, loadCompressed];
    `,
  },
  "@dcnpi/npi-core": {
    node:
      `
      const { defineTask, recordTrace, verifyTrace, runProgram, NpiError } = await import("@dcnpi/npi-core");
 ` +
      `     // A two-program task: COUNT calls ACT until the counter reaches the input.
      const ` +
      `task = defineTask({
        name: "count", rootProgram: "COUNT", observationShape: [1], argumentSizes: ` +
      `[1, 1, 1],
        encoder: { kind: "mlp", hiddenSizes: [8] },
        programs: [
        ` +
      `  { name: "COUNT", teach(t) { for (let k = t.env.n; k < t.env.target; k++) t.act([0, 0, 0], ` +
      `{ end: k === t.env.target - 1 }); if (t.env.target === 0) t.stop(); } },
          { name: ` +
      `"ACT", act: true },
        ],
        createEnvironment: (target) => ({ n: 0, target }),
 ` +
      `       observe: (env) => Float32Array.of(env.target - env.n),
        act: (env) => { env.n++; ` +
      `},
        isSolved: (target, env) => env.n === target,
        randomInput: (rng, size) => ` +
      `rng.int(size + 1),
      });
      const trace = recordTrace(task, task.createEnvironment(3));
 ` +
      `     assert.equal(verifyTrace(task, 3, trace).correct, true);
      assert.throws(() => defineTask({ ` +
      `name: "", programs: [] }), NpiError);
      const { initEngine } = await import("@dcnpi/engine");
 ` +
      `     await initEngine({ log: false });
      const { createNpiModel } = await import("@dcnpi/npi-core/tfjs");
 ` +
      `     const config = { stateSize: 8, programEmbeddingSize: 4, programKeySize: 4, fusionHiddenSize: ` +
      `8, lstmSize: 8, lstmLayers: 2, argumentDepth: 2 };
      const model = createNpiModel({ tasks: ` +
      `[task], config, seed: 1 });
      const result = runProgram(model, { task, env: task.createEnvironment(2), ` +
      `maxSteps: 20 });
      assert.ok(["returned", "step-limit", "depth-limit", "invalid-call"].includes(result.status));
 ` +
      `     model.dispose();
    `,
    typescript: `
      import { defineTask, type Task, type RunResult } from "@dcnpi/npi-core";
      import { createNpiModel, type NpiModelConfig } from "@dcnpi/npi-core/tfjs";
      export const fns = [defineTask, createNpiModel];
      export type T = [Task, RunResult, NpiModelConfig];
    `,
  },
  "@dcnpi/npi-envs": {
    node: `
      const { additionTask, sortingTask } = await import("@dcnpi/npi-envs");
      const { recordTrace, verifyTrace } = await import("@dcnpi/npi-core");
      const sum = { a: "1007", b: "3" };
      const env = additionTask.createEnvironment(sum);
      assert.equal(verifyTrace(additionTask, sum, recordTrace(additionTask, env)).correct, true);
      assert.equal(env.output(), "1010");
      const array = { values: [3, 1, 2] };
      assert.equal(verifyTrace(sortingTask, array, recordTrace(sortingTask, sortingTask.createEnvironment(array))).correct, true);
    `,
    typescript: `
      import { additionTask, sortingTask, type AdditionInput } from "@dcnpi/npi-envs";
      const input: AdditionInput = { a: "12", b: "30" };
      export const tasks = [additionTask.createEnvironment(input), sortingTask];
    `,
  },
};
