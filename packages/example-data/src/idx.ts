/**
 * IDX, the format MNIST ships in (LeCun et al.): two zero bytes, a type byte, a rank byte, one
 * big-endian uint32 per dimension, then the big-endian payload. `@dcnpi/datasets` reads only MNIST's
 * unsigned-byte files with their known sizes; this reads any IDX array a user brings.
 */
import { ExampleDataError } from "./errors.js";
import { readPayload, type ElementType, type NumericArray } from "./numeric-array.js";

const IDX_TYPES: Record<number, ElementType> = {
  0x08: "uint8",
  0x09: "int8",
  0x0b: "int16",
  0x0c: "int32",
  0x0d: "float32",
  0x0e: "float64",
};

/** True when the first four bytes are a plausible IDX magic (00 00 type rank). */
export function isIdx(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0 && bytes[1] === 0 && IDX_TYPES[bytes[2]!] !== undefined && bytes[3]! >= 1;
}

/** Parses a whole IDX file; `file` is only used in messages. */
export function parseIdxArray(bytes: Uint8Array, file: string): NumericArray {
  if (!isIdx(bytes)) throw new ExampleDataError("BAD_FORMAT", `${file}: not an IDX file (magic 00 00 <type> <rank>)`);
  const rank = bytes[3]!;
  const start = 4 + 4 * rank;
  if (bytes.byteLength < start) throw new ExampleDataError("BAD_FORMAT", `${file}: the IDX header is cut short`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  return readPayload(bytes, start, shape, IDX_TYPES[bytes[2]!]!, false, file);
}
