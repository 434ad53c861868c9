import { ExampleDataError } from "./errors.js";

/** An n-dimensional array read from a file (.npy, IDX), before it becomes examples. */
export interface NumericArray {
  readonly shape: readonly number[];
  /** The element type as the file declared it (`uint8`, `float32`, ...). */
  readonly dtype: string;
  /** The values converted to float32, row-major. */
  readonly data: Float32Array;
  /** True when the file stored bytes 0..255 (images as uint8): preprocessing then scales by 1/255 by default. */
  readonly isByte: boolean;
}

/** Element types both formats can hold, with their sizes and DataView readers. */
export const ELEMENT_READERS = {
  uint8: { bytes: 1, read: (v: DataView, o: number) => v.getUint8(o) },
  int8: { bytes: 1, read: (v: DataView, o: number) => v.getInt8(o) },
  bool: { bytes: 1, read: (v: DataView, o: number) => (v.getUint8(o) === 0 ? 0 : 1) },
  int16: { bytes: 2, read: (v: DataView, o: number, le: boolean) => v.getInt16(o, le) },
  uint16: { bytes: 2, read: (v: DataView, o: number, le: boolean) => v.getUint16(o, le) },
  int32: { bytes: 4, read: (v: DataView, o: number, le: boolean) => v.getInt32(o, le) },
  uint32: { bytes: 4, read: (v: DataView, o: number, le: boolean) => v.getUint32(o, le) },
  float32: { bytes: 4, read: (v: DataView, o: number, le: boolean) => v.getFloat32(o, le) },
  float64: { bytes: 8, read: (v: DataView, o: number, le: boolean) => v.getFloat64(o, le) },
} as const;
export type ElementType = keyof typeof ELEMENT_READERS;

/**
 * Converts the payload of an array file to float32. The payload's byte count must equal what the
 * header declares: the only allocation is sized by the bytes actually present, never by a header number.
 */
export function readPayload(
  bytes: Uint8Array,
  offset: number,
  shape: readonly number[],
  type: ElementType,
  littleEndian: boolean,
  file: string,
): NumericArray {
  const { bytes: size, read } = ELEMENT_READERS[type];
  const available = bytes.byteLength - offset;
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new ExampleDataError("BAD_FORMAT", `${file}: dimension ${d} in the header is not a size`);
    count *= d;
    // Stop before the product overflows: anything past the payload is already wrong.
    if (count * size > available) break;
  }
  if (count * size !== available) {
    throw new ExampleDataError(
      "BAD_FORMAT",
      `${file}: header declares [${shape.join(",")}] ${type} = ${shape.reduce((p, d) => p * d, 1) * size} bytes, the file holds ${available}`,
    );
  }
  const data = new Float32Array(count);
  if (type === "uint8") data.set(bytes.subarray(offset, offset + count));
  else if (type === "float32" && littleEndian && (bytes.byteOffset + offset) % 4 === 0)
    data.set(new Float32Array(bytes.buffer, bytes.byteOffset + offset, count));
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, available);
    for (let i = 0; i < count; i++) data[i] = read(view, i * size, littleEndian);
  }
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(data[i]!)) throw new ExampleDataError("BAD_FORMAT", `${file}: element ${i} is ${data[i]}, not a finite number`);
  }
  return { shape: [...shape], dtype: type, data, isByte: type === "uint8" };
}
