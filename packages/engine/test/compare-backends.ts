/**
 * Test support: run the same computation on the cpu backend (the reference) and on wasm with the
 * dcnpi kernels, and compare values and shapes. Inputs are made from host arrays inside `compute`,
 * so each backend builds its own tensors.
 */
import { Rng } from "@dcnpi/tensor";
import * as tf from "@tensorflow/tfjs-core";
import { expect } from "vitest";
import { initEngine, type WasmKernelSet } from "../src/index.js";

export interface HostResult {
  readonly shape: number[];
  readonly values: Float32Array | Int32Array;
}

export async function useBackend(backend: "cpu" | "wasm", wasmKernels: WasmKernelSet = "all"): Promise<void> {
  await initEngine({ backend, wasmKernels, log: false });
}

function toHost(result: tf.Tensor | tf.Tensor[]): HostResult[] {
  const list = Array.isArray(result) ? result : [result];
  return list.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array | Int32Array }));
}

/** Runs `compute` on cpu and on wasm (dcnpi kernels) and returns both results, leaking nothing. */
export async function onBothBackends(compute: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: HostResult[]; wasm: HostResult[] }> {
  const run = () => {
    const before = tf.memory().numTensors;
    const result = tf.tidy(compute);
    const host = toHost(result);
    tf.dispose(result);
    expect(tf.memory().numTensors).toBe(before);
    return host;
  };
  await useBackend("cpu");
  const cpu = run();
  await useBackend("wasm");
  const wasm = run();
  return { cpu, wasm };
}

/** Asserts equal shapes and values within atol + rtol * |expected|. Returns the max abs difference. */
export function expectClose(actual: HostResult[], expected: HostResult[], tolerance = 1e-4): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  actual.forEach((a, i) => {
    const e = expected[i]!;
    expect(a.shape).toEqual(e.shape);
    expect(a.values.length).toBe(e.values.length);
    for (let j = 0; j < e.values.length; j++) {
      const diff = Math.abs(a.values[j]! - e.values[j]!);
      worst = Math.max(worst, diff);
      if (!(diff <= tolerance * (1 + Math.abs(e.values[j]!)))) {
        throw new Error(`result ${i} element ${j}: got ${a.values[j]}, expected ${e.values[j]} (shape [${e.shape.join(",")}])`);
      }
    }
  });
  return worst;
}

/** Runs on both backends and compares. */
export async function expectSameOnBothBackends(compute: () => tf.Tensor | tf.Tensor[], tolerance = 1e-4): Promise<HostResult[]> {
  const { cpu, wasm } = await onBothBackends(compute);
  expectClose(wasm, cpu, tolerance);
  return wasm;
}

/** Deterministic uniform values in [low, high) from a labelled generator. */
export function randomValues(label: string, size: number, low = -1, high = 1): Float32Array {
  return Rng.fromSeed(`engine-test:${label}`).fillUniform(new Float32Array(size), low, high);
}

/** A tensor of deterministic values (created on the current backend). */
export function randomTensor(label: string, shape: number[], low = -1, high = 1): tf.Tensor {
  return tf.tensor(
    randomValues(
      label,
      shape.reduce((p, d) => p * d, 1),
      low,
      high,
    ),
    shape,
  );
}
