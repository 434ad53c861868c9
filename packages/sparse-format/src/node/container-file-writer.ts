import { AtomicFile } from "@dcnpi/base/node";
import { ContainerLayout, preamble, type ContainerContents, type ContainerSummary, type DenseTensorInput } from "../container-writer.js";
import { SparseFormatError } from "../errors.js";
import type { EncodedLayer } from "../layer-codec.js";

function ioError(action: string, path: string, error: unknown): SparseFormatError {
  return new SparseFormatError("IO_ERROR", `${action} ${path}: ${(error as Error).message ?? String(error)}`, { cause: error });
}

/**
 * Writes a container entry by entry, so a model is never held twice in memory: each layer's bytes
 * go to disk as it is added. Everything goes to an `AtomicFile` (a temporary file next to `path`)
 * that `finish` fsyncs and renames into place; `abort` (or any failure) removes it, so `path` is
 * either the previous file or the complete new one, never half of one.
 */
export class ContainerWriter {
  readonly path: string;
  readonly #file: AtomicFile;
  readonly #layout = new ContainerLayout();
  #state: "open" | "finished" | "aborted" = "open";

  private constructor(path: string, file: AtomicFile) {
    this.path = path;
    this.#file = file;
  }

  static async create(path: string): Promise<ContainerWriter> {
    let file: AtomicFile;
    try {
      file = await AtomicFile.create(path);
    } catch (error) {
      throw ioError("cannot create a temporary file for", path, error);
    }
    const writer = new ContainerWriter(path, file);
    await writer.#write([preamble()]);
    return writer;
  }

  async #write(chunks: readonly Uint8Array[]): Promise<void> {
    if (this.#state !== "open")
      throw new SparseFormatError("INVALID_ARGUMENT", `container writer for ${this.path} is already ${this.#state}`);
    try {
      for (const chunk of chunks) await this.#file.write(chunk);
    } catch (error) {
      await this.abort();
      throw ioError("cannot write", this.path, error);
    }
  }

  async #guard<T>(build: () => T): Promise<T> {
    try {
      return build();
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /** Appends a compressed layer (from `encodeLayer`). */
  async addLayer(layer: EncodedLayer): Promise<void> {
    await this.#write(await this.#guard(() => this.#layout.addLayer(layer)));
  }

  /** Appends a tensor stored as is. */
  async addDenseTensor(tensor: DenseTensorInput): Promise<void> {
    await this.#write(await this.#guard(() => this.#layout.addDense(tensor)));
  }

  /** Writes the header and trailer, fsyncs, renames the file into place and fsyncs the directory. */
  async finish(metadata?: unknown): Promise<ContainerSummary> {
    const { tail, header, fileBytes } = await this.#guard(() => this.#layout.finish(metadata));
    await this.#write([tail]);
    try {
      await this.#file.commit();
    } catch (error) {
      await this.abort();
      throw ioError("cannot finish", this.path, error);
    }
    this.#state = "finished";
    return { fileBytes, header };
  }

  /** Drops everything written so far; safe to call more than once. */
  async abort(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    await this.#file.abort();
  }
}

/** Writes `contents` to `path` atomically (temp file in the same directory, then rename). */
export async function writeContainer(path: string, contents: ContainerContents): Promise<ContainerSummary> {
  const writer = await ContainerWriter.create(path);
  try {
    for (const layer of contents.layers ?? []) await writer.addLayer(layer);
    for (const tensor of contents.denseTensors ?? []) await writer.addDenseTensor(tensor);
    return await writer.finish(contents.metadata);
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
