// Training-step cost of the NPI core: our LSTM kernels (gates on host arrays, one matmul per
// timestep, one matmul for the recurrent weight gradient) against the same LSTM written as tfjs
// ops and differentiated by the tape; and the cost of one batched RUN step.
import { initEngine } from "@dcnpi/engine";
import { machineInfo, printTable, recordBenchResult, time } from "@dcnpi/bench-kit";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-layers";
import { Rng } from "@dcnpi/tensor";
import { defineTask } from "../src/task.js";
import { createNpiModel } from "../src/tfjs/npi-model.js";
import { linear, lstmSequence } from "../src/tfjs/ops.js";

const engine = await initEngine();

function tapeLstm(xp: tf.Tensor2D, u: tf.Tensor2D, steps: number, batch: number): tf.Tensor2D {
  const units = u.shape[0];
  const rows = tf.split(xp, steps, 0) as tf.Tensor2D[];
  let h: tf.Tensor2D | null = null;
  let c: tf.Tensor2D | null = null;
  const outs: tf.Tensor2D[] = [];
  for (const z0 of rows) {
    const z = h === null ? z0 : tf.add(z0, tf.matMul(h, u));
    const [i, f, g, o] = tf.split(z, 4, 1);
    const ig = tf.mul(tf.sigmoid(i!), tf.tanh(g!));
    c = (c === null ? ig : tf.add(tf.mul(tf.sigmoid(f!), c), ig)) as tf.Tensor2D;
    h = tf.mul(tf.sigmoid(o!), tf.tanh(c)) as tf.Tensor2D;
    outs.push(h);
  }
  void units;
  return tf.concat(outs, 0) as tf.Tensor2D;
}

const units = 256;
const rng = Rng.fromSeed(1);
const variable = (shape: number[]) => tf.variable(tf.tensor(rng.fillNormal(new Float32Array(shape[0]! * shape[1]!), 0, 0.05), shape));
const layers = [0, 1].map(() => ({
  w: variable([units, 4 * units]),
  u: variable([units, 4 * units]),
  b: tf.variable(tf.zeros([4 * units])),
}));
const rows: Record<string, string | number>[] = [];
for (const [batch, steps] of [
  [16, 20],
  [64, 5],
] as const) {
  const x = tf.tensor2d(rng.fillNormal(new Float32Array(steps * batch * units)), [steps * batch, units]);
  const step = (kernel: "ours" | "tape") => () =>
    tf.tidy(() => {
      const vars = layers.flatMap((l) => [l.w, l.u, l.b]);
      const { grads } = tf.variableGrads(() => {
        let h = x;
        for (const l of layers) {
          const xp = kernel === "ours" ? linear(h, l.w, l.b) : (tf.add(tf.matMul(h, l.w), l.b) as tf.Tensor2D);
          h = kernel === "ours" ? lstmSequence(xp, l.u, steps, batch) : tapeLstm(xp, l.u as tf.Tensor2D, steps, batch);
        }
        return tf.sum(h) as tf.Scalar;
      }, vars);
      for (const g of Object.values(grads)) g.dataSync();
    });
  const tape = await time(step("tape"), { runs: 5 });
  const ours = await time(step("ours"), { runs: 5 });
  rows.push({
    case: `2×LSTM(256) fwd+bwd, batch ${batch} × ${steps} steps`,
    "tape ms (min)": tape.minMs,
    "ours ms (min)": ours.minMs,
    "ours ms (median)": ours.medianMs,
    speedup: tape.minMs / ours.minMs,
  });
  x.dispose();
}

const task = defineTask<{ n: number }, number>({
  name: "bench",
  rootProgram: "MAIN",
  observationShape: [44],
  argumentSizes: [2, 4, 10],
  encoder: { kind: "mlp", hiddenSizes: [128] },
  programs: [
    { name: "MAIN", teach: (t) => t.stop() },
    { name: "ACT", act: true },
  ],
  createEnvironment: (n) => ({ n }),
  observe: () => new Float32Array(44),
  act: () => {},
  isSolved: () => true,
  randomInput: () => 0,
});
const model = createNpiModel({ tasks: [task], seed: 1 });
const run: Record<string, string | number>[] = [];
for (const batch of [1, 10, 50]) {
  const requests = Array.from({ length: batch }, () => ({
    environment: "bench",
    observation: new Float32Array(44),
    program: 0,
    args: [0, 0, 0] as const,
    state: undefined as unknown,
  }));
  const first = model.step(requests);
  const next = requests.map((r, i) => ({ ...r, state: first[i]!.state }));
  const t = await time(() => model.step(next), { runs: 20, warmup: 3 });
  run.push({ "RUN step": `batch of ${batch} frames`, "ms (min)": t.minMs, "ms (median)": t.medianMs, "ms per frame": t.minMs / batch });
}
printTable(`npi-core training kernels (backend ${engine.backend}, ${engine.wasmKernels ?? "-"} dcnpi kernels)`, rows);
printTable("npi-core batched RUN step (full model, 2×256)", run);
console.log(
  `\nwritten ${recordBenchResult("npi-core", { machine: machineInfo(), backend: engine.backend, wasmKernels: engine.wasmKernels, training: rows, run })}`,
);
