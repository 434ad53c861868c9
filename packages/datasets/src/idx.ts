import { DatasetError } from "./errors.js";

/** IDX magic numbers: 0x00000801 = unsigned bytes, rank 1 (labels); 0x00000803 = rank 3 (images). */
export const IDX_LABELS_MAGIC = 0x0801;
export const IDX_IMAGES_MAGIC = 0x0803;

export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/**
 * Parses an unsigned-byte IDX file (the format MNIST ships in): a big-endian magic whose low byte is
 * the rank, one big-endian uint32 per dimension, then the bytes. `file` is only used in messages.
 */
export function parseIdx(bytes: Uint8Array, expectedMagic: number, file: string): IdxArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) throw new DatasetError("TRUNCATED", `${file}: ${bytes.byteLength} bytes is too short for an IDX header`);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    throw new DatasetError(
      "BAD_MAGIC",
      `${file}: magic number 0x${magic.toString(16).padStart(8, "0")}, expected 0x${expectedMagic.toString(16).padStart(8, "0")}`,
    );
  }
  const rank = magic & 0xff;
  const headerBytes = 4 + 4 * rank;
  if (bytes.byteLength < headerBytes) throw new DatasetError("TRUNCATED", `${file}: header cut short`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== headerBytes + count) {
    throw new DatasetError(
      "TRUNCATED",
      `${file}: header declares ${dims.join("x")} = ${count} bytes of data, file holds ${bytes.byteLength - headerBytes}`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}
