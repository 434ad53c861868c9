import { crc32 } from "@dcnpi/base";

const TRAILER = 16;

/** Splits a container into its data part, its parsed JSON header and the trailer magic. */
export function splitContainer(bytes: Uint8Array): { data: Uint8Array; header: any; magic: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(bytes.length - TRAILER, true);
  const headerStart = bytes.length - TRAILER - headerLength;
  return {
    data: bytes.slice(0, headerStart),
    header: JSON.parse(new TextDecoder().decode(bytes.subarray(headerStart, bytes.length - TRAILER))),
    magic: bytes.slice(bytes.length - 8),
  };
}

/**
 * Rebuilds a container from (possibly altered) data and header with every CRC made right again,
 * so tests can reach the checks that sit behind the CRCs (what a crafted, hostile file would do).
 */
export function sealContainer(data: Uint8Array, header: any, magic: Uint8Array, options: { fixSectionCrcs?: boolean } = {}): Uint8Array {
  if (options.fixSectionCrcs ?? true) {
    for (const entry of header.entries ?? []) {
      for (const section of Object.values(entry.sections ?? {}) as { offset: number; length: number; crc32: number }[]) {
        if (section.offset >= 0 && section.offset + section.length <= data.length)
          section.crc32 = crc32(data.subarray(section.offset, section.offset + section.length));
      }
    }
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(data.length + json.length + TRAILER);
  out.set(data, 0);
  out.set(json, data.length);
  const view = new DataView(out.buffer);
  view.setUint32(data.length + json.length, json.length, true);
  view.setUint32(data.length + json.length + 4, crc32(json), true);
  out.set(magic, out.length - 8);
  return out;
}
