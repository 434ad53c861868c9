import { TensorError } from "./errors.js";

/**
 * The only source of randomness in dcnpi: xoshiro128** seeded through SplitMix32.
 *
 * A generator is made from a seed and can be forked by label. A fork depends only on the parent's
 * seed path and the label, never on how many numbers the parent has drawn, so adding a draw in one
 * component does not change the numbers any other component sees.
 */
export type Seed = number | string;

/** Everything needed to continue a generator exactly where it stopped (for resumable runs). */
export interface RngState {
  readonly key: readonly [number, number, number, number];
  readonly state: readonly [number, number, number, number];
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over UTF-16 code units, then finalised: a stable 32-bit hash of a label. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return splitmix32(h)();
}

function keyFromSeed(seed: Seed): [number, number, number, number] {
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new TensorError("INVALID_SEED", `seed must be a non-negative safe integer or a string, got ${seed}`);
    }
    // Both halves of the 53-bit seed feed the key, so seeds that differ only above bit 32 differ.
    const mixLow = splitmix32(seed >>> 0);
    const mixHigh = splitmix32(Math.floor(seed / 2 ** 32) ^ 0x5bd1e995);
    return [mixLow() ^ mixHigh(), mixLow(), mixHigh(), mixLow() ^ 0x2545f491];
  }
  if (typeof seed !== "string") throw new TensorError("INVALID_SEED", `seed must be a number or a string`);
  const mix = splitmix32(hashLabel(`seed:${seed}`));
  return [mix(), mix(), mix(), mix()];
}

function stateFromKey(key: readonly number[]): [number, number, number, number] {
  const mix = splitmix32((key[0]! ^ Math.imul(key[1]!, 31) ^ Math.imul(key[2]!, 131) ^ Math.imul(key[3]!, 8191)) >>> 0);
  const state: [number, number, number, number] = [
    (mix() ^ key[0]!) >>> 0,
    (mix() ^ key[1]!) >>> 0,
    (mix() ^ key[2]!) >>> 0,
    (mix() ^ key[3]!) >>> 0,
  ];
  // xoshiro must never be all zero.
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 0x9e3779b9;
  return state;
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

export class Rng {
  readonly #key: [number, number, number, number];
  readonly #s: [number, number, number, number];

  private constructor(key: [number, number, number, number], state: [number, number, number, number]) {
    this.#key = key;
    this.#s = state;
  }

  /** A generator for `seed`: equal seeds give equal streams on every platform. */
  static fromSeed(seed: Seed): Rng {
    const key = keyFromSeed(seed);
    return new Rng(key, stateFromKey(key));
  }

  /** Rebuilds a generator saved with `saveState()`; it continues with the very next number. */
  static fromState(saved: RngState): Rng {
    const valid = (xs: readonly number[]) =>
      Array.isArray(xs) && xs.length === 4 && xs.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff);
    if (!valid(saved.key) || !valid(saved.state) || saved.state.every((x) => x === 0)) {
      throw new TensorError("INVALID_SEED", "rng state must hold two arrays of four uint32 values (state not all zero)");
    }
    return new Rng([...saved.key] as [number, number, number, number], [...saved.state] as [number, number, number, number]);
  }

  saveState(): RngState {
    return { key: [...this.#key], state: [...this.#s] };
  }

  /** An independent generator for a named component; depends on the label and seed path only. */
  fork(label: string): Rng {
    const h = hashLabel(label);
    const mix = splitmix32(h ^ this.#key[0]);
    const key: [number, number, number, number] = [
      (mix() ^ this.#key[1]) >>> 0,
      (mix() ^ this.#key[2]) >>> 0,
      (mix() ^ this.#key[3]) >>> 0,
      (mix() ^ h) >>> 0,
    ];
    return new Rng(key, stateFromKey(key));
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] = (s[2] ^ s[0]) >>> 0;
    s[3] = (s[3] ^ s[1]) >>> 0;
    s[1] = (s[1] ^ s[2]) >>> 0;
    s[0] = (s[0] ^ s[3]) >>> 0;
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform float in [0, 1) with 53 bits of resolution. */
  float(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A uniform float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.float();
  }

  /** A uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`rng.int: n must be a positive integer, got ${n}`);
    if (n <= 0x100000000) {
      // Rejection sampling on the top of the 32-bit range keeps every value equally likely.
      const limit = 0x100000000 - (0x100000000 % n);
      for (;;) {
        const x = this.nextUint32();
        if (x < limit) return x % n;
      }
    }
    return Math.floor(this.float() * n);
  }

  /** A standard normal sample scaled to `mean`, `std` (Box–Muller; uses two uniforms). */
  normal(mean = 0, std = 1): number {
    let u = this.float();
    while (u === 0) u = this.float();
    const v = this.float();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A normal sample redrawn until it lies within two standard deviations (as Keras does). */
  truncatedNormal(mean = 0, std = 1): number {
    for (;;) {
      const z = this.normal();
      if (Math.abs(z) <= 2) return mean + std * z;
    }
  }

  fillUniform<T extends Float32Array | Float64Array>(out: T, low = 0, high = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
    return out;
  }

  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /** `k` distinct indices from 0..n-1 in random order (Floyd's algorithm: O(k) memory). */
  sampleIndices(n: number, k: number): Int32Array {
    if (!Number.isSafeInteger(k) || k < 0 || k > n) throw new RangeError(`rng.sampleIndices: need 0 <= k <= n, got k=${k}, n=${n}`);
    const chosen = new Set<number>();
    for (let j = n - k; j < n; j++) {
      const t = this.int(j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
    return this.shuffle(Int32Array.from(chosen));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("rng.pick: no items");
    return items[this.int(items.length)]!;
  }
}
