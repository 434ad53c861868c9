import * as tf from "@tensorflow/tfjs-core";

/*
 * Training kernels for the NPI on CPU backends.
 *
 * On the wasm backend (our engine in Node) every tfjs op costs tens of microseconds of dispatch (and
 * on stock wasm, without the engine's kernels, matmuls with a transposed operand fall back to a slow
 * loop; the engine's packed-panel matmul takes them at full speed, so the gradients below use them). An LSTM written as tfjs ops and
 * differentiated by the tape costs ~60 ops and 4 transposed matmuls per timestep. Here the gates run
 * as plain loops over host arrays and tfjs is used only for the matmuls, so a timestep costs one
 * matmul forward and one backward, and the recurrent weight gradient is a single matmul over all
 * timesteps. Measured on this machine (2 layers of 256, batch 32, 20 timesteps, fwd+bwd, stock
 * wasm): ~4,000 ms with tape-differentiated ops, ~430 ms with these kernels.
 */

/** `x` transposed, through host memory (fast on cpu and wasm, where tensors live in host memory anyway). */
export function transposeHost(x: tf.Tensor2D): tf.Tensor2D {
  const [rows, cols] = x.shape;
  const data = x.dataSync() as Float32Array;
  const out = new Float32Array(rows * cols);
  const block = 32;
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = Math.min(rows, r0 + block);
    for (let c0 = 0; c0 < cols; c0 += block) {
      const c1 = Math.min(cols, c0 + block);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = data[r * cols + c]!;
    }
  }
  return tf.tensor2d(out, [cols, rows]);
}

/**
 * `x·kernel + bias` whose gradients use only untransposed matmuls (the transposes go through host
 * memory). `kernel` is `[in, out]`, `bias` `[out]`.
 */
export function linear(x: tf.Tensor2D, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor2D {
  if (bias === undefined) {
    const f = tf.customGrad(((a: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
      save([a, w]);
      return {
        value: tf.matMul(a as tf.Tensor2D, w as tf.Tensor2D),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => linearGrads(dy as tf.Tensor2D, saved).slice(0, 2),
      };
    }) as unknown as GradientFunction) as unknown as (a: tf.Tensor, w: tf.Tensor) => tf.Tensor2D;
    return f(x, kernel);
  }
  const f = tf.customGrad(((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, w]);
    return {
      value: tf.add(tf.matMul(a as tf.Tensor2D, w as tf.Tensor2D), b) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => linearGrads(dy as tf.Tensor2D, saved),
    };
  }) as unknown as GradientFunction) as unknown as (a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;
  return f(x, kernel, bias);
}

function linearGrads(dy: tf.Tensor2D, saved: tf.Tensor[]): tf.Tensor[] {
  const [a, w] = saved as [tf.Tensor2D, tf.Tensor2D];
  // The engine's matmul packs a transposed operand for free (only other strides); the host
  // transposes this replaced were 6% of an NPI training step in the profile (engine README).
  return [tf.matMul(dy, w, false, true), tf.matMul(a, dy, true, false), tf.sum(dy, 0)];
}

type GradientFunction = Parameters<typeof tf.customGrad>[0];

/**
 * `a·b` for a host matrix `a` (`rows × b.shape[0]`), read back to the host. Tensors are disposed by
 * hand: returning a typed array from `tf.tidy` makes tfjs walk every element looking for tensors.
 */
