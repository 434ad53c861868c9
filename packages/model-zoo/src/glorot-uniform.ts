import type { Rng } from "@dcnpi/tensor";

/**
 * Fan-in and fan-out of a weight shape, as Keras counts them: a dense kernel is [in, out]; a
 * convolution kernel [...spatial, in, out] multiplies both by the receptive field.
 */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const receptive = shape.slice(0, -2).reduce((p, d) => p * d, 1);
  return { fanIn: shape[shape.length - 2]! * receptive, fanOut: shape[shape.length - 1]! * receptive };
}

/**
 * Glorot-uniform values for a weight of `shape`, drawn in row-major order from `rng`:
 * U(-limit, limit) with limit = sqrt(6 / (fanIn + fanOut)). The same generator state gives the same
 * bytes on every platform and backend, which tfjs's own initialisers (seeded per call, or not at
 * all) cannot promise.
 */
export function glorotUniformValues(rng: Rng, shape: readonly number[]): Float32Array {
  const { fanIn, fanOut } = fans(shape);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((p, d) => p * d, 1);
  return rng.fillUniform(new Float32Array(size), -limit, limit);
}
