/**
 * One decoded image as one model input [height, width, channels]: the size checked (or resized,
 * bilinear with half-pixel centres as `tf.image.resizeBilinear(..., halfPixelCenters=true)`), the
 * channels put in the model's order (luminance for one channel, ITU-R BT.601 weights as PIL's "L"),
 * then scale and offset.
 */
import type { DecodedImage } from "./decode-image.js";
import { ExampleDataError } from "./errors.js";
import { applyScaleOffset, type Preprocessing } from "./preprocess.js";

export interface ImageInputShape {
  readonly height: number;
  readonly width: number;
  /** 1 (luminance) or 3 (colour). */
  readonly channels: number;
}

function sampleBilinear(image: DecodedImage, height: number, width: number): Float32Array {
  const { rgba, width: w0, height: h0 } = image;
  const out = new Float32Array(height * width * 4);
  const sy = h0 / height;
  const sx = w0 / width;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h0 - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h0 - 1);
    const dy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w0 - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w0 - 1);
      const dx = fx - x0;
      for (let c = 0; c < 4; c++) {
        const top = rgba[(y0 * w0 + x0) * 4 + c]! * (1 - dx) + rgba[(y0 * w0 + x1) * 4 + c]! * dx;
        const bottom = rgba[(y1 * w0 + x0) * 4 + c]! * (1 - dx) + rgba[(y1 * w0 + x1) * 4 + c]! * dx;
        out[(y * width + x) * 4 + c] = top * (1 - dy) + bottom * dy;
      }
    }
  }
  return out;
}

/** Writes the model input for `image` into `out` (length height × width × channels). */
export function imageToInput(
  image: DecodedImage,
  shape: ImageInputShape,
  preprocessing: Preprocessing,
  file: string,
  out: Float32Array,
): void {
  const { height, width, channels } = shape;
  if (channels !== 1 && channels !== 3)
    throw new ExampleDataError("SHAPE_MISMATCH", `${file}: the model takes ${channels} channels; images give 1 (gray) or 3 (colour)`);
  if ((image.height !== height || image.width !== width) && preprocessing.resize !== true) {
    throw new ExampleDataError(
      "SHAPE_MISMATCH",
      `${file}: image is ${image.width}x${image.height}, the model takes ${width}x${height} (pass --resize to resize)`,
    );
  }
  const rgba = image.height === height && image.width === width ? Float32Array.from(image.rgba) : sampleBilinear(image, height, width);
  const bgr = preprocessing.channelOrder === "bgr";
  for (let p = 0; p < height * width; p++) {
    const r = rgba[p * 4]!;
    const g = rgba[p * 4 + 1]!;
    const b = rgba[p * 4 + 2]!;
    if (channels === 1) out[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    else {
      out[p * 3] = bgr ? b : r;
      out[p * 3 + 1] = g;
      out[p * 3 + 2] = bgr ? r : b;
    }
  }
  applyScaleOffset(out, channels, preprocessing, true);
}
