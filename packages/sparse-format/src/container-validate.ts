import { packedByteLength } from "./bit-packing.js";
import { BYTES_PER_ELEMENT, FORMAT_VERSION_2, PREAMBLE_BYTES } from "./container-constants.js";
import type { ContainerHeader, EntryRecord, StreamSectionRecord } from "./container-schema.js";
import { packedCodebookMaxBytes } from "./codebook-packing.js";
import { SparseFormatError } from "./errors.js";
import { headerIssue } from "./header-check.js";
import { DEFAULT_READ_LIMITS, jsonDepthExceeds, limitExceeded, type ReadLimits } from "./read-limits.js";
import { MAX_TENSOR_ELEMENTS, elementCount } from "./shape.js";

function invalid(message: string): SparseFormatError {
  return new SparseFormatError("INVALID_HEADER", message);
}

/** The sections of an entry, in file order. */
export function entrySections(entry: EntryRecord): { name: string; section: { offset: number; length: number; crc32: number } }[] {
  switch (entry.kind) {
    case "sparse":
      return [
        { name: "codebook", section: entry.sections.codebook },
        { name: "weights", section: entry.sections.weights },
        { name: "indices", section: entry.sections.indices },
      ];
    case "quantized":
      return [
        { name: "codebook", section: entry.sections.codebook },
        { name: "weights", section: entry.sections.weights },
      ];
    case "dense":
      return [{ name: "data", section: entry.sections.data }];
  }
}

function checkStream(stream: StreamSectionRecord, bits: number, what: string): void {
  if (stream.encoding === "fixed") {
    const need = packedByteLength(stream.symbolCount, bits);
    if (stream.length !== need)
      throw invalid(`${what}: ${stream.symbolCount} fixed ${bits}-bit symbols need ${need} bytes, the section has ${stream.length}`);
    if (stream.payloadBits !== stream.symbolCount * bits)
      throw invalid(`${what}: payloadBits ${stream.payloadBits} != ${stream.symbolCount} x ${bits}`);
  } else if (stream.encoding === "arithmetic" || stream.encoding === "arithmetic-context") {
    // The coder has no separate table: the paper's "bits after coding" are the section's bits.
    if (stream.payloadBits !== stream.length * 8) throw invalid(`${what}: payloadBits ${stream.payloadBits} != 8 x ${stream.length} bytes`);
    if (stream.symbolCount > stream.length * MAX_ARITHMETIC_SYMBOLS_PER_BYTE)
      throw invalid(`${what}: ${stream.symbolCount} symbols cannot fit ${stream.length} arithmetic-coded bytes`);
  } else {
    // A Huffman codeword is 1..16 bits and the stream carries at least a version byte and a count.
    if (stream.symbolCount > stream.length * 8) throw invalid(`${what}: ${stream.symbolCount} symbols cannot fit ${stream.length} bytes`);
    if (stream.payloadBits < stream.symbolCount || stream.payloadBits > stream.symbolCount * 16 || stream.payloadBits > stream.length * 8) {
      throw invalid(`${what}: payloadBits ${stream.payloadBits} impossible for ${stream.symbolCount} symbols in ${stream.length} bytes`);
    }
  }
}

/**
 * An arithmetic-coded symbol costs at least −log2(1 − 2^−11) bits (@dcnpi/arithmetic's README, "Untrusted
 * input": at most 11,444 symbols a payload byte); the decoder checks the exact bound, this is the header's cheap one.
 */
const MAX_ARITHMETIC_SYMBOLS_PER_BYTE = 11_444;

/** Checks that `section` starts at `cursor` and ends inside the data region; returns its end. */
function checkSection(
  section: { offset: number; length: number },
  name: string,
  what: string,
  cursor: number,
  headerOffset: number,
): number {
  if (section.offset !== cursor)
    throw invalid(`${what} ${name}: section starts at ${section.offset}, expected ${cursor} (sections must be contiguous)`);
  const end = cursor + section.length;
  if (end > headerOffset) throw invalid(`${what} ${name}: section ends at ${end}, past the data region's end ${headerOffset}`);
  return end;
}

/**
 * Parses and checks a header against the file it came from: the schema, unique names, every
 * section inside the file and the sections tiling the data region exactly in entry order, and every
 * declared count consistent with the section sizes, all before anything is allocated from them.
 */
