import type { ContainerContents, ContainerInspection } from "@dcnpi/sparse-format";
import { inspectContainer, writeContainer } from "@dcnpi/sparse-format/node";
import type { ContainerOutput } from "../pack-container.js";

/** `compress`'s `output` for a file: written atomically (temp file + rename), then inspected from disk. */
export function containerFile(path: string): ContainerOutput {
  return {
    description: path,
    write: async (contents: ContainerContents) => {
      await writeContainer(path, contents);
    },
    inspect: (): Promise<ContainerInspection> => inspectContainer(path),
  };
}
