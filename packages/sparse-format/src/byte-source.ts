import { readSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { SparseFormatError } from "./errors.js";

/** Random access to the bytes of a container: a file read piece by piece, or a buffer. */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes from `offset` (callers stay inside `size`). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** The same without a promise, for sources in memory. */
  readonly readSync?: (offset: number, length: number) => Uint8Array;
  /** True when reads are views of bytes already in memory (nothing gained by reading ahead). */
  readonly inMemory?: boolean;
  close(): Promise<void>;
  readonly description: string;
}

export function memorySource(bytes: Uint8Array, description = "buffer"): ByteSource {
  return {
    size: bytes.length,
    description,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
    readSync: (offset, length) => bytes.subarray(offset, offset + length),
    inMemory: true,
    close: async () => undefined,
  };
}

export async function fileSource(path: string): Promise<ByteSource> {
  let handle: FileHandle;
  let size: number;
  try {
    handle = await open(path, "r");
    size = (await handle.stat()).size;
  } catch (error) {
    throw new SparseFormatError("IO_ERROR", `cannot open ${path}: ${(error as Error).message}`, { cause: error });
  }
  return {
    size,
    description: path,
    async read(offset, length) {
      const out = new Uint8Array(length);
      let done = 0;
      try {
        while (done < length) {
          const { bytesRead } = await handle.read(out, done, length - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
      } catch (error) {
        throw new SparseFormatError("IO_ERROR", `cannot read ${path}: ${(error as Error).message}`, { cause: error });
      }
      if (done < length)
        throw new SparseFormatError(
          "TRUNCATED",
          `${path}: ended after ${offset + done} bytes while reading ${length} at ${offset} (file changed while open?)`,
        );
      return out;
    },
    readSync(offset, length) {
      const out = new Uint8Array(length);
      let done = 0;
      try {
        while (done < length) {
          const bytesRead = readSync(handle.fd, out, done, length - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
      } catch (error) {
        throw new SparseFormatError("IO_ERROR", `cannot read ${path}: ${(error as Error).message}`, { cause: error });
      }
      if (done < length)
        throw new SparseFormatError(
          "TRUNCATED",
          `${path}: ended after ${offset + done} bytes while reading ${length} at ${offset} (file changed while open?)`,
        );
      return out;
    },
    close: () => handle.close(),
  };
}
