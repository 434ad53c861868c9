import type { ContainerFormat, FormatVersion, HeaderForm, LayerCoder } from "@dcnpi/sparse-format";
import { CompressionError } from "./errors.js";

/**
 * How stage 3 stores its result, beyond the paper (issue 17). The defaults are the paper-faithful
 * file: Huffman or fixed width per stream, JSON header, container version 1, byte for byte as before.
 */
export interface ContainerOptions {
  /**
   * `huffman` (default): the plan's `huffman` setting. `best`: per stream the smallest of fixed width, Huffman and
   * (context-coded) arithmetic coding, codebooks and dense float32 tensors packed (sparse-format's FORMAT.md).
   */
  readonly coder?: LayerCoder | undefined;
  /** `json` (default) or `binary`: the compact binary header. */
  readonly header?: HeaderForm | undefined;
  /**
   * `full` (default): the metadata keeps the plan and every stage's metric. `lean`: only what loading
   * needs (weight order, topology or graph, stored axes, `user`); the plan and the metrics stay in the
   * caller's report. Version 2 only, so no reader of version 1 meets a file without them.
   */
  readonly metadata?: MetadataForm | undefined;
}

/** How much of the pipeline's metadata a file keeps (`ContainerOptions.metadata`). */
export type MetadataForm = "full" | "lean";

/** The container version the options need: 2 for the arithmetic coder, the binary header or lean metadata, else 1. */
export function formatVersionOf(options: ContainerOptions = {}): FormatVersion {
  const coder = options.coder ?? "huffman";
  const header = options.header ?? "json";
  if (coder !== "huffman" && coder !== "best")
    throw new CompressionError("INVALID_ARGUMENT", `coder must be "huffman" or "best", got ${JSON.stringify(coder)}`);
  if (header !== "json" && header !== "binary")
    throw new CompressionError("INVALID_ARGUMENT", `header must be "json" or "binary", got ${JSON.stringify(header)}`);
  const metadata = options.metadata ?? "full";
  if (metadata !== "full" && metadata !== "lean")
    throw new CompressionError("INVALID_ARGUMENT", `metadata must be "full" or "lean", got ${JSON.stringify(metadata)}`);
  return coder === "best" || header === "binary" || metadata === "lean" ? 2 : 1;
}

/** The sparse-format container format for these options; `best` also packs dense float32 tensors (biases) losslessly. */
export function containerFormatOf(options: ContainerOptions = {}): ContainerFormat {
  const version = formatVersionOf(options);
  return { version, header: options.header ?? "json", ...(options.coder === "best" ? { dense: "packed" as const } : {}) };
}
