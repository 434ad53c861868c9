/**
 * A drawn digit → the 784 inputs the repro's LeNet was trained on. `@dcnpi/datasets` gives MNIST
 * pixels as bytes × 1/255 (its default `pixelScale`, which the repro uses): white ink = 1 on black = 0,
 * row-major 28 × 28. MNIST's own preparation (LeCun et al.'s description of the set) fits each digit's
 * bounding box into 20 × 20, keeping its aspect ratio, and centres its centre of mass in the 28 × 28
 * field; doing the same to the drawing is what makes the model see a digit it knows.
 */

export const MNIST_SIDE = 28;
const FIT_SIDE = 20;

/** Grey level (0..1) of each pixel of an RGBA image: the mean of R, G, B times alpha. */
export function greyOf(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): Float32Array {
  const grey = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const o = i * 4;
    grey[i] = ((rgba[o]! + rgba[o + 1]! + rgba[o + 2]!) / (3 * 255)) * (rgba[o + 3]! / 255);
  }
  return grey;
}

/** Area-averaged resampling of a `w × h` grey image to `outW × outH` (box filter: no aliasing of thin strokes). */
function resample(
  grey: Float32Array,
  stride: number,
  crop: { x0: number; y0: number; w: number; h: number },
  outW: number,
  outH: number,
): Float32Array {
  const { x0, y0, w, h } = crop;
  const out = new Float32Array(outW * outH);
  const sx = w / outW;
  const sy = h / outH;
  for (let oy = 0; oy < outH; oy++) {
    const top = oy * sy;
    const bottom = top + sy;
    for (let ox = 0; ox < outW; ox++) {
      const left = ox * sx;
      const right = left + sx;
      let sum = 0;
      for (let y = Math.floor(top); y < Math.ceil(bottom); y++) {
        const wy = Math.min(bottom, y + 1) - Math.max(top, y);
        for (let x = Math.floor(left); x < Math.ceil(right); x++) {
          const wx = Math.min(right, x + 1) - Math.max(left, x);
          sum += wx * wy * grey[(y0 + y) * stride + x0 + x]!;
        }
      }
      out[oy * outW + ox] = sum / (sx * sy);
    }
  }
  return out;
}

/**
 * MNIST-style 28 × 28 input from a grey drawing (`width × height`, ink 1 on 0): crop to the ink's
 * bounding box, scale it to fit 20 × 20 keeping the aspect ratio, place it so its centre of mass sits
 * at the centre of the 28 × 28 field. Returns all zeros for an empty drawing.
 */
export function toMnistInput(grey: Float32Array, width: number, height: number): Float32Array {
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (grey[y * width + x]! > 0.05) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  if (maxX < 0) return out;
  const boxW = maxX - minX + 1;
  const boxH = maxY - minY + 1;
  const scale = FIT_SIDE / Math.max(boxW, boxH);
  const fitW = Math.max(1, Math.round(boxW * scale));
  const fitH = Math.max(1, Math.round(boxH * scale));
  const fitted = resample(grey, width, { x0: minX, y0: minY, w: boxW, h: boxH }, fitW, fitH);
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < fitH; y++)
    for (let x = 0; x < fitW; x++) {
      const v = fitted[y * fitW + x]!;
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  const offsetX = Math.round(MNIST_SIDE / 2 - cx / mass);
  const offsetY = Math.round(MNIST_SIDE / 2 - cy / mass);
  for (let y = 0; y < fitH; y++)
    for (let x = 0; x < fitW; x++) {
      const tx = x + offsetX;
      const ty = y + offsetY;
      if (tx >= 0 && tx < MNIST_SIDE && ty >= 0 && ty < MNIST_SIDE) out[ty * MNIST_SIDE + tx] = Math.min(1, fitted[y * fitW + x]!);
    }
  return out;
}