function matMulToHost(a: Float32Array, rows: number, b: tf.Tensor2D, transposeB = false): Float32Array {
  const left = tf.tensor2d(a, [rows, b.shape[transposeB ? 1 : 0]]);
  const product = tf.matMul(left, b, false, transposeB);
  const out = product.dataSync() as Float32Array;
  left.dispose();
  product.dispose();
  return out;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Host state of one LSTM layer for `batch` rows: `h` and `c`, each `[batch, units]`. */
export interface LstmHostState {
  readonly h: Float32Array;
  readonly c: Float32Array;
}

/**
 * Gate math of one timestep for `batch` rows, in place: `z` holds the pre-activations
 * `[batch, 4·units]` (gate order i, f, g, o) and is overwritten with the activations; writes the new
 * cell and hidden states. `cPrev` null means a zero state.
 */
export function lstmGates(
  z: Float32Array,
  cPrev: Float32Array | null,
  batch: number,
  units: number,
  cOut: Float32Array,
  hOut: Float32Array,
  tanhCOut?: Float32Array,
): void {
  const gates = 4 * units;
  for (let b = 0; b < batch; b++) {
    const zb = b * gates;
    const sb = b * units;
    for (let j = 0; j < units; j++) {
      const i = sigmoid(z[zb + j]!);
      const f = sigmoid(z[zb + units + j]!);
      const g = Math.tanh(z[zb + 2 * units + j]!);
      const o = sigmoid(z[zb + 3 * units + j]!);
      z[zb + j] = i;
      z[zb + units + j] = f;
      z[zb + 2 * units + j] = g;
      z[zb + 3 * units + j] = o;
      const c = (cPrev === null ? 0 : f * cPrev[sb + j]!) + i * g;
      const tc = Math.tanh(c);
      cOut[sb + j] = c;
      hOut[sb + j] = o * tc;
      if (tanhCOut !== undefined) tanhCOut[sb + j] = tc;
    }
  }
}

/**
 * One LSTM step for inference: `inputProjection` is `x·W + b` for the rows (`[batch, 4·units]`),
 * `previous` the rows' state (null rows start from zero). Returns the new host state.
 */
export function lstmStepHost(
  inputProjection: Float32Array,
  recurrentKernel: tf.Tensor2D,
  previous: LstmHostState | null,
  batch: number,
  units: number,
): LstmHostState {
  const z = inputProjection;
  if (previous !== null) {
    const rec = matMulToHost(previous.h, batch, recurrentKernel);
    for (let k = 0; k < z.length; k++) z[k]! += rec[k]!;
  }
  const h = new Float32Array(batch * units);
  const c = new Float32Array(batch * units);
  lstmGates(z, previous === null ? null : previous.c, batch, units, c, h);
  return { h, c };
}

/**
 * A whole LSTM layer over `steps` timesteps of `batch` rows (time-major rows: `t·batch + b`), from a
 * zero state, differentiable with respect to the input projection `[steps·batch, 4·units]` and the
 * recurrent kernel `[units, 4·units]`. Returns the hidden states `[steps·batch, units]`.
 */
export function lstmSequence(inputProjection: tf.Tensor2D, recurrentKernel: tf.Tensor, steps: number, batch: number): tf.Tensor2D {
  const units = recurrentKernel.shape[0]!;
  const gates = 4 * units;
  const f = tf.customGrad(((xp: tf.Tensor, u: tf.Tensor, save: tf.GradSaveFunc) => {
    // A copy: the gates are written into it in place (on the cpu backend dataSync is the tensor's own
    // array). slice(), not Float32Array.from(): from() walks the iterator, 0.69 against 0.10 ms for 640 KB.
    const acts = (xp.dataSync() as Float32Array).slice();
    const cs = new Float32Array(steps * batch * units);
    const tcs = new Float32Array(steps * batch * units);
    const hs = new Float32Array(steps * batch * units);
    const stride = batch * units;
    for (let t = 0; t < steps; t++) {
      const z = acts.subarray(t * batch * gates, (t + 1) * batch * gates);
      if (t > 0) {
        const hPrev = hs.subarray((t - 1) * stride, t * stride);
        const rec = matMulToHost(hPrev, batch, u as tf.Tensor2D);
        for (let k = 0; k < z.length; k++) z[k]! += rec[k]!;
      }
      lstmGates(
        z,
        t > 0 ? cs.subarray((t - 1) * stride, t * stride) : null,
        batch,
        units,
        cs.subarray(t * stride, (t + 1) * stride),
        hs.subarray(t * stride, (t + 1) * stride),
        tcs.subarray(t * stride, (t + 1) * stride),
      );
    }
    save([u]);
    return {
      value: tf.tensor2d(hs, [steps * batch, units]),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const dh = (dy as tf.Tensor).dataSync() as Float32Array;
        const dz = new Float32Array(steps * batch * gates);
        let dhNext: Float32Array = new Float32Array(stride);
        const dcNext = new Float32Array(stride);
        for (let t = steps - 1; t >= 0; t--) {
          const zBase = t * batch * gates;
          for (let b = 0; b < batch; b++) {
            const row = t * stride + b * units;
            lstmBackwardRow(acts, tcs, cs, dh, dhNext, dcNext, dz, zBase + b * gates, b * units, row, t > 0 ? row - stride : -1, units);
          }
          if (t > 0) {
            const slice = dz.subarray(zBase, zBase + batch * gates);
            dhNext = matMulToHost(slice, batch, saved[0] as tf.Tensor2D, true);
          }
        }
        // dU = Σ_t h_{t-1}ᵀ · dz_t over t ≥ 1, as one matmul.
        const rows = (steps - 1) * batch;
        let dU: tf.Tensor;
        if (rows === 0) {
          dU = tf.zerosLike(saved[0]!);
        } else {
          dU = tf.tidy(() =>
            tf.matMul(
              tf.tensor2d(hs.subarray(0, rows * units), [rows, units]),
              tf.tensor2d(dz.subarray(batch * gates), [rows, gates]),
              true,
              false,
            ),
          );
        }
        return [tf.tensor2d(dz, [steps * batch, gates]), dU];
      },
    };
  }) as unknown as GradientFunction) as unknown as (xp: tf.Tensor, u: tf.Tensor) => tf.Tensor2D;
  return f(inputProjection, recurrentKernel);
}

