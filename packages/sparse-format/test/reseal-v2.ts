import { crc32 } from "@dcnpi/base";
import { decodeSymbols } from "@dcnpi/arithmetic";
import { decodeBinaryHeader } from "../src/binary-header.js";
import { encodeBinaryHeader } from "../src/binary-header-writer.js";
import type { ContainerHeader } from "../src/container-schema.js";
import { NO_READ_LIMITS } from "../src/read-limits.js";

const TRAILER = 16;

/**
 * A binary-header container split into its data part (preamble included), its decoded header, its
 * raw header body and the body's flags (the coding byte without the arithmetic bit: 2 = compact).
 */
export function splitBinary(bytes: Uint8Array): { data: Uint8Array; header: ContainerHeader; body: Uint8Array; flags: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(bytes.length - TRAILER, true);
  const headerStart = bytes.length - TRAILER - headerLength;
  const stored = bytes.slice(headerStart, bytes.length - TRAILER);
  const body = (stored[1]! & 1) === 0 ? stored.slice(2) : Uint8Array.from(decodeSymbols(stored.subarray(2)));
  return { data: bytes.slice(0, headerStart), header: decodeBinaryHeader(stored, "test", NO_READ_LIMITS), body, flags: stored[1]! & ~1 };
}

function withTrailer(data: Uint8Array, header: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + header.length + TRAILER);
  out.set(data, 0);
  out.set(header, data.length);
  const view = new DataView(out.buffer);
  view.setUint32(data.length + header.length, header.length, true);
  view.setUint32(data.length + header.length + 4, crc32(header), true);
  out.set(new TextEncoder().encode("DCNPIEND"), out.length - 8);
  return out;
}

/** Rebuilds a binary-header container from (altered) data with every section CRC and the header CRC made right. */
export function sealBinary(data: Uint8Array, header: ContainerHeader): Uint8Array {
  for (const entry of header.entries) {
    for (const section of Object.values(entry.sections) as { offset: number; length: number; crc32: number }[]) {
      if (section.offset + section.length <= data.length)
        section.crc32 = crc32(data.subarray(section.offset, section.offset + section.length));
    }
  }
  return withTrailer(data, encodeBinaryHeader(header, false));
}

/** A container whose header is `body` stored as is (body coding `flags`: 0 plain, 2 compact), with the header CRC made right. */
export function sealBody(data: Uint8Array, body: Uint8Array, flags = 0): Uint8Array {
  const header = new Uint8Array(body.length + 2);
  header[0] = 1;
  header[1] = flags;
  header.set(body, 2);
  return withTrailer(data, header);
}

/** Any header bytes (stored form, prefix included), with the header CRC made right. */
export function sealHeaderBytes(data: Uint8Array, header: Uint8Array): Uint8Array {
  return withTrailer(data, header);
}
