import { inspectContainerBytes, serializeContainer, type ContainerContents, type ContainerInspection } from "@dcnpi/sparse-format";
import { leanMetadata } from "./compressed-metadata.js";
import { containerFormatOf, type ContainerOptions } from "./container-options.js";
import { timed, type StageHooks } from "./stage-options.js";

/**
 * Somewhere other than memory to put a container: `containerFile(path)` from `@dcnpi/deep-compression/node`
 * writes a file (temp file + rename).
 */
export interface ContainerOutput {
  /** Where the container goes, for messages (a path). */
  readonly description: string;
  /** Stores `contents` (all or nothing). */
  write(contents: ContainerContents): Promise<void>;
  /** Reads back what `write` stored: the sizes come from the stored container, not from `contents`. */
  inspect(): Promise<ContainerInspection>;
}

export interface Packed {
  /** The container bytes, when no `output` was given. */
  readonly bytes: Uint8Array | undefined;
  /** Sizes as read back from the container: the file is their single source of truth. */
  readonly inspection: ContainerInspection;
}

/** Writes the container to `output` or serializes it in memory, then inspects what was written. */
export async function packContainer(
  contents: ContainerContents,
  options: StageHooks & { readonly output?: ContainerOutput | undefined; readonly container?: ContainerOptions | undefined } = {},
): Promise<Packed> {
  const output = options.output;
  // The paper-faithful default leaves `contents` as given (version 1, JSON), so its bytes do not change.
  if (options.container !== undefined && contents.format === undefined)
    contents = { ...contents, format: containerFormatOf(options.container) };
  if (options.container?.metadata === "lean") contents = { ...contents, metadata: leanMetadata(contents.metadata) };
  if (output === undefined) {
    const bytes = serializeContainer(contents);
    return { bytes, inspection: await inspectContainerBytes(bytes) };
  }
  await timed(options.seconds, "write", () => output.write(contents));
  return { bytes: undefined, inspection: await output.inspect() };
}
