import { SparseFormatError } from "./errors.js";

/**
 * The resources reading one container may cost, stated as data so a caller can see and change them.
 * Every limit is checked against the header's declared shapes and the file's size before anything
 * is allocated from them; exceeding one is a `LIMIT_EXCEEDED` SparseFormatError naming the entry and
 * the limit. The defaults load a 100M-parameter model with room to spare (2.7x) and stop a small
 * file from declaring gigabytes.
 */
export interface ReadLimits {
  /** Elements of any one tensor (default 2^28: 1 GiB as float32). */
  readonly maxTensorElements: number;
  /** Elements of all tensors together, as declared by their shapes (default 2^28). */
  readonly maxTotalElements: number;
  /** Bytes of all tensors decoded (compressed layers as float32, dense tensors in their dtype; default 2^30 = 1 GiB). */
  readonly maxTotalBytes: number;
  /** Entries in the file (default 2^18 = 262,144). */
  readonly maxEntries: number;
  /** Bytes of the header (entries + metadata; JSON, or binary and then also its decoded body), checked before it is read (default 64 MiB). */
  readonly maxHeaderBytes: number;
  /** Nesting depth of the metadata JSON (default 256; a tfjs topology nests about 10 deep). */
  readonly maxMetadataDepth: number;
  /**
   * Zero tail elements, over the whole file. A relative-index tensor with s entries and b-bit gaps
   * expresses at most (s + 1)·2^b positions. Writers store the filler entries that takes, so a declared
   * shape beyond that is a lie and refused (default 0: the strict rule of issue 16). Version-1 files
   * written before that fix may declare an all-zero tail after the last non-zero; raise this to
   * read them (a total over the file, so a hostile file still cannot declare gigabytes of zeros).
   * Version 2 is always strict.
   */
  readonly maxZeroTailElements: number;
}

/** The defaults (see each field of `ReadLimits`). */
export const DEFAULT_READ_LIMITS: ReadLimits = Object.freeze({
  maxTensorElements: 2 ** 28,
  maxTotalElements: 2 ** 28,
  maxTotalBytes: 2 ** 30,
  maxEntries: 2 ** 18,
  maxHeaderBytes: 64 * 2 ** 20,
  maxMetadataDepth: 256,
  maxZeroTailElements: 0,
});

/** No limits at all: what the writer checks its own header against (a trusted producer). */
export const NO_READ_LIMITS: ReadLimits = Object.freeze({
  maxTensorElements: Number.MAX_SAFE_INTEGER,
  maxTotalElements: Number.MAX_SAFE_INTEGER,
  maxTotalBytes: Number.MAX_SAFE_INTEGER,
  maxEntries: Number.MAX_SAFE_INTEGER,
  maxHeaderBytes: Number.MAX_SAFE_INTEGER,
  maxMetadataDepth: Number.MAX_SAFE_INTEGER,
  maxZeroTailElements: Number.MAX_SAFE_INTEGER,
});

/**
 * The limits with a caller's overrides applied (other keys of `options`, e.g. `log`, are ignored);
 * each override must be a non-negative integer.
 */
export function resolveReadLimits(options: Partial<ReadLimits> = {}): ReadLimits {
  const limits: Record<string, number> = { ...DEFAULT_READ_LIMITS };
  for (const key of Object.keys(DEFAULT_READ_LIMITS) as (keyof ReadLimits)[]) {
    const value: unknown = options[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
      throw new SparseFormatError("INVALID_ARGUMENT", `read limit ${key} must be a non-negative integer, got ${String(value)}`);
    limits[key] = value;
  }
  return limits as unknown as ReadLimits;
}

/** A `LIMIT_EXCEEDED` error naming what exceeded which limit. */
export function limitExceeded(what: string, amount: number, limit: keyof ReadLimits, value: number, unit: string): SparseFormatError {
  return new SparseFormatError(
    "LIMIT_EXCEEDED",
    `${what}: ${amount} ${unit} exceed the read limit ${limit} = ${value} (raise it through the read options if the file is trusted)`,
  );
}

/**
 * Nesting depth of a parsed JSON value, walked with an explicit stack (a hostile value nested
 * 200,000 deep must not overflow the call stack); stops as soon as `limit` is passed.
 */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}
