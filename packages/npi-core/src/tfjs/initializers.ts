import type { Rng } from "@dcnpi/tensor";
import type { ParameterInit } from "../encoder-spec.js";
import { NpiError } from "../errors.js";

/** Initial values of a parameter on the host, drawn from `rng` (ours: the paper gives no initialisation). */
export function initialValues(init: ParameterInit, shape: readonly number[], rng: Rng, what: string): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (init === "zeros") return new Float32Array(size);
  if (init === "glorot-uniform") {
    const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : shape[0]!;
    const fanOut = shape[shape.length - 1]!;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return rng.fillUniform(new Float32Array(size), -limit, limit);
  }
  if (init === "orthogonal") return orthogonal(shape, rng, what);
  if ("normal" in init) return rng.fillNormal(new Float32Array(size), 0, init.normal);
  if ("uniform" in init) return rng.fillUniform(new Float32Array(size), -init.uniform, init.uniform);
  if ("constant" in init) return new Float32Array(size).fill(init.constant);
  if (init.values.length !== size)
    throw new NpiError("INVALID_CONFIG", `${what}: initial values have ${init.values.length} elements, shape needs ${size}`);
  return Float32Array.from(init.values);
}

/**
 * A `[rows, cols]` matrix with orthonormal rows or columns (whichever are fewer), by Gram-Schmidt on
 * a Gaussian matrix; Keras' default for recurrent kernels.
 */
function orthogonal(shape: readonly number[], rng: Rng, what: string): Float32Array {
  if (shape.length !== 2) throw new NpiError("INVALID_CONFIG", `${what}: orthogonal init needs a matrix, got shape [${shape.join(",")}]`);
  const [rows, cols] = shape as [number, number];
  const transposed = rows > cols;
  const [n, m] = transposed ? [cols, rows] : [rows, cols];
  // n vectors of length m (n <= m), orthonormalised.
  const vectors: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = new Float64Array(m);
    for (let k = 0; k < m; k++) v[k] = rng.normal();
    for (const u of vectors) {
      let dot = 0;
      for (let k = 0; k < m; k++) dot += v[k]! * u[k]!;
      for (let k = 0; k < m; k++) v[k]! -= dot * u[k]!;
    }
    let norm = 0;
    for (let k = 0; k < m; k++) norm += v[k]! * v[k]!;
    norm = Math.sqrt(norm);
    for (let k = 0; k < m; k++) v[k]! /= norm;
    vectors.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < m; k++) {
      if (transposed) out[k * cols + i] = vectors[i]![k]!;
      else out[i * cols + k] = vectors[i]![k]!;
    }
  }
  return out;
}
