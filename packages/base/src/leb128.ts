/**
 * LEB128 bytes of a 32-bit integer, as WebAssembly's binary format writes indices, sizes (unsigned) and
 * i32 constants (signed). Shared by the repository's three hand-written WebAssembly emitters (the
 * engine's kernels, sparse-format's mat-vec, arithmetic's decode loop).
 */
export function unsignedLeb128(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of `value | 0` (two's complement, sign-extended from bit 6 of the last byte). */
export function signedLeb128(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}