export function validateHeader(json: unknown, headerOffset: number, limits: ReadLimits = DEFAULT_READ_LIMITS): ContainerHeader {
  // Counted before the schema walks them, so a header of millions of entries costs nothing more.
  const rawEntries = (json as { entries?: unknown } | null)?.entries;
  if (Array.isArray(rawEntries) && rawEntries.length > limits.maxEntries)
    throw limitExceeded("header", rawEntries.length, "maxEntries", limits.maxEntries, "entries");
  if (json !== null && typeof json === "object" && jsonDepthExceeds((json as { metadata?: unknown }).metadata, limits.maxMetadataDepth))
    throw limitExceeded(
      "header metadata",
      limits.maxMetadataDepth + 1,
      "maxMetadataDepth",
      limits.maxMetadataDepth,
      "or more levels of nesting",
    );
  // The rules of `headerSchema`, checked by hand: zod cost ~5 us per entry record (issue 16 item 7).
  const issue = headerIssue(json);
  if (issue !== null) throw invalid(`header does not match the schema${issue.path ? ` at ${issue.path}` : ""}: ${issue.message}`);
  const header = json as ContainerHeader;
  const maxElements = Math.min(limits.maxTensorElements, MAX_TENSOR_ELEMENTS);
  const names = new Set<string>();
  let totalElements = 0;
  let totalBytes = 0;
  let zeroTail = 0;
  let cursor = PREAMBLE_BYTES;
  for (const entry of header.entries) {
    const what = `entry "${entry.name}"`;
    if (names.has(entry.name)) throw invalid(`${what} appears twice`);
    names.add(entry.name);
    if (entry.kind === "dense") cursor = checkSection(entry.sections.data, "data", what, cursor, headerOffset);
    else for (const { name, section } of entrySections(entry)) cursor = checkSection(section, name, what, cursor, headerOffset);
    let n: number;
    try {
      n = elementCount(entry.shape, what, maxElements);
    } catch (error) {
      if (error instanceof SparseFormatError && error.code === "LIMIT_EXCEEDED") throw error;
      throw invalid(error instanceof Error ? error.message : String(error));
    }
    totalElements += n;
    totalBytes += n * (entry.kind === "dense" ? BYTES_PER_ELEMENT[entry.dtype] : 4);
    if (totalElements > limits.maxTotalElements)
      throw limitExceeded(`${what} (with the entries before it)`, totalElements, "maxTotalElements", limits.maxTotalElements, "elements");
    if (totalBytes > limits.maxTotalBytes)
      throw limitExceeded(`${what} (with the entries before it)`, totalBytes, "maxTotalBytes", limits.maxTotalBytes, "decoded bytes");
    if (entry.kind === "dense") {
      const need = n * BYTES_PER_ELEMENT[entry.dtype];
      if (entry.sections.data.encoding === "packed") {
        // float-packing.ts: an exponent stream (a version byte and a count at least) and 3 bytes a value; never more than float32.
        if (header.version !== FORMAT_VERSION_2) throw invalid(`${what}: packed data needs format version 2`);
        if (entry.dtype !== "float32") throw invalid(`${what}: only float32 data may be packed, not ${entry.dtype}`);
        const length = entry.sections.data.length;
        if (n === 0 || length < 3 * n + 2 || length >= need)
          throw invalid(`${what}: ${n} packed float32 elements cannot take ${length} bytes (more than ${3 * n + 1}, less than ${need})`);
        continue;
      }
      if (entry.sections.data.length !== need)
        throw invalid(`${what}: ${n} ${entry.dtype} elements need ${need} bytes, the section has ${entry.sections.data.length}`);
      continue;
    }
    if (entry.codebookSize > 2 ** entry.weightBits) throw invalid(`${what}: ${entry.codebookSize} centroids exceed 2^${entry.weightBits}`);
    if (entry.sections.codebook.encoding === "packed") {
      // The decoder checks the packed bytes exactly; here only that they can hold the centroids at all.
      if (header.version !== FORMAT_VERSION_2) throw invalid(`${what}: a packed codebook needs format version 2`);
      if (entry.sections.codebook.length < 1 || entry.sections.codebook.length > packedCodebookMaxBytes(entry.codebookSize)) {
        throw invalid(`${what}: ${entry.codebookSize} centroids cannot take ${entry.sections.codebook.length} packed codebook bytes`);
      }
    } else if (entry.sections.codebook.length !== entry.codebookSize * 4) {
      throw invalid(
        `${what}: ${entry.codebookSize} centroids need ${entry.codebookSize * 4} bytes, the codebook section has ${entry.sections.codebook.length}`,
      );
    }
    checkStream(entry.sections.weights, entry.weightBits, `${what} weights`);
    if (entry.kind === "quantized") {
      if (entry.sections.weights.symbolCount !== n) throw invalid(`${what}: ${entry.sections.weights.symbolCount} codes for ${n} weights`);
      continue;
    }
    checkStream(entry.sections.indices, entry.indexBits, `${what} indices`);
    const entries = entry.nonzeroCount + entry.fillerCount;
    if (entry.sections.weights.symbolCount !== entries || entry.sections.indices.symbolCount !== entries) {
      throw invalid(
        `${what}: ${entry.nonzeroCount} non-zeros + ${entry.fillerCount} fillers, ` +
          `but streams of ${entry.sections.weights.symbolCount} and ${entry.sections.indices.symbolCount} symbols`,
      );
    }
    if (entries > n) throw invalid(`${what}: ${entries} entries cannot fit ${n} positions`);
    // s entries with b-bit gaps reach at most s·2^b positions, plus a tail the writer leaves unstored.
    const expressible = (entries + 1) * 2 ** entry.indexBits;
    // Version 2 writers store fillers up to the end, so the shape must be expressible: no zero tail at all.
    if (n > expressible && header.version === FORMAT_VERSION_2) {
      throw invalid(
        `${what}: shape [${entry.shape.join(",")}] declares ${n} positions, ` +
          `${entries} entries with ${entry.indexBits}-bit gaps express at most ${expressible} (version 2 stores no zero tail)`,
      );
    }
    if (n > expressible) {
      zeroTail += n - expressible;
      if (zeroTail > limits.maxZeroTailElements) {
        throw new SparseFormatError(
          "LIMIT_EXCEEDED",
          `${what}: shape [${entry.shape.join(",")}] declares ${n} positions, ${entries} entries with ${entry.indexBits}-bit gaps ` +
            `express ${expressible}: ${zeroTail} unstored zeros in this file so far exceed the read limit maxZeroTailElements = ` +
            `${limits.maxZeroTailElements} (files written before tail fillers need it raised if trusted; dcnpi: --max-zero-tail)`,
        );
      }
    }
  }
  if (cursor !== headerOffset) throw invalid(`sections end at ${cursor} but the header starts at ${headerOffset}: unaccounted bytes`);
  return header;
}
