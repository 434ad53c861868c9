/**
 * Hostile containers built byte by byte by the tests (nothing committed): valid framing and CRCs,
 * lying sizes. Each is a few KB at most.
 */
import { crc32 } from "@dcnpi/base";

const MAGIC = [0x89, 0x44, 0x43, 0x4e, 0x50, 0x49, 0x0d, 0x0a];
const TRAILER_MAGIC = [0x44, 0x43, 0x4e, 0x50, 0x49, 0x45, 0x4e, 0x44];

/** A sparse entry made of `entries` fillers at the largest gap, 1-bit codes, fixed 16-bit gaps, declaring `shape`. */
export interface CraftedSparse {
  readonly name: string;
  readonly shape: readonly number[];
  /** Entries stored (all fillers, each 2^indexBits after the previous one); 0 stores nothing. */
  readonly entries: number;
  readonly indexBits?: number;
}

function packFixed(values: number[], bits: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((values.length * bits) / 8));
  let bit = 0;
  for (const v of values) {
    for (let b = 0; b < bits; b++, bit++) if ((v >>> b) & 1) out[bit >>> 3]! |= 1 << (bit & 7);
  }
  return out;
}

/** The bytes of a container holding `sparse` entries (and `metadata`, or a raw metadata JSON text). */
export function craftContainer(sparse: readonly CraftedSparse[], metadata: { json?: unknown; rawText?: string } = {}): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.from([...MAGIC, 1, 0, 0, 0, 0, 0, 0, 0])];
  let offset = 16;
  const section = (bytes: Uint8Array) => {
    parts.push(bytes);
    const record = { offset, length: bytes.length, crc32: crc32(bytes) };
    offset += bytes.length;
    return record;
  };
  const entries = sparse.map((s) => {
    const indexBits = s.indexBits ?? 16;
    const codebook = section(new Uint8Array(4));
    const weights = section(packFixed(new Array(s.entries).fill(0), 1));
    const indices = section(packFixed(new Array(s.entries).fill(2 ** indexBits - 1), indexBits));
    return {
      kind: "sparse",
      name: s.name,
      shape: s.shape,
      info: {},
      weightBits: 1,
      indexBits,
      codebookSize: 1,
      nonzeroCount: 0,
      fillerCount: s.entries,
      sections: {
        codebook,
        weights: { ...weights, encoding: "fixed", symbolCount: s.entries, payloadBits: s.entries },
        indices: { ...indices, encoding: "fixed", symbolCount: s.entries, payloadBits: s.entries * indexBits },
      },
    };
  });
  const head = JSON.stringify({ format: "dcnpi", version: 1, entries, metadata: "@@METADATA@@" });
  const text = head.replace('"@@METADATA@@"', metadata.rawText ?? JSON.stringify(metadata.json ?? null));
  const json = new TextEncoder().encode(text);
  const trailer = new Uint8Array(16);
  new DataView(trailer.buffer).setUint32(0, json.length, true);
  new DataView(trailer.buffer).setUint32(4, crc32(json), true);
  trailer.set(TRAILER_MAGIC, 8);
  parts.push(json, trailer);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The decompression bomb: sparse entries that store nothing and declare 2^28 elements each. */
export function bombContainer(count = 2): Uint8Array {
  return craftContainer(Array.from({ length: count }, (_, i) => ({ name: `bomb${i}/kernel`, shape: [2 ** 14, 2 ** 14], entries: 0 })));
}

/**
 * Entries whose every declared position is expressible (2048 fillers at 16-bit gaps reach 2^27
 * positions), three of them: 3·2^27 elements (1.5 GiB as float32) declared in 12 KB.
 */
export function expressibleBombContainer(count = 3): Uint8Array {
  return craftContainer(Array.from({ length: count }, (_, i) => ({ name: `big${i}/kernel`, shape: [2 ** 27], entries: 2048 })));
}

/** Metadata nested `depth` arrays deep, as raw JSON text (JSON.stringify would overflow the stack building it). */
export function deepMetadataContainer(depth: number): Uint8Array {
  return craftContainer([{ name: "w", shape: [4], entries: 0 }], { rawText: "[".repeat(depth) + "]".repeat(depth) });
}
