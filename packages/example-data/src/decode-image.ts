/**
 * PNG and JPEG decoding with pure-JavaScript libraries (pngjs, jpeg-js): dependency install scripts
 * do not run in this workspace, and these need none (sharp's prebuilt libvips would, per platform).
 * The declared pixel count is checked before decoding, so a tiny file claiming a huge image is refused.
 */
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { ExampleDataError } from "./errors.js";

/** Decoded pixels, 4 bytes (RGBA) per pixel, row-major. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/** Larger images are refused: 16 megapixels is 64 MB of RGBA. */
export const MAX_IMAGE_PIXELS = 16 * 1024 * 1024;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function imageKind(bytes: Uint8Array): "png" | "jpeg" | undefined {
  if (PNG_MAGIC.every((b, i) => bytes[i] === b)) return "png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return undefined;
}

function checkPixels(width: number, height: number, file: string): void {
  if (width * height > MAX_IMAGE_PIXELS)
    throw new ExampleDataError("LIMIT_EXCEEDED", `${file}: ${width}x${height} pixels is over the limit of ${MAX_IMAGE_PIXELS}`);
}

/** Decodes a PNG or JPEG file's bytes; anything unreadable is an ExampleDataError naming `file`. */
export function decodeImage(bytes: Uint8Array, file: string): DecodedImage {
  const kind = imageKind(bytes);
  if (kind === undefined) throw new ExampleDataError("UNREADABLE", `${file}: not a PNG or JPEG image`);
  try {
    if (kind === "png") {
      // IHDR is the first chunk: width and height at bytes 16 and 20.
      if (bytes.byteLength >= 24) {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        checkPixels(view.getUint32(16, false), view.getUint32(20, false), file);
      }
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    const decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: 256,
    });
    return { width: decoded.width, height: decoded.height, rgba: decoded.data };
  } catch (error) {
    if (error instanceof ExampleDataError) throw error;
    throw new ExampleDataError("UNREADABLE", `${file}: cannot decode ${kind} (${(error as Error).message})`, { cause: error });
  }
}
