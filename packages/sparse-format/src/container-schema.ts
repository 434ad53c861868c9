import { z } from "zod";

// The constants live in container-constants.ts (no zod), so code that reads containers does not pull
// zod's schemas into a browser bundle; re-exported here for everything that imports them from this file.
export {
  BYTES_PER_ELEMENT,
  FLAG_BINARY_HEADER,
  FORMAT_VERSION,
  FORMAT_VERSION_2,
  MAGIC,
  PREAMBLE_BYTES,
  TRAILER_BYTES,
  TRAILER_MAGIC,
  type FormatVersion,
} from "./container-constants.js";
import { FORMAT_VERSION, FORMAT_VERSION_2 } from "./container-constants.js";

const uint = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const bits = z.number().int().min(1).max(16);
const name = z.string().min(1).max(4096);
const shape = z.array(uint).max(8);

export const sectionSchema = z.strictObject({
  offset: uint,
  length: uint,
  crc32: z.number().int().min(0).max(0xffffffff),
});

/**
 * A codebook section (float32 centroids) or a float32 dense tensor's data: as is (no `encoding`, the
 * only form in version 1), or (version 2) `"packed"`: the lossless forms of codebook-packing.ts and
 * float-packing.ts.
 */
export const packableSectionSchema = z.strictObject({
  offset: uint,
  length: uint,
  crc32: z.number().int().min(0).max(0xffffffff),
  encoding: z.literal("packed").optional(),
});

export const streamSectionSchema = z.strictObject({
  offset: uint,
  length: uint,
  crc32: z.number().int().min(0).max(0xffffffff),
  encoding: z.enum(["huffman", "fixed", "arithmetic", "arithmetic-context"]),
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
  sections: z.strictObject({ codebook: packableSectionSchema, weights: streamSectionSchema, indices: streamSectionSchema }),
});

export const quantizedEntrySchema = z.strictObject({
  kind: z.literal("quantized"),
  name,
  shape,
  info: entryInfoSchema,
  weightBits: bits,
  codebookSize: z.number().int().min(1).max(65_536),
  sections: z.strictObject({ codebook: packableSectionSchema, weights: streamSectionSchema }),
});

export const denseEntrySchema = z.strictObject({
  kind: z.literal("dense"),
  name,
  shape,
  info: entryInfoSchema,
  dtype: z.enum(["float32", "int32", "uint8"]),
  sections: z.strictObject({ data: packableSectionSchema }),
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
export type PackableSectionRecord = z.infer<typeof packableSectionSchema>;
export type StreamSectionRecord = z.infer<typeof streamSectionSchema>;
export type SparseEntryRecord = z.infer<typeof sparseEntrySchema>;
export type QuantizedEntryRecord = z.infer<typeof quantizedEntrySchema>;
export type DenseEntryRecord = z.infer<typeof denseEntrySchema>;
export type EntryRecord = z.infer<typeof entrySchema>;
export type ContainerHeader = z.infer<typeof headerSchema>;

export type DenseDType = DenseEntryRecord["dtype"];
export type StreamEncoding = StreamSectionRecord["encoding"];
