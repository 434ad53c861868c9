import { crc32 } from "@dcnpi/base";
import { CarWorldError } from "./car-world-error.js";

/**
 * A minimal PNG writer for 8-bit RGB images, browser-safe (no zlib): by default the image data is a
 * zlib stream of *stored* deflate blocks (no compression, ~1.0× the raw size plus 6 bytes per 64 KiB).
 * Pass `deflate` (e.g. node:zlib's `deflateSync`, which returns a full zlib stream) for small files.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** r, g, b per pixel, row-major from the top-left. */
  readonly data: Uint8Array;
}

export interface EncodePngOptions {
  /** Compresses bytes into a zlib stream (RFC 1950: header, deflate data, Adler-32). */
  readonly deflate?: (raw: Uint8Array) => Uint8Array;
}

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** Adler-32 (the zlib trailer); PNG-specific, so it stays here (the one CRC-32 is @dcnpi/base's). */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  // Reduce every 5552 bytes, as zlib does, so the sums stay small integers.
  for (let i = 0; i < bytes.length;) {
    const end = Math.min(bytes.length, i + 5552);
    for (; i < end; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream holding `raw` in stored (uncompressed) deflate blocks. */
export function zlibStored(raw: Uint8Array): Uint8Array {
  const maxBlock = 65535;
  const blocks = Math.max(1, Math.ceil(raw.length / maxBlock));
  const out = new Uint8Array(2 + raw.length + 5 * blocks + 4);
  out[0] = 0x78; // deflate, 32 KiB window
  out[1] = 0x01; // no preset dictionary, fastest; (0x78 << 8 | 0x01) % 31 === 0
  let o = 2;
  for (let k = 0; k < blocks; k++) {
    const start = k * maxBlock;
    const length = Math.min(maxBlock, raw.length - start);
    out[o++] = k === blocks - 1 ? 1 : 0; // BFINAL, BTYPE = 00 (stored)
    out[o++] = length & 0xff;
    out[o++] = length >>> 8;
    out[o++] = ~length & 0xff;
    out[o++] = (~length >>> 8) & 0xff;
    out.set(raw.subarray(start, start + length), o);
    o += length;
  }
  const check = adler32(raw);
  out[o++] = check >>> 24;
  out[o++] = (check >>> 16) & 0xff;
  out[o++] = (check >>> 8) & 0xff;
  out[o++] = check & 0xff;
  return out;
}

export function validateRgbImage(image: RgbImage, what = "image"): RgbImage {
  const { width, height, data } = image ?? ({} as RgbImage);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new CarWorldError("INVALID_IMAGE", `${what}: expected positive integer width and height, got ${width}×${height}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new CarWorldError("INVALID_IMAGE", `${what}: expected ${width * height * 3} bytes (${width}×${height}×3), got ${data?.length}`);
  }
  return image;
}

/** Encodes an RGB image as a PNG file (colour type 2, 8 bits, no interlace, filter 0 on every row). */
export function encodePng(image: RgbImage, options: EncodePngOptions = {}): Uint8Array {
  const { width, height, data } = validateRgbImage(image, "encodePng image");
  const rowBytes = width * 3;
  const raw = new Uint8Array(height * (rowBytes + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (rowBytes + 1)] = 0; // filter type None
    raw.set(data.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  }
  const idat = options.deflate ? options.deflate(raw) : zlibStored(raw);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const chunks = [chunk("IHDR", header), chunk("IDAT", idat), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(PNG_SIGNATURE.length + chunks.reduce((n, c) => n + c.length, 0));
  out.set(PNG_SIGNATURE, 0);
  let o = PNG_SIGNATURE.length;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** A chunk of a PNG file, as `readPngChunks` finds it. */
export interface PngChunk {
  readonly type: string;
  readonly data: Uint8Array;
}

/** Splits a PNG file into chunks, checking the signature and every chunk's CRC. */
export function readPngChunks(file: Uint8Array): PngChunk[] {
  for (let i = 0; i < PNG_SIGNATURE.length; i++) {
    if (file[i] !== PNG_SIGNATURE[i]) throw new CarWorldError("INVALID_PNG", "png: bad signature");
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const chunks: PngChunk[] = [];
  let o = PNG_SIGNATURE.length;
  while (o < file.length) {
    if (o + 12 > file.length) throw new CarWorldError("INVALID_PNG", `png: truncated chunk header at byte ${o}`);
    const length = view.getUint32(o);
    if (o + 12 + length > file.length) throw new CarWorldError("INVALID_PNG", `png: chunk at byte ${o} runs past the end`);
    const type = String.fromCharCode(...file.subarray(o + 4, o + 8));
    const expected = view.getUint32(o + 8 + length);
    if (crc32(file.subarray(o + 4, o + 8 + length)) !== expected)
      throw new CarWorldError("INVALID_PNG", `png: ${type} chunk at byte ${o} fails its CRC`);
    chunks.push({ type, data: file.subarray(o + 8, o + 8 + length) });
    o += 12 + length;
    if (type === "IEND") break;
  }
  return chunks;
}

/**
 * Decodes what `encodePng` writes with the default stored blocks (8-bit RGB, filter 0, stored
 * deflate). Not a general PNG decoder: anything else is an INVALID_PNG error.
 */
export function decodeStoredPng(file: Uint8Array): RgbImage {
  const chunks = readPngChunks(file);
  const header = chunks[0];
  if (!header || header.type !== "IHDR" || header.data.length !== 13)
    throw new CarWorldError("INVALID_PNG", "png: first chunk must be a 13-byte IHDR");
  const hv = new DataView(header.data.buffer, header.data.byteOffset, 13);
  const width = hv.getUint32(0);
  const height = hv.getUint32(4);
  if (header.data[8] !== 8 || header.data[9] !== 2 || header.data[10] !== 0 || header.data[11] !== 0 || header.data[12] !== 0) {
    throw new CarWorldError("INVALID_PNG", "png: only 8-bit RGB, deflate, filter method 0, no interlace is supported");
  }
  const idatParts = chunks.filter((c) => c.type === "IDAT").map((c) => c.data);
  const zlib = new Uint8Array(idatParts.reduce((n, d) => n + d.length, 0));
  idatParts.reduce((o, d) => (zlib.set(d, o), o + d.length), 0);
  if (zlib.length < 6 || ((zlib[0]! << 8) | zlib[1]!) % 31 !== 0 || (zlib[0]! & 0x0f) !== 8)
    throw new CarWorldError("INVALID_PNG", "png: bad zlib header");
  const rowBytes = width * 3 + 1;
  const raw = new Uint8Array(rowBytes * height);
  let o = 2;
  let r = 0;
  for (;;) {
    const flags = zlib[o++]!;
    if ((flags & 0x06) !== 0) throw new CarWorldError("INVALID_PNG", "png: only stored deflate blocks are supported");
    const length = zlib[o]! | (zlib[o + 1]! << 8);
    const inverse = zlib[o + 2]! | (zlib[o + 3]! << 8);
    if ((length ^ 0xffff) !== inverse) throw new CarWorldError("INVALID_PNG", "png: stored block length check failed");
    o += 4;
    if (r + length > raw.length || o + length > zlib.length)
      throw new CarWorldError("INVALID_PNG", "png: image data longer than the image");
    raw.set(zlib.subarray(o, o + length), r);
    o += length;
    r += length;
    if (flags & 1) break;
  }
  if (r !== raw.length) throw new CarWorldError("INVALID_PNG", `png: expected ${raw.length} bytes of image data, got ${r}`);
  const check = ((zlib[o]! << 24) | (zlib[o + 1]! << 16) | (zlib[o + 2]! << 8) | zlib[o + 3]!) >>> 0;
  if (check !== adler32(raw)) throw new CarWorldError("INVALID_PNG", "png: Adler-32 mismatch");
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    if (raw[y * rowBytes] !== 0)
      throw new CarWorldError("INVALID_PNG", `png: row ${y} uses filter ${raw[y * rowBytes]}, only 0 is supported`);
    data.set(raw.subarray(y * rowBytes + 1, (y + 1) * rowBytes), y * width * 3);
  }
  return { width, height, data };
}
