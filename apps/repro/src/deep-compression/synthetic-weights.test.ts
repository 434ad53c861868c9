import { ALEXNET_LAYERS, type LayerShape } from "@dcnpi/model-zoo";
import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { compressSyntheticLayer } from "./imagenet-experiment.js";
import { fanIn, SYNTHETIC_WEIGHTS, syntheticLayerWeights } from "./synthetic-weights.js";

const layer: LayerShape = { name: "fc-test", kind: "fc", shape: [200, 500], groups: 1, weights: 100_000 };

function moments(x: Float32Array) {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let m2 = 0;
  let m4 = 0;
  for (const v of x) {
    const d = v - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= x.length;
  m4 /= x.length;
  return { mean, std: Math.sqrt(m2), kurtosis: m4 / (m2 * m2) };
}

describe("synthetic AlexNet / VGG-16 weights", () => {
  it("are deterministic in the seed and the layer, and differ across seeds", () => {
    const a = syntheticLayerWeights(layer, Rng.fromSeed(1).fork("fc-test"));
    const b = syntheticLayerWeights(layer, Rng.fromSeed(1).fork("fc-test"));
    const c = syntheticLayerWeights(layer, Rng.fromSeed(2).fork("fc-test"));
    expect(new Uint32Array(a.buffer)).toEqual(new Uint32Array(b.buffer));
    expect(a.some((v, i) => v !== c[i])).toBe(true);
  });

  it("are zero-mean Laplace at He scale, with heavier tails than a Gaussian (kurtosis > 3)", () => {
    const w = syntheticLayerWeights(layer, Rng.fromSeed(3));
    const { mean, std, kurtosis } = moments(w);
    const he = Math.sqrt(2 / fanIn(layer));
    expect(Math.abs(mean)).toBeLessThan(0.01 * he);
    // Per-channel scales exp(0.3 N) inflate the std by about exp(0.3^2) ≈ 1.09.
    expect(std / he).toBeGreaterThan(1.0);
    expect(std / he).toBeLessThan(1.2);
    // Laplace alone has kurtosis 6; mixing log-normal channel scales multiplies it by exp(4·0.3²) ≈ 1.43.
    expect(kurtosis).toBeGreaterThan(7.5);
    expect(kurtosis).toBeLessThan(9.8);
    expect(SYNTHETIC_WEIGHTS.channelScaleLogStd).toBe(0.3);
  });

  it("give each output channel its own scale (rows differ in spread)", () => {
    const w = syntheticLayerWeights(layer, Rng.fromSeed(4));
    const rowStd = Array.from({ length: 200 }, (_, r) => moments(w.subarray(r * 500, (r + 1) * 500)).std);
    const spread = Math.max(...rowStd) / Math.min(...rowStd);
    expect(spread).toBeGreaterThan(1.8);
  });

  it("a layer goes through prune → quantize → encode → decode with the paper's settings (AlexNet conv1: 84%, 8 bits, 4-bit indices)", () => {
    const conv1 = ALEXNET_LAYERS[0]!;
    const { encoded, result } = compressSyntheticLayer("alexnet", conv1, { rng: Rng.fromSeed(5) }, true);
    expect(result.measured.kept).toBe(Math.round(0.84 * 34_848));
    expect(encoded.weightBits).toBe(8);
    expect(encoded.indexBits).toBe(4);
    expect(encoded.shape).toEqual([96, 3, 11, 11]);
    expect(result.measured.weightBitsHuffman).toBeLessThan(8);
    expect(result.measured.indexBitsHuffman).toBeLessThan(4);
    expect(result.distribution?.codebook.length).toBe(255);
    // Same seed, same bytes.
    const again = compressSyntheticLayer("alexnet", conv1, { rng: Rng.fromSeed(5) }, false);
    expect(again.encoded.weights.bytes).toEqual(encoded.weights.bytes);
    expect(again.encoded.indices!.bytes).toEqual(encoded.indices!.bytes);
  });
});
