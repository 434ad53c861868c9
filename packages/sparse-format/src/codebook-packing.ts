import { SparseFormatError } from "./errors.js";

/**
 * Packed codebooks (format version 2, issue 17): a lossless form of a codebook whose stored centroids
 * are strictly ascending. A float32 codebook costs 4 bytes a centroid, which on the LeNets' 8-bit conv
 * layers (255 centroids for a few hundred weights) and on an NPI's many small tensors is several percent
 * of the file. Sorted float32 values have sorted bit patterns once mapped to an order-preserving key, and
 * neighbouring centroids differ in far fewer than 32 bits, so the key differences are coded instead:
 *
 *   byte 0     k, the Exp-Golomb order (0..31)
 *   bits       (LSB-first, as fixed-width streams) the first stored centroid's key in 32 bits, then for
 *              each next one, key_i − key_{i−1} − 1 as an order-k Exp-Golomb code; zero padding to the byte
 *
 * The key of a float32 with bits u is `u | 2^31` if the sign bit is clear, `~u` if it is set, so keys
 * ascend with the values (−0 just below +0). An order-k Exp-Golomb code of d writes v = d + 2^k as
 * (n − k) zero bits, n = ⌊log2 v⌋, then the n + 1 bits of v, most significant first. A sparse layer's
 * codebook[0] is the exact zero of pruned slots and is not stored.
 */

const MAX_ORDER = 31;

function keyOf(view: DataView, value: number): number {
  view.setFloat32(0, value, true);
  const u = view.getUint32(0, true);
  return u >= 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
}

function valueOf(view: DataView, key: number): number {
  const u = key >= 0x80000000 ? (key & 0x7fffffff) >>> 0 : ~key >>> 0;
  view.setUint32(0, u, true);
  return view.getFloat32(0, true);
}

/**
 * The most bytes a packed codebook of `codebookSize` centroids can take: the order byte, 32 bits for the
 * first key and at most 65 for each difference (an order-k code of d < 2^32 has n ≤ 32 and 2n − k + 1 bits).
 */
export function packedCodebookMaxBytes(codebookSize: number): number {
  return 1 + Math.ceil((32 + Math.max(0, codebookSize - 1) * 65) / 8);
}

/** ⌊log2 v⌋ for an integer 1 ≤ v < 2^34, exactly (no floating-point logarithm). */
function floorLog2(v: number): number {
  let n = 0;
  while (2 ** (n + 1) <= v) n++;
  return n;
}

/** Bits of the order-k Exp-Golomb code of d ≥ 0. */
function golombBits(d: number, k: number): number {
  return 2 * floorLog2(d + 2 ** k) - k + 1;
}

