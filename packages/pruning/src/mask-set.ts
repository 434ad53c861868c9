import { formatShape, sizeOfShape, type Shape } from "@dcnpi/tensor";
import { z } from "zod";
import { decodeBase64, encodeBase64 } from "@dcnpi/base";
import { PruningError } from "./errors.js";

/** One weight's pruning mask: a row-major Uint8Array of the weight's shape, 1 = kept, 0 = pruned. */
export interface WeightMask {
  readonly name: string;
  readonly shape: Shape;
  readonly mask: Uint8Array;
}

/** Per-weight kept/pruned counts. */
export interface MaskStats {
  readonly name: string;
  readonly size: number;
  readonly keptCount: number;
  readonly prunedCount: number;
  /** prunedCount / size (0 for an empty weight). */
  readonly sparsity: number;
}

export const MASK_RECORD_VERSION = 1;

/** The serialised form of a MaskSet: each mask bit-packed (LSB first) and base64-encoded. */
export const maskRecordSchema = z.strictObject({
  version: z.literal(MASK_RECORD_VERSION),
  kind: z.literal("dcnpi/pruning-masks"),
  masks: z.array(
    z.strictObject({
      name: z.string().min(1),
      shape: z.array(z.number().int().min(0)),
      keptCount: z.number().int().min(0),
      bits: z.string(),
    }),
  ),
});
export type MaskRecord = z.infer<typeof maskRecordSchema>;

export function countKept(mask: Uint8Array): number {
  let kept = 0;
  for (let i = 0; i < mask.length; i++) kept += mask[i] === 0 ? 0 : 1;
  return kept;
}

/**
 * The pruning state of a model: one mask per pruned weight, kept beside the weights (never inside
 * them), in insertion order. Weights without a mask are dense. `get(name)` is the lookup the
 * quantization and format packages take, so a MaskSet can be handed to them as it is.
 */
export class MaskSet implements Iterable<WeightMask> {
  readonly #entries = new Map<string, WeightMask>();

  constructor(entries: Iterable<WeightMask> = []) {
    for (const { name, shape, mask } of entries) this.set(name, shape, mask);
  }

  /** Sets (or replaces) the mask of `name`; its length must match `shape`. Values are normalised to 0/1. */
  set(name: string, shape: Shape, mask: Uint8Array): this {
    const size = sizeOfShape(shape, name);
    if (mask.length !== size) {
      throw new PruningError("SHAPE_MISMATCH", `${name}: mask has ${mask.length} entries, shape ${formatShape(shape)} needs ${size}`);
    }
    for (let i = 0; i < mask.length; i++) if (mask[i]! > 1) mask[i] = 1;
    this.#entries.set(name, { name, shape: [...shape], mask });
    return this;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** The mask of `name`, or undefined when that weight is not pruned. */
  get(name: string): Uint8Array | undefined {
    return this.#entries.get(name)?.mask;
  }

  entry(name: string): WeightMask {
    const found = this.#entries.get(name);
    if (found === undefined) {
      throw new PruningError("UNKNOWN_WEIGHT", `mask set: no mask for "${name}" (has: ${this.names().join(", ") || "nothing"})`);
    }
    return found;
  }

  delete(name: string): boolean {
    return this.#entries.delete(name);
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  get size(): number {
    return this.#entries.size;
  }

  [Symbol.iterator](): Iterator<WeightMask> {
    return this.#entries.values();
  }

  /** A deep copy. */
  clone(): MaskSet {
    return new MaskSet([...this].map((m) => ({ name: m.name, shape: m.shape, mask: m.mask.slice() })));
  }

  /**
   * The element-wise AND of this set and `other`: a weight pruned in either stays pruned. Masks only
   * one side has are taken as they are.
   */
  intersect(other: MaskSet): MaskSet {
    const out = this.clone();
    for (const m of other) {
      const mine = out.get(m.name);
      if (mine === undefined) {
        out.set(m.name, m.shape, m.mask.slice());
        continue;
      }
      if (mine.length !== m.mask.length) {
        throw new PruningError("SHAPE_MISMATCH", `${m.name}: masks of ${mine.length} and ${m.mask.length} entries cannot be combined`);
      }
      for (let i = 0; i < mine.length; i++) mine[i] = mine[i]! & m.mask[i]!;
    }
    return out;
  }

  /** Kept/pruned counts per weight, in order. */
  stats(): MaskStats[] {
    return [...this].map(({ name, mask }) => {
      const keptCount = countKept(mask);
      const prunedCount = mask.length - keptCount;
      return { name, size: mask.length, keptCount, prunedCount, sparsity: mask.length === 0 ? 0 : prunedCount / mask.length };
    });
  }

  /** Totals over every masked weight. */
  totals(): { size: number; keptCount: number; sparsity: number } {
    let size = 0;
    let keptCount = 0;
    for (const s of this.stats()) {
      size += s.size;
      keptCount += s.keptCount;
    }
    return { size, keptCount, sparsity: size === 0 ? 0 : (size - keptCount) / size };
  }

  /** A JSON-safe record (validated by `maskRecordSchema`); bit-packed, about n/6 characters per mask. */
  toRecord(): MaskRecord {
    return {
      version: MASK_RECORD_VERSION,
      kind: "dcnpi/pruning-masks",
      masks: [...this].map(({ name, shape, mask }) => {
        const packed = new Uint8Array(Math.ceil(mask.length / 8));
        for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) packed[i >>> 3]! |= 1 << (i & 7);
        return { name, shape: [...shape], keptCount: countKept(mask), bits: encodeBase64(packed) };
      }),
    };
  }

  /** Rebuilds a MaskSet from `toRecord()` output (e.g. parsed JSON); throws INVALID_RECORD naming the fault. */
  static fromRecord(record: unknown): MaskSet {
    const parsed = maskRecordSchema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PruningError(
        "INVALID_RECORD",
        `mask record: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"}`,
      );
    }
    const set = new MaskSet();
    for (const { name, shape, keptCount, bits } of parsed.data.masks) {
      if (set.has(name)) throw new PruningError("INVALID_RECORD", `mask record: "${name}" appears twice`);
      const size = sizeOfShape(shape, name);
      const packed = decodeBase64(bits);
      if (packed === undefined || packed.length !== Math.ceil(size / 8)) {
        throw new PruningError("INVALID_RECORD", `mask record: "${name}" bits do not decode to ${size} entries`);
      }
      const mask = new Uint8Array(size);
      for (let i = 0; i < size; i++) mask[i] = (packed[i >>> 3]! >>> (i & 7)) & 1;
      const kept = countKept(mask);
      if (kept !== keptCount) {
        throw new PruningError("INVALID_RECORD", `mask record: "${name}" says ${keptCount} kept, its bits keep ${kept}`);
      }
      set.set(name, shape, mask);
    }
    return set;
  }
}
