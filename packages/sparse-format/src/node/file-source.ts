import { readSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import type { ByteSource } from "../byte-source.js";
import { SparseFormatError } from "../errors.js";

/** A container file read piece by piece (the reader asks for the header, then each entry's sections). */
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
