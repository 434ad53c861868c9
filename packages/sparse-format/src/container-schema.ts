import { z } from "zod";

/** "\x89DCNPI\r\n": a high byte first (not text), then the name, then CR LF (catches newline mangling). */
export const MAGIC = Uint8Array.from([0x89, 0x44, 0x43, 0x4e, 0x50, 0x49, 0x0d, 0x0a]);
/** The trailer ends with these 8 bytes, so a file cut short is recognised as such. */
export const TRAILER_MAGIC = Uint8Array.from([0x44, 0x43, 0x4e, 0x50, 0x49, 0x45, 0x4e, 0x44]); // "DCNPIEND"
/** The version written by default (JSON header, Huffman or fixed-width streams, the zero tail left unstored). */
export const FORMAT_VERSION = 1 as const;
/**
 * Version 2 (issue 17): streams may be arithmetic-coded, the header may be binary (flag bit 0), and a
 * sparse tensor's shape must be exactly expressible by its entries (the writer stores fillers up to
 * the end, so no unstored zero tail).
 */
export const FORMAT_VERSION_2 = 2 as const;
export type FormatVersion = typeof FORMAT_VERSION | typeof FORMAT_VERSION_2;
/** Preamble flag (version 2 only): the header is binary (binary-header.ts), not JSON. */
export const FLAG_BINARY_HEADER = 1;
/** magic (8) + version u32 + flags u32. */
export const PREAMBLE_BYTES = 16;
/** header length u32 + header CRC32 u32 + trailer magic (8). */
export const TRAILER_BYTES = 16;

const uint = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const bits = z.number().int().min(1).max(16);
const name = z.string().min(1).max(4096);
const shape = z.array(uint).max(8);

export const sectionSchema = z.strictObject({
  offset: uint,
  length: uint,
  crc32: z.number().int().min(0).max(0xffffffff),
});

export const streamSectionSchema = z.strictObject({
  offset: uint,
  length: uint,
  crc32: z.number().int().min(0).max(0xffffffff),
  encoding: z.enum(["huffman", "fixed", "arithmetic"]),
  symbolCount: uint,
  payloadBits: uint,
});

export const entryInfoSchema = z.strictObject({
  layer: z.string().max(4096).optional(),
  layerClass: z.string().max(4096).optional(),
  role: z.string().max(4096).optional(),
});

export const sparseEntrySchema = z.strictObject({
  kind: z.literal("sparse"),
  name,
  shape,
  info: entryInfoSchema,
  weightBits: bits,
  indexBits: bits,
  codebookSize: z.number().int().min(1).max(65_536),
  nonzeroCount: uint,
  fillerCount: uint,
  sections: z.strictObject({ codebook: sectionSchema, weights: streamSectionSchema, indices: streamSectionSchema }),
});

export const quantizedEntrySchema = z.strictObject({
  kind: z.literal("quantized"),
  name,
  shape,
  info: entryInfoSchema,
  weightBits: bits,
  codebookSize: z.number().int().min(1).max(65_536),
  sections: z.strictObject({ codebook: sectionSchema, weights: streamSectionSchema }),
});

export const denseEntrySchema = z.strictObject({
  kind: z.literal("dense"),
  name,
  shape,
  info: entryInfoSchema,
  dtype: z.enum(["float32", "int32", "uint8"]),
  sections: z.strictObject({ data: sectionSchema }),
});

export const entrySchema = z.discriminatedUnion("kind", [sparseEntrySchema, quantizedEntrySchema, denseEntrySchema]);

/**
 * The header (format version 1 or 2; as JSON, or decoded from a binary header). `metadata` is free-form
 * JSON (model topology, reports). `"arithmetic"` streams are allowed in version 2 only.
 */
export const headerSchema = z.strictObject({
  format: z.literal("dcnpi"),
  version: z.union([z.literal(FORMAT_VERSION), z.literal(FORMAT_VERSION_2)]),
  entries: z.array(entrySchema),
  metadata: z.unknown(),
});

export type SectionRecord = z.infer<typeof sectionSchema>;
export type StreamSectionRecord = z.infer<typeof streamSectionSchema>;
export type SparseEntryRecord = z.infer<typeof sparseEntrySchema>;
export type QuantizedEntryRecord = z.infer<typeof quantizedEntrySchema>;
export type DenseEntryRecord = z.infer<typeof denseEntrySchema>;
export type EntryRecord = z.infer<typeof entrySchema>;
export type ContainerHeader = z.infer<typeof headerSchema>;

export type DenseDType = DenseEntryRecord["dtype"];
export type StreamEncoding = StreamSectionRecord["encoding"];
export const BYTES_PER_ELEMENT: Record<DenseDType, number> = { float32: 4, int32: 4, uint8: 1 };
