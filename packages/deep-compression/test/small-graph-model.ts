/**
 * A small graph model written by hand the way tfjs-converter writes one: x [-1, 4] → MatMul(w) →
 * BiasAdd(b) → Reshape(to an int32 shape constant) → Identity, plus an unused string constant (a
 * vocabulary, as TF Hub text models carry). Weights can be stored float32 or quantized like the
 * converter does (uint8/uint16: affine min + scale × q; float16), to test every shard kind.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "@dcnpi/tensor";

export type ShardQuantization = "none" | "uint8" | "uint16" | "float16";

const node = (name: string, op: string, input: string[] = [], attr: Record<string, unknown> = {}) => ({ name, op, input, attr });

export function smallGraphTopology(op = "MatMul") {
  return {
    node: [
      node("x", "Placeholder", [], { dtype: { type: "DT_FLOAT" }, shape: { shape: { dim: [{ size: "-1" }, { size: "4" }] } } }),
      node("dense/w", "Const", [], { dtype: { type: "DT_FLOAT" } }),
      node("dense/b", "Const", [], { dtype: { type: "DT_FLOAT" } }),
      node("out/shape", "Const", [], { dtype: { type: "DT_INT32" } }),
      node("vocab", "Const", [], { dtype: { type: "DT_STRING" } }),
      node("dense/MatMul", op, ["x", "dense/w"], { transpose_a: { b: false }, transpose_b: { b: false }, T: { type: "DT_FLOAT" } }),
      node("dense/BiasAdd", "BiasAdd", ["dense/MatMul", "dense/b"], { T: { type: "DT_FLOAT" } }),
      node("out/Reshape", "Reshape", ["dense/BiasAdd", "out/shape"], { T: { type: "DT_FLOAT" } }),
      node("Identity", "Identity", ["out/Reshape"], { T: { type: "DT_FLOAT" } }),
    ],
    versions: { producer: 1395 },
  };
}

function float16Bits(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = ((x >>> 23) & 0xff) - 127 + 15;
  const mantissa = x & 0x7fffff;
  if (exponent <= 0) return sign;
  if (exponent >= 31) return sign | 0x7c00;
  return sign | (exponent << 10) | Math.round(mantissa / 8192);
}

/** Bytes of float32 `values` stored as the converter would with `quantization`, and the manifest's quantization field. */
export function quantizeLikeConverter(values: Float32Array, quantization: ShardQuantization) {
  if (quantization === "none") return { bytes: new Uint8Array(values.buffer.slice(0)), field: undefined };
  if (quantization === "float16") {
    const out = new Uint16Array(values.map(float16Bits));
    return { bytes: new Uint8Array(out.buffer), field: { dtype: "float16" } };
  }
  const levels = quantization === "uint8" ? 255 : 65535;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const scale = (max - min) / levels;
  const q = Array.from(values, (v) => Math.round((v - min) / scale));
  const out = quantization === "uint8" ? new Uint8Array(q) : new Uint16Array(q);
  return { bytes: new Uint8Array(out.buffer), field: { dtype: quantization, min, scale } };
}

/** tfjs's string encoding in shards: per string a 4-byte little-endian length, then its UTF-8 bytes. */
function encodeStrings(strings: string[]): Uint8Array {
  const parts = strings.map((s) => new TextEncoder().encode(s));
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    new DataView(out.buffer).setUint32(offset, p.length, true);
    out.set(p, offset + 4);
    offset += 4 + p.length;
  }
  return out;
}

/** Writes the model (seeded weights) into `dir`; returns model.json's path and the float32 weights it was made from. */
export function writeSmallGraphModel(dir: string, quantization: ShardQuantization = "none", op = "MatMul") {
  const rng = Rng.fromSeed(7);
  const w = Float32Array.from({ length: 64 }, () => rng.normal() * 0.5);
  const b = Float32Array.from({ length: 16 }, () => rng.normal() * 0.1);
  const shape = new Int32Array([-1, 16]);
  const vocab = ["zero", "één", "二"];
  const qw = quantizeLikeConverter(w, quantization);
  const qb = quantizeLikeConverter(b, quantization);
  const weights = [
    { name: "dense/w", shape: [4, 16], dtype: "float32", ...(qw.field ? { quantization: qw.field } : {}) },
    { name: "out/shape", shape: [2], dtype: "int32" },
    { name: "vocab", shape: [3], dtype: "string" },
    { name: "dense/b", shape: [16], dtype: "float32", ...(qb.field ? { quantization: qb.field } : {}) },
  ];
  const parts = [qw.bytes, new Uint8Array(shape.buffer), encodeStrings(vocab), qb.bytes];
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.length;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "group1-shard1of1.bin"), data);
  const modelJson = {
    format: "graph-model",
    generatedBy: "2.15.0",
    convertedBy: "TensorFlow.js Converter v4.22.0",
    signature: {
      inputs: { "x:0": { name: "x:0", dtype: "DT_FLOAT", tensorShape: { dim: [{ size: "-1" }, { size: "4" }] } } },
      outputs: { "Identity:0": { name: "Identity:0", dtype: "DT_FLOAT", tensorShape: { dim: [{ size: "-1" }, { size: "16" }] } } },
    },
    userDefinedMetadata: { classes: 16 },
    modelTopology: smallGraphTopology(op),
    weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights }],
  };
  const modelJsonPath = join(dir, "model.json");
  writeFileSync(modelJsonPath, JSON.stringify(modelJson));
  return { modelJsonPath, w, b, shape, vocab, modelJson };
}

/** x·w + b for a batch, the model's exact function (to compare the loaded model with). */
export function smallGraphExpected(x: tf.Tensor2D, w: Float32Array, b: Float32Array): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(x, tf.tensor2d(w, [4, 16])), tf.tensor1d(b)));
}