class BitWriter {
  readonly bytes: Uint8Array;
  #bit: number;
  constructor(byteLength: number, startByte: number) {
    this.bytes = new Uint8Array(byteLength);
    this.#bit = startByte * 8;
  }
  write(value: number, count: number): void {
    // Most significant of the `count` bits first, each into the next LSB-first stream bit.
    for (let i = count - 1; i >= 0; i--) {
      if (Math.floor(value / 2 ** i) % 2 === 1) this.bytes[this.#bit >> 3]! |= 1 << (this.#bit & 7);
      this.#bit++;
    }
  }
}

function corrupt(what: string, message: string): SparseFormatError {
  return new SparseFormatError("CORRUPT_STREAM", `${what}: packed codebook ${message}`);
}

/**
 * The packed form of `codebook` (sparse: entries 1.. only), or null when its stored centroids are not
 * strictly ascending finite float32 values (it then stays float32). Picks the Exp-Golomb order that
 * gives the fewest bytes.
 */
export function packCodebook(codebook: Float32Array, sparse: boolean): Uint8Array | null {
  const view = new DataView(new ArrayBuffer(4));
  const stored = codebook.subarray(sparse ? 1 : 0);
  const keys: number[] = [];
  for (let i = 0; i < stored.length; i++) {
    if (!Number.isFinite(stored[i]!)) return null;
    keys.push(keyOf(view, stored[i]!));
    if (i > 0 && keys[i]! <= keys[i - 1]!) return null;
  }
  let order = 0;
  let bestBits = Infinity;
  for (let k = 0; k <= MAX_ORDER; k++) {
    let bits = keys.length > 0 ? 32 : 0;
    for (let i = 1; i < keys.length; i++) bits += golombBits(keys[i]! - keys[i - 1]! - 1, k);
    if (bits < bestBits) [order, bestBits] = [k, bits];
  }
  const out = new BitWriter(1 + Math.ceil(bestBits / 8), 1);
  out.bytes[0] = order;
  if (keys.length > 0) out.write(keys[0]!, 32);
  for (let i = 1; i < keys.length; i++) {
    const v = keys[i]! - keys[i - 1]! - 1 + 2 ** order;
    const n = floorLog2(v);
    out.write(0, n - order);
    out.write(v, n + 1);
  }
  return out.bytes;
}

/**
 * Decodes a packed codebook of `codebookSize` centroids (sparse: codebook[0] = 0 is implied). Strict:
 * keys must fit 32 bits and give finite values, and only zero padding may follow (CORRUPT_STREAM).
 * Memory: the output's `codebookSize` floats, which the header bounds by 2^weightBits.
 */
export function unpackCodebook(bytes: Uint8Array, codebookSize: number, sparse: boolean, what: string): Float32Array {
  const order = bytes[0];
  if (order === undefined) throw corrupt(what, "is empty");
  if (order > MAX_ORDER) throw corrupt(what, `has Exp-Golomb order ${order}, more than ${MAX_ORDER}`);
  // An LSB-first bit stream from byte 1, each field most significant bit first.
  let bit = 8;
  const read = (count: number) => {
    let value = 0;
    for (let i = 0; i < count; i++, bit++) {
      if (bit >= bytes.length * 8) throw corrupt(what, "ends inside a centroid");
      value = value * 2 + ((bytes[bit >> 3]! >> (bit & 7)) & 1);
    }
    return value;
  };
  const view = new DataView(new ArrayBuffer(4));
  const out = new Float32Array(codebookSize);
  const first = sparse ? 1 : 0;
  let key = 0;
  for (let c = first; c < codebookSize; c++) {
    if (c === first) key = read(32);
    else {
      let zeros = 0;
      while (read(1) === 0)
        if (++zeros > 32 - order) throw corrupt(what, `centroid ${c}: an Exp-Golomb prefix longer than ${32 - order} zeros`);
      key += 2 ** (zeros + order) + read(zeros + order) - 2 ** order + 1;
      if (key > 0xffffffff) throw corrupt(what, `centroid ${c}: key beyond 32 bits`);
    }
    const value = valueOf(view, key);
    if (!Number.isFinite(value)) throw corrupt(what, `centroid ${c} is ${value}`);
    out[c] = value;
  }
  // Only zero padding, less than a byte of it, may follow.
  if (Math.ceil(bit / 8) !== bytes.length || bytes[bytes.length - 1]! >> (bit & 7 || 8) !== 0)
    throw corrupt(what, "has bytes or non-zero padding bits after the last centroid");
  return out;
}

/**
 * The same weights with a canonical codebook: only the centroids some code uses, in ascending order
 * (equal values merged), and the codes renumbered to match (sparse: code 0 stays the exact zero of pruned
 * slots). Every weight keeps its value, so this is lossless; it lets `packCodebook` apply and drops the
 * centroids k-means left empty (the LeNets' 8-bit conv layers use 149 and 175 of 255).
 */
export function sortCodebook(
  codes: ArrayLike<number>,
  codebook: Float32Array,
  sparse: boolean,
): { readonly codes: Uint16Array; readonly codebook: Float32Array } {
  const view = new DataView(new ArrayBuffer(4));
  const used = new Uint8Array(codebook.length);
  for (let i = 0; i < codes.length; i++) used[codes[i]!] = 1;
  const first = sparse ? 1 : 0;
  const byKey = new Map<number, number>();
  for (let c = first; c < codebook.length; c++) if (used[c] === 1) byKey.set(keyOf(view, codebook[c]!), codebook[c]!);
  const keys = [...byKey.keys()].sort((a, b) => a - b);
  // An empty quantized tensor uses no centroid, and a codebook needs at least one: leave it as it is.
  if (first + keys.length === 0) return { codes: Uint16Array.from(codes), codebook: codebook.slice() };
  const sorted = new Float32Array(first + keys.length);
  const rank = new Map<number, number>();
  keys.forEach((key, i) => {
    sorted[first + i] = byKey.get(key)!;
    rank.set(key, first + i);
  });
  const renumber = new Uint16Array(codebook.length);
  for (let c = first; c < codebook.length; c++) if (used[c] === 1) renumber[c] = rank.get(keyOf(view, codebook[c]!))!;
  const out = new Uint16Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = renumber[codes[i]!]!;
  return { codes: out, codebook: sorted };
}