/**
 * The backward pass of one batch row at one timestep: gate gradients into `dz` (at `zb`, gate order
 * i, f, g, o), the cell gradient carried in `dcNext` (at `k0`, as `dhNext`). `idx0` is the row's place
 * in the state arrays (`tcs`, `dh`), `previous` the same row one timestep earlier in `cs` (-1: none,
 * a zero state).
 * A function of its own with every offset computed once: inlined in the timestep loop with the
 * offsets recomputed per element, TurboFan made it ~3x slower (21 against 6.4 ns per element in a
 * standalone copy, 2026-12-07).
 */
function lstmBackwardRow(
  acts: Float32Array,
  tcs: Float32Array,
  cs: Float32Array,
  dh: Float32Array,
  dhNext: Float32Array,
  dcNext: Float32Array,
  dz: Float32Array,
  zb: number,
  k0: number,
  idx0: number,
  previous: number,
  units: number,
): void {
  const f0 = zb + units;
  const g0 = zb + 2 * units;
  const o0 = zb + 3 * units;
  for (let j = 0; j < units; j++) {
    const k = k0 + j;
    const idx = idx0 + j;
    const i = acts[zb + j]!;
    const fg = acts[f0 + j]!;
    const g = acts[g0 + j]!;
    const o = acts[o0 + j]!;
    const tc = tcs[idx]!;
    const dht = dh[idx]! + dhNext[k]!;
    const dc = dcNext[k]! + dht * o * (1 - tc * tc);
    const cPrev = previous < 0 ? 0 : cs[previous + j]!;
    dz[zb + j] = dc * g * i * (1 - i);
    dz[f0 + j] = dc * cPrev * fg * (1 - fg);
    dz[g0 + j] = dc * i * (1 - g * g);
    dz[o0 + j] = dht * tc * o * (1 - o);
    dcNext[k] = dc * fg;
  }
}

/** Forward only (evaluation): the same layer without keeping anything for a backward pass. */
export function lstmSequenceForward(inputProjection: tf.Tensor2D, recurrentKernel: tf.Tensor2D, steps: number, batch: number): tf.Tensor2D {
  const units = recurrentKernel.shape[0];
  const gates = 4 * units;
  const acts = (inputProjection.dataSync() as Float32Array).slice();
  const stride = batch * units;
  const hs = new Float32Array(steps * stride);
  let state: LstmHostState | null = null;
  for (let t = 0; t < steps; t++) {
    const z = acts.subarray(t * batch * gates, (t + 1) * batch * gates);
    state = lstmStepHost(z, recurrentKernel, state, batch, units);
    hs.set(state.h, t * stride);
  }
  return tf.tensor2d(hs, [steps * batch, units]);
}
