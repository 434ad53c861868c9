// The one way dcnpi writes a file: readers see the old file or the whole new one, never a part, and
// after a crash or power loss the new file is either complete on disk or absent. The bytes go to a
// temporary file in the target's directory (rename is atomic only within one file system), which is
// flushed (fsync), renamed into place, and then the directory itself is flushed so the rename is
// durable too.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ensureDirectory, removeAtomicLeftovers, syncDirectory } from "./atomic-directory.js";
import { nextTempNumber, TEMP_SUFFIX } from "./temp-names.js";

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${nextTempNumber()}${TEMP_SUFFIX}`);
}

/** True for the name of a temporary file this module writes (left behind only by a killed process). */
export function isAtomicTempName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
}

/** Writes `data` to `path` atomically and durably (temp file, fsync, rename, fsync of the directory). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const directory = ensureDirectory(dirname(path));
  removeAtomicLeftovers(directory);
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, "wx");
    try {
      const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncDirectory(directory);
}

/** `writeFileAtomic` of pretty-printed JSON with a trailing newline. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A file written in pieces (so a large file is never held whole in memory) with the same guarantee
 * as `writeFileAtomic`: nothing appears at `path` until `commit`; `abort`, or any failed write,
 * removes the temporary file.
 */
export class AtomicFile {
  readonly path: string;
  readonly #tempPath: string;
  readonly #handle: FileHandle;
  #position = 0;
  #state: "open" | "committed" | "aborted" = "open";

  private constructor(path: string, tempPath: string, handle: FileHandle) {
    this.path = path;
    this.#tempPath = tempPath;
    this.#handle = handle;
  }

  /** Creates the temporary file (and the target's directory if needed). */
  static async create(path: string): Promise<AtomicFile> {
    removeAtomicLeftovers(ensureDirectory(dirname(path)));
    const tempPath = tempPathFor(path);
    return new AtomicFile(path, tempPath, await open(tempPath, "wx"));
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#position;
  }

  get state(): "open" | "committed" | "aborted" {
    return this.#state;
  }

  /** Appends `chunk`; on failure the temporary file is removed and the error rethrown. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.#state !== "open") throw new Error(`atomic file ${this.path} is already ${this.#state}`);
    try {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await this.#handle.write(chunk, done, chunk.length - done, this.#position);
        done += bytesWritten;
        this.#position += bytesWritten;
      }
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /** Flushes, renames into place and flushes the directory. */
  async commit(): Promise<void> {
    if (this.#state !== "open") throw new Error(`atomic file ${this.path} is already ${this.#state}`);
    try {
      await this.#handle.sync();
      await this.#handle.close();
      await rename(this.#tempPath, this.path);
    } catch (error) {
      await this.abort();
      throw error;
    }
    this.#state = "committed";
    syncDirectory(dirname(this.path));
  }

  /** Drops everything written so far; safe to call more than once. */
  async abort(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    await this.#handle.close().catch(() => undefined);
    await unlink(this.#tempPath).catch(() => undefined);
  }
}
