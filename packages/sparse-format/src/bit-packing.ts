import { SparseFormatError } from "./errors.js";

/** Bytes needed for `count` values of `bits` bits each, packed back to back. */
export function packedByteLength(count: number, bits: number): number {
  return Math.ceil((count * bits) / 8);
}

function checkBits(bits: number, what: string): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) {
    throw new SparseFormatError("INVALID_ARGUMENT", `${what}: bit width must be an integer in 1..16, got ${bits}`);
  }
}

/**
 * Packs each value into `bits` bits (1..16), least-significant bit first, values back to back with
 * no alignment (value i occupies bits [i*bits, (i+1)*bits) of the stream, bit 0 = LSB of byte 0);
 * the last byte is zero-padded. Every value must be an integer in 0..2^bits-1.
 */
export function packBits(values: ArrayLike<number>, bits: number, what = "values"): Uint8Array {
  checkBits(bits, what);
  const limit = 1 << bits;
  const out = new Uint8Array(packedByteLength(values.length, bits));
  let acc = 0;
  let accBits = 0;
  let o = 0;
  for (let i = 0, n = values.length; i < n; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v < limit) || v !== Math.floor(v)) {
      throw new SparseFormatError("INVALID_ARGUMENT", `${what}: value ${i} is ${v}, outside 0..${limit - 1} for ${bits} bits`);
    }
    acc |= v << accBits;
    accBits += bits;
    // accBits stays below 8 + 16 between flushes, so the 32-bit accumulator never overflows.
    while (accBits >= 8) {
      out[o++] = acc & 0xff;
      acc >>>= 8;
      accBits -= 8;
    }
  }
  if (accBits > 0) out[o] = acc & 0xff;
  return out;
}

/**
 * Reads `count` values of `bits` bits written by `packBits` into `out` (a new Uint16Array by
 * default). Strict: `bytes` must be exactly `packedByteLength(count, bits)` long and the padding
 * bits zero, so a packed stream has one valid form (CORRUPT_STREAM otherwise).
 */
export function unpackBits<T extends Uint8Array | Uint16Array | Uint32Array = Uint16Array>(
  bytes: Uint8Array,
  bits: number,
  count: number,
  out?: T,
  what = "packed stream",
): T {
  checkBits(bits, what);
  const expected = packedByteLength(count, bits);
  if (bytes.length !== expected) {
    throw new SparseFormatError("CORRUPT_STREAM", `${what}: ${count} values of ${bits} bits need ${expected} bytes, got ${bytes.length}`);
  }
  const target = (out ?? new Uint16Array(count)) as T;
  if (target.length < count) throw new SparseFormatError("INVALID_ARGUMENT", `${what}: output holds ${target.length}, needs ${count}`);
  const mask = (1 << bits) - 1;
  let acc = 0;
  let accBits = 0;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    while (accBits < bits) {
      acc |= bytes[pos++]! << accBits;
      accBits += 8;
    }
    target[i] = acc & mask;
    acc >>>= bits;
    accBits -= bits;
  }
  if (acc !== 0 || pos < bytes.length) {
    // Leftover bits are the padding of the last byte; a whole unread byte cannot happen here.
    throw new SparseFormatError("CORRUPT_STREAM", `${what}: padding bits after the last value are not zero`);
  }
  return target;
}
