import { describe, expect, it } from "vitest";
import { ALEXNET_LAYERS, totalWeights, VGG16_LAYERS } from "./imagenet-layer-shapes.js";

/** The #Weights column of DC Tables 4 and 5, as printed (K = thousands, M = millions). */
const ALEXNET_TABLE: Record<string, string> = {
  conv1: "35K",
  conv2: "307K",
  conv3: "885K",
  conv4: "663K",
  conv5: "442K",
  fc6: "38M",
  fc7: "17M",
  fc8: "4M",
};
const VGG16_TABLE: Record<string, string> = {
  conv1_1: "2K",
  conv1_2: "37K",
  conv2_1: "74K",
  conv2_2: "148K",
  conv3_1: "295K",
  conv3_2: "590K",
  conv3_3: "590K",
  conv4_1: "1M",
  conv4_2: "2M",
  conv4_3: "2M",
  conv5_1: "2M",
  conv5_2: "2M",
  conv5_3: "2M",
  fc6: "103M",
  fc7: "17M",
  fc8: "4M",
};

function printed(value: string): { value: number; unit: number } {
  const unit = value.endsWith("M") ? 1e6 : 1e3;
  return { value: Number(value.slice(0, -1)) * unit, unit };
}

describe("AlexNet and VGG-16 weight shapes", () => {
  it("AlexNet: 8 layers, 60,954,656 weights (the paper's 61M), each within a printed unit of Table 4", () => {
    expect(ALEXNET_LAYERS.map((l) => l.name)).toEqual(Object.keys(ALEXNET_TABLE));
    expect(totalWeights(ALEXNET_LAYERS)).toBe(60_954_656);
    expect(Math.round(totalWeights(ALEXNET_LAYERS) / 1e6)).toBe(61);
    for (const layer of ALEXNET_LAYERS) {
      const { value, unit } = printed(ALEXNET_TABLE[layer.name]!);
      expect(Math.abs(layer.weights - value)).toBeLessThan(unit);
      expect(layer.weights).toBe(layer.shape.reduce((p, d) => p * d, 1));
    }
    expect(ALEXNET_LAYERS.find((l) => l.name === "conv2")).toMatchObject({
      kind: "conv",
      shape: [256, 48, 5, 5],
      groups: 2,
      weights: 307_200,
    });
    expect(ALEXNET_LAYERS.find((l) => l.name === "fc6")).toMatchObject({ kind: "fc", shape: [4096, 9216], weights: 37_748_736 });
  });

  it("VGG-16: 16 layers, 138,344,128 weights (the paper's 138M), each within a printed unit of Table 5", () => {
    expect(VGG16_LAYERS.map((l) => l.name)).toEqual(Object.keys(VGG16_TABLE));
    expect(totalWeights(VGG16_LAYERS)).toBe(138_344_128);
    expect(Math.round(totalWeights(VGG16_LAYERS) / 1e6)).toBe(138);
    for (const layer of VGG16_LAYERS) {
      const { value, unit } = printed(VGG16_TABLE[layer.name]!);
      expect(Math.abs(layer.weights - value)).toBeLessThan(unit);
    }
    expect(VGG16_LAYERS.filter((l) => l.kind === "conv")).toHaveLength(13);
    expect(VGG16_LAYERS.find((l) => l.name === "fc6")).toMatchObject({ shape: [4096, 25088], weights: 102_760_448 });
  });
});
