/**
 * NumPy's `.npy` format (version 1.0–3.0): a magic `\x93NUMPY`, a version, a header length, a Python
 * dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (500, 28, 28), }`, then the
 * C-order payload. Written here rather than taken from npm: the one small parser there (npyjs) reads
 * only through fetch and checks neither the header's size against the file nor overflowing shapes.
 */
import { ExampleDataError } from "./errors.js";
import { readPayload, type ElementType, type NumericArray } from "./numeric-array.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** NumPy itself refuses headers over 10,000 bytes by default (`max_header_size`). */
const MAX_HEADER_BYTES = 10_000;

const DESCR_TYPES: Record<string, ElementType> = {
  u1: "uint8",
  i1: "int8",
  b1: "bool",
  i2: "int16",
  u2: "uint16",
  i4: "int32",
  u4: "uint32",
  f4: "float32",
  f8: "float64",
};

/** True when the bytes start with the .npy magic. */
export function isNpy(bytes: Uint8Array): boolean {
  return MAGIC.every((b, i) => bytes[i] === b);
}

function headerField(header: string, key: string, file: string): string {
  const match = new RegExp(`['"]${key}['"]\\s*:\\s*('[^']*'|"[^"]*"|True|False|\\([^)]*\\))`).exec(header);
  if (match === null) throw new ExampleDataError("BAD_FORMAT", `${file}: the .npy header has no '${key}'`);
  return match[1]!;
}

/** Parses a whole .npy file; `file` is only used in messages. */
export function parseNpy(bytes: Uint8Array, file: string): NumericArray {
  if (bytes.byteLength < 10 || !isNpy(bytes)) throw new ExampleDataError("BAD_FORMAT", `${file}: not a .npy file (no \\x93NUMPY magic)`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major < 1 || major > 3) throw new ExampleDataError("BAD_FORMAT", `${file}: .npy version ${major} is not supported (1 to 3 are)`);
  const wide = major >= 2;
  const lengthBytes = wide ? 4 : 2;
  if (bytes.byteLength < 8 + lengthBytes) throw new ExampleDataError("BAD_FORMAT", `${file}: the .npy header is cut short`);
  const headerLength = wide ? view.getUint32(8, true) : view.getUint16(8, true);
  const start = 8 + lengthBytes;
  if (headerLength > MAX_HEADER_BYTES || start + headerLength > bytes.byteLength) {
    throw new ExampleDataError(
      "BAD_FORMAT",
      `${file}: the .npy header claims ${headerLength} bytes (at most ${MAX_HEADER_BYTES}, within the file)`,
    );
  }
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(start, start + headerLength));
  const descr = headerField(header, "descr", file).slice(1, -1);
  if (headerField(header, "fortran_order", file) !== "False") {
    throw new ExampleDataError("BAD_FORMAT", `${file}: Fortran-ordered arrays are not supported (save with np.ascontiguousarray)`);
  }
  const shapeText = headerField(header, "shape", file).slice(1, -1).trim();
  const shape = shapeText === "" ? [] : shapeText.split(",").flatMap((s) => (s.trim() === "" ? [] : [Number(s.trim())]));
  const order = descr[0];
  const type = DESCR_TYPES[descr.slice(1)];
  if (type === undefined || (order !== "<" && order !== ">" && order !== "|" && order !== "=")) {
    throw new ExampleDataError("BAD_FORMAT", `${file}: element type '${descr}' is not supported (numbers: u1 i1 b1 i2 u2 i4 u4 f4 f8)`);
  }
  return readPayload(bytes, start + headerLength, shape, type, order !== ">", file);
}

/** Writes a little-endian float32 or uint8 .npy (for tests, benches and users converting data). */
export function encodeNpy(shape: readonly number[], data: Float32Array | Uint8Array): Uint8Array {
  const descr = data instanceof Uint8Array ? "|u1" : "<f4";
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so the payload starts on a multiple of 64 bytes, ending in a newline (the spec).
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, " ") + "\n";
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
