import { ArithmeticError, decodeSymbolsFrom, encodeSymbolsDetailed } from "@dcnpi/arithmetic";
import { SparseFormatError } from "./errors.js";

/**
 * Packed float32 tensors (format version 2, issue 17): a lossless form of a dense float32 tensor (biases,
 * BatchNorm parameters). A bias vector's values share a handful of exponents, so the 8 exponent bits of
 * each value carry ~3 bits of information; the sign and the 23 mantissa bits are close to random. The
 * exponents are therefore arithmetic-coded and the rest stored as it is:
 *
 *   stream     an @dcnpi/arithmetic stream of the n biased exponents (bits 23-30 of each value), alphabet
 *              <= 256; arithmetic streams are self-delimiting, so its length is not stored
 *   3n bytes   per value, bits 0-22 (the mantissa) and bit 31 (the sign) as a 24-bit little-endian integer:
 *              mantissa in bits 0-22, sign in bit 23
 *
 * Every float32 bit pattern (NaNs, infinities, −0, subnormals) round-trips exactly.
 */

function corrupt(what: string, message: string, cause?: unknown): SparseFormatError {
  return new SparseFormatError("CORRUPT_STREAM", `${what}: packed float32 data ${message}`, cause === undefined ? undefined : { cause });
}

/** The packed form of `data`, or null when it would not be smaller than 4 bytes a value. */
export function packFloat32(data: Float32Array): Uint8Array | null {
  const n = data.length;
  if (n === 0) return null;
  const bits = new Uint32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const exponents = new Uint8Array(n);
  for (let i = 0; i < n; i++) exponents[i] = (bits[i]! >>> 23) & 0xff;
  const stream = encodeSymbolsDetailed(exponents).bytes;
  const total = stream.length + 3 * n;
  if (total >= 4 * n) return null;
  const out = new Uint8Array(total);
  out.set(stream, 0);
  let o = stream.length;
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    const low = (b & 0x7fffff) | ((b >>> 31) << 23);
    out[o++] = low & 0xff;
    out[o++] = (low >>> 8) & 0xff;
    out[o++] = (low >>> 16) & 0xff;
  }
  return out;
}

/**
 * Decodes `count` packed float32 values. Strict: the exponent stream must hold `count` symbols and
 * exactly 3 × `count` bytes must follow it (CORRUPT_STREAM otherwise).
 * Memory: the `count` values, which the header bounds by its shape and the read limits.
 */
export function unpackFloat32(bytes: Uint8Array, count: number, what: string): Float32Array {
  let decoded: { symbols: Uint32Array; bytesRead: number };
  try {
    decoded = decodeSymbolsFrom(bytes, 0, { maxCount: count, maxAlphabetSize: 256, what });
  } catch (error) {
    if (error instanceof ArithmeticError) throw corrupt(what, `exponent stream: ${error.message}`, error);
    throw error;
  }
  const exponents = decoded.symbols;
  let o = decoded.bytesRead;
  if (exponents.length !== count || bytes.length - o !== 3 * count)
    throw corrupt(what, `holds ${exponents.length} exponents and ${bytes.length - o} bytes after them for ${count} values`);
  const bits = new Uint32Array(count);
  for (let i = 0; i < count; i++, o += 3) {
    const low = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16);
    bits[i] = ((low >>> 23) << 31) | (exponents[i]! << 23) | (low & 0x7fffff);
  }
  return new Float32Array(bits.buffer);
}
