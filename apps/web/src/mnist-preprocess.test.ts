import { readFileSync } from "node:fs";
import { loadMnist } from "@dcnpi/datasets";
import { parseCompressedWeights } from "@dcnpi/deep-compression";
import { describe, expect, it } from "vitest";
import { MNIST_SIDE, greyOf, toMnistInput } from "./mnist-preprocess.js";

const SIDE = 280;

/** A test digit drawn big and off-centre on a 280 × 280 pad, as a user would: each pixel a 7 × 7 block at (x0, y0). */
function drawOnPad(image: Float32Array, x0: number, y0: number, block = 7): Float32Array {
  const pad = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < MNIST_SIDE; y++)
    for (let x = 0; x < MNIST_SIDE; x++)
      for (let dy = 0; dy < block; dy++)
        for (let dx = 0; dx < block; dx++) pad[(y0 + y * block + dy) * SIDE + x0 + x * block + dx] = image[y * MNIST_SIDE + x]!;
  return pad;
}

/** y = relu(relu(x W1 + b1) W2 + b2) W3 + b3: the LeNet-300-100 of public/models, decoded in Node. */
async function lenet(): Promise<(x: Float32Array) => number> {
  const { weights } = await parseCompressedWeights(
    new Uint8Array(readFileSync(new URL("../public/models/lenet-300-100.dcnpi", import.meta.url))),
  );
  const layer = (x: Float32Array, name: string, relu: boolean) => {
    const k = weights.get(`${name}/kernel`);
    const b = weights.get(`${name}/bias`).data as Float32Array;
    const [n, m] = k.shape as [number, number];
    const out = Float32Array.from(b);
    for (let i = 0; i < n; i++) if (x[i] !== 0) for (let j = 0; j < m; j++) out[j]! += x[i]! * (k.data as Float32Array)[i * m + j]!;
    return relu ? out.map((v) => Math.max(0, v)) : out;
  };
  return (x) => {
    const y = layer(layer(layer(x, "ip1", true), "ip2", true), "ip3", false);
    return y.indexOf(Math.max(...y));
  };
}

describe("toMnistInput", () => {
  it("an empty drawing is all zeros", () => {
    expect(toMnistInput(new Float32Array(SIDE * SIDE), SIDE, SIDE).every((v) => v === 0)).toBe(true);
  });

  it("greyOf reads white ink on black as 1 and transparency as 0", () => {
    const rgba = new Uint8ClampedArray([255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 0]);
    expect(Array.from(greyOf(rgba, 3, 1))).toEqual([1, 0, 0]);
  });

  it("real MNIST digits drawn large and off-centre come back as inputs the compressed LeNet classifies as their label", async () => {
    const test = loadMnist({ split: "test", limit: 200 });
    const classify = await lenet();
    let onOriginal = 0;
    let onRedrawn = 0;
    for (let i = 0; i < test.count; i++) {
      const image = test.images.subarray(i * 784, (i + 1) * 784);
      const label = test.labels[i]!;
      if (classify(image) === label) onOriginal++;
      // Off-centre placement: the preprocessing must crop, scale and re-centre it.
      const redrawn = toMnistInput(drawOnPad(image, (i * 13) % 80, (i * 29) % 80), SIDE, SIDE);
      expect(redrawn.length).toBe(784);
      expect(Math.max(...redrawn)).toBeLessThanOrEqual(1);
      if (classify(redrawn) === label) onRedrawn++;
    }
    expect(onOriginal).toBeGreaterThanOrEqual(196);
    // Re-preparing an already prepared digit loses a little (resampling twice), not much.
    expect(onRedrawn).toBeGreaterThanOrEqual(onOriginal - 10);
  });
});
