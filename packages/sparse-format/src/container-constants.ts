// The container's fixed bytes and sizes, apart from the zod schemas of container-schema.ts: a reader
// imports these at run time and the schemas only as types, so zod stays out of a browser decoder.
import type { DenseDType } from "./container-schema.js";

/** "\x89DCNPI\r\n": a high byte first (not text), then the name, then CR LF (catches newline mangling). */
export const MAGIC = Uint8Array.from([0x89, 0x44, 0x43, 0x4e, 0x50, 0x49, 0x0d, 0x0a]);
/** The trailer ends with these 8 bytes, so a file cut short is recognised as such. */
export const TRAILER_MAGIC = Uint8Array.from([0x44, 0x43, 0x4e, 0x50, 0x49, 0x45, 0x4e, 0x44]); // "DCNPIEND"
/** The version written by default (JSON header, Huffman or fixed-width streams; since issue 16 the tail fillers the shape needs). */
export const FORMAT_VERSION = 1 as const;
/**
 * Version 2 (issue 17): streams may be arithmetic-coded, the header may be binary (flag bit 0), and a
 * sparse tensor's shape must be exactly expressible by its entries whatever the read limits say
 * (version 1 holds it by default, `maxZeroTailElements` can relax it for old version-1 files).
 */
export const FORMAT_VERSION_2 = 2 as const;
export type FormatVersion = typeof FORMAT_VERSION | typeof FORMAT_VERSION_2;
/** Preamble flag (version 2 only): the header is binary (binary-header.ts), not JSON. */
export const FLAG_BINARY_HEADER = 1;
/** magic (8) + version u32 + flags u32. */
export const PREAMBLE_BYTES = 16;
/** header length u32 + header CRC32 u32 + trailer magic (8). */
export const TRAILER_BYTES = 16;
export const BYTES_PER_ELEMENT: Record<DenseDType, number> = { float32: 4, int32: 4, uint8: 1 };
