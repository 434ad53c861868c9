import { describe, expect, it } from "vitest";
import { aggregateCentroidGradients, stepCentroids } from "./centroid-gradients.js";
import { quantizeWeights } from "./quantize.js";

/**
 * DC Figure 3 (weight sharing by scalar quantization, and centroid fine-tuning), exactly.
 * Source of the matrices: the paper's Figure 3 as transcribed in the team's notes
 * (shared/papers/deep-compression.md §2.4), which read two public text extractions of arXiv
 * 1510.00149 v5; one extraction printed index (0,2) as 1, and the weight 1.48 and the grouped
 * gradients show it is 2. The figure's centroids turn out to be the exact cluster means, so
 * clustering the 16 weights with linear initialisation reproduces the figure's index matrix too.
 */
const weights = Float32Array.from([2.09, -0.98, 1.48, 0.09, 0.05, -0.14, -1.08, 2.12, -0.91, 1.92, 0, -1.03, 1.87, 0, 1.53, 1.49]);
const figureIndices = [3, 0, 2, 1, 1, 1, 0, 3, 0, 3, 1, 0, 3, 1, 2, 2];
const gradients = Float32Array.from([
  -0.03, -0.01, 0.03, 0.02, -0.01, 0.01, -0.02, 0.12, -0.01, 0.02, 0.04, 0.01, -0.07, -0.02, 0.01, -0.02,
]);

describe("DC Figure 3", () => {
  it("clusters the 4x4 weights into the figure's 2-bit indices and centroids -1, 0, 1.5, 2", () => {
    const q = quantizeWeights({ dtype: "float32", shape: [4, 4], data: weights }, { bits: 2, init: "linear" });
    expect([...q.codes]).toEqual(figureIndices);
    const expected = [-1, 0, 1.5, 2];
    q.codebook.forEach((c, j) => expect(c).toBeCloseTo(expected[j]!, 6));
    expect(q.report.converged).toBe(true);
  });

  it("groups the gradients by index, sums them and fine-tunes to 1.96, 1.48, -0.04, -0.97 at learning rate 1", () => {
    const q = {
      shape: [4, 4],
      bits: 2,
      codebook: Float32Array.from([-1, 0, 1.5, 2]),
      codes: Uint8Array.from(figureIndices),
      masked: false,
    };
    const grouped = aggregateCentroidGradients(q, gradients, "sum");
    [-0.03, 0.04, 0.02, 0.04].forEach((g, j) => expect(grouped[j]).toBeCloseTo(g, 6));
    const tuned = stepCentroids(q, gradients, { learningRate: 1 });
    // Read in the figure's order (index 3 first): 1.96, 1.48, -0.04, -0.97, exact to float32.
    expect([tuned.codebook[3], tuned.codebook[2], tuned.codebook[1], tuned.codebook[0]]).toEqual(
      [1.96, 1.48, -0.04, -0.97].map(Math.fround),
    );
    expect(tuned.codes).toBe(q.codes);
  });

  it("offers the mean of the cluster's gradients, and never moves a masked codebook's zero", () => {
    const q = {
      shape: [4, 4],
      bits: 2,
      codebook: Float32Array.from([-1, 0, 1.5, 2]),
      codes: Uint8Array.from(figureIndices),
      masked: false,
    };
    const mean = aggregateCentroidGradients(q, gradients, "mean");
    [-0.03 / 4, 0.04 / 5, 0.02 / 3, 0.04 / 4].forEach((g, j) => expect(mean[j]).toBeCloseTo(g, 6));
    const masked = { ...q, codebook: Float32Array.from([0, -1, 1.5, 2]), masked: true };
    const tuned = stepCentroids(masked, gradients, { learningRate: 1 });
    expect(tuned.codebook[0]).toBe(0);
  });
});
