import type { DenseDType } from "./container-schema.js";

/** The file is little-endian; typed arrays use the machine's order, so big-endian hosts swap. */
const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export type DenseData = Float32Array | Int32Array | Uint8Array;

/** The little-endian bytes of a typed array (a view when the host is little-endian). */
export function toLittleEndianBytes(data: DenseData): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(i * 4, data[i]!, true);
    else view.setInt32(i * 4, data[i]!, true);
  }
  return out;
}

/** A typed array of `dtype` from little-endian bytes (copied, so it is aligned and owned). */
export function fromLittleEndianBytes(bytes: Uint8Array, dtype: DenseDType): DenseData {
  if (dtype === "uint8") return bytes.slice();
  const count = bytes.length / 4;
  const out = dtype === "float32" ? new Float32Array(count) : new Int32Array(count);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) out[i] = dtype === "float32" ? view.getFloat32(i * 4, true) : view.getInt32(i * 4, true);
  return out;
}
