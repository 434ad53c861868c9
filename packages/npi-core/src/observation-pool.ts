/**
 * Distinct observations of one environment, stored once each. Traces repeat the same few
 * observations again and again (a scratch pad shows 11^4 digit combinations at most), so training
 * sets keep indices into a pool instead of copies.
 */
export class ObservationPool {
  readonly size: number;
  #data: Float32Array;
  #count = 0;
  readonly #byHash = new Map<number, number[]>();

  constructor(size: number) {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`ObservationPool: size must be a positive integer, got ${size}`);
    this.size = size;
    this.#data = new Float32Array(size * 64);
  }

  get count(): number {
    return this.#count;
  }

  /** Index of `observation` in the pool, adding it when new. */
  add(observation: Float32Array): number {
    if (observation.length !== this.size) {
      throw new RangeError(`ObservationPool: observation has ${observation.length} elements, expected ${this.size}`);
    }
    const hash = hashFloats(observation);
    const candidates = this.#byHash.get(hash);
    if (candidates !== undefined) {
      for (const index of candidates) if (this.#equals(index, observation)) return index;
    }
    if ((this.#count + 1) * this.size > this.#data.length) {
      const grown = new Float32Array(this.#data.length * 2);
      grown.set(this.#data);
      this.#data = grown;
    }
    const index = this.#count++;
    this.#data.set(observation, index * this.size);
    if (candidates === undefined) this.#byHash.set(hash, [index]);
    else candidates.push(index);
    return index;
  }

  /** A view of observation `index` (valid until the next `add`). */
  view(index: number): Float32Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.#count) throw new RangeError(`ObservationPool: no observation ${index}`);
    return this.#data.subarray(index * this.size, (index + 1) * this.size);
  }

  /** Copies observation `index` into `out` at element `offset`. */
  copyTo(index: number, out: Float32Array, offset: number): void {
    out.set(this.view(index), offset);
  }

  #equals(index: number, observation: Float32Array): boolean {
    const base = index * this.size;
    for (let i = 0; i < this.size; i++) if (!Object.is(this.#data[base + i], observation[i])) return false;
    return true;
  }
}

/** FNV-1a over the float bits. */
function hashFloats(values: Float32Array): number {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < bits.length; i++) {
    h ^= bits[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
