import { ContainerReader, readWhole, type ContainerContentsRead, type ReadOptions } from "../container-reader.js";
import { fileSource } from "./file-source.js";

/** Opens a container file for reading entries one at a time; call `close()` when done. */
export async function openContainer(path: string, options: ReadOptions = {}): Promise<ContainerReader> {
  const source = await fileSource(path);
  try {
    return await ContainerReader.open(source, options);
  } catch (error) {
    await source.close();
    throw error;
  }
}

/** Reads and decodes a whole container file. */
export async function readContainer(path: string, options: ReadOptions = {}): Promise<ContainerContentsRead> {
  return readWhole(await openContainer(path, options));
}
