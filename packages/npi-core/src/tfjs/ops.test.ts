import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { useEngine } from "../testing/setup-engine.js";
import { linear, lstmSequence, lstmSequenceForward, lstmStepHost, transposeHost } from "./ops.js";

useEngine();

function random(shape: number[], seed: string, scale = 0.5): tf.Tensor {
  const rng = Rng.fromSeed(seed);
  return tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, scale), shape);
}

/** The textbook LSTM as tfjs ops (gate order i, f, g, o), differentiated by the tape. */
function referenceLstm(xp: tf.Tensor2D, u: tf.Tensor2D, steps: number, batch: number): tf.Tensor2D {
  const units = u.shape[0];
  const rows = tf.split(tf.reshape(xp, [steps, batch, 4 * units]), steps, 0).map((t) => tf.reshape(t, [batch, 4 * units]) as tf.Tensor2D);
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
  return tf.concat(outs, 0) as tf.Tensor2D;
}

function expectClose(actual: tf.Tensor, expected: tf.Tensor, tolerance: number): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - e[i]!) / (1 + Math.abs(e[i]!)));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

describe("training kernels", () => {
  it("transposes through host memory", () => {
    tf.tidy(() => {
      const x = random([37, 70], "t");
      expectClose(transposeHost(x as tf.Tensor2D), tf.transpose(x), 0);
    });
  });

  it("linear: value and gradients match the tape's matMul + add", () => {
    tf.tidy(() => {
      const x = random([9, 6], "x");
      const w = random([6, 4], "w");
      const b = random([4], "b");
      const weights = random([9, 4], "loss");
      const ours = tf.grads((a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(linear(a as tf.Tensor2D, k, c), weights)))([
        x,
        w,
        b,
      ]);
      const tape = tf.grads((a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(tf.add(tf.matMul(a as tf.Tensor2D, k as tf.Tensor2D), c), weights)),
      )([x, w, b]);
      ours.forEach((g, i) => expectClose(g, tape[i]!, 1e-5));
      expectClose(linear(x as tf.Tensor2D, w), tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), 1e-6);
    });
  });

  it("lstmSequence: hidden states and gradients match a tape-differentiated LSTM", () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const [steps, batch, units] = [5, 3, 4];
      const xp = random([steps * batch, 4 * units], "xp", 1) as tf.Tensor2D;
      const u = random([units, 4 * units], "u", 0.4) as tf.Tensor2D;
      const weights = random([steps * batch, units], "w", 1);
      expectClose(lstmSequence(xp, u, steps, batch), referenceLstm(xp, u, steps, batch), 1e-5);
      expectClose(lstmSequenceForward(xp, u, steps, batch), referenceLstm(xp, u, steps, batch), 1e-5);
      const ours = tf.grads((a: tf.Tensor, k: tf.Tensor) => tf.sum(tf.mul(lstmSequence(a as tf.Tensor2D, k, steps, batch), weights)))([
        xp,
        u,
      ]);
      const tape = tf.grads((a: tf.Tensor, k: tf.Tensor) =>
        tf.sum(tf.mul(referenceLstm(a as tf.Tensor2D, k as tf.Tensor2D, steps, batch), weights)),
      )([xp, u]);
      expectClose(ours[0]!, tape[0]!, 1e-4);
      expectClose(ours[1]!, tape[1]!, 1e-4);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("lstmStepHost continues a sequence step by step", () => {
    tf.tidy(() => {
      const [steps, batch, units] = [4, 2, 3];
      const xp = random([steps * batch, 4 * units], "xp2", 1) as tf.Tensor2D;
      const u = random([units, 4 * units], "u2", 0.4) as tf.Tensor2D;
      const all = lstmSequenceForward(xp, u, steps, batch).dataSync();
      const data = xp.dataSync() as Float32Array;
      let state = null;
      for (let t = 0; t < steps; t++) {
        state = lstmStepHost(data.slice(t * batch * 4 * units, (t + 1) * batch * 4 * units), u, state, batch, units);
        expect(Array.from(state.h)).toEqual(Array.from(all.slice(t * batch * units, (t + 1) * batch * units)));
      }
    });
  });
});
