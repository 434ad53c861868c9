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
      const { renderVegaLiteSvg, markdownTable } = await import("@dcnpi/run-kit");
      const svg = await renderVegaLiteSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: "point",
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });
      assert.ok(svg.startsWith("<svg"));
      assert.match(markdownTable(["a"], [[1]]), /\\| a \\|/);
    `,
    typescript: `
      import { createProgress, type Progress } from "@dcnpi/run-kit";
      const p: Progress = createProgress({ label: "x", total: 1, mode: "silent" });
      p.tick();
    `,
  },
};
